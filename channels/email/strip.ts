/**
 * What the customer newly wrote: quoted replies, forwarded headers and signatures removed,
 * in Chinese and English. Used for understanding and for the stored text; the original body
 * is always kept in the message's `raw`. Pure; a table test covers each pattern.
 */

/** Our own separator, written at the top of every mail we send. */
export const REPLY_ABOVE = { 'zh-CN': '-- 请在此线以上回复 --', en: '-- Please reply above this line --' } as const;

/** A line that starts the quoted part: everything from it on is the previous mail. */
const QUOTE_HEADERS: RegExp[] = [
  /^-{2,}\s*(请在此线以上回复|please reply above this line|回复请写在此线以上)\s*-{2,}\s*$/i,
  /^-{2,}\s*(original message|forwarded message|原始邮件|转发的邮件|原邮件|邮件原文)\s*-{2,}\s*$/i,
  /^_{5,}\s*$/, // Outlook's rule above "From: ... Sent: ..."
  /^on\s.{4,200}\swrote:\s*$/i,
  /^在\s?.{2,200}写道[:：]\s*$/,
  /^.{2,200}于\s?.{2,100}写道[:：]\s*$/,
  /^le\s.{4,200}\sa écrit\s?:\s*$/i,
  /^am\s.{4,200}\sschrieb\s.{0,100}:\s*$/i,
];

/** Outlook-style header block: "From: ..." (or 发件人:) followed within two lines by Sent/Date/To (发送时间/日期/收件人). */
const FROM_LINE = /^\*?(from|发件人|寄件者)\s*[:：]/i;
const SENT_LINE = /^\*?(sent|date|to|subject|发送时间|时间|日期|收件人|主题|寄件日期)\s*[:：]/i;

/** Sign-off lines from phones and mail apps: dropped with everything after them. */
const DEVICE_SIGNATURES = /^(sent from my .{2,40}|sent from (mail|outlook|yahoo mail).{0,40}|get outlook for .{2,20}|发自我的\s?.{1,20}|来自我的\s?.{1,20}|发自\s?.{1,12}(邮箱|邮件|客户端|手机).{0,10}|从我的\s?.{1,20}发送)$/i;

/** "On Mon, 1 Jan 2024 at 10:00, Zhang San <\nzs@example.com> wrote:" spans two lines in many clients. */
function joinsWroteLine(line: string, next: string | undefined): boolean {
  return next !== undefined && /^on\s/i.test(line) && !/wrote:\s*$/i.test(line) && /wrote:\s*$/i.test(next) && line.length + next.length < 300;
}

export function stripQuotedText(body: string): string {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (QUOTE_HEADERS.some((re) => re.test(line)) || joinsWroteLine(line, lines[i + 1]?.trim())) break;
    if (FROM_LINE.test(line) && lines.slice(i + 1, i + 4).some((l) => SENT_LINE.test(l.trim()))) break;
    // RFC 3676 signature separator: "-- " (dash dash space), often trimmed by editors to "--".
    if (raw === '-- ' || raw === '--') break;
    if (DEVICE_SIGNATURES.test(line)) break;
    if (/^>/.test(line)) continue;
    kept.push(raw);
  }
  return kept.join('\n').replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Cut quoted parts out of an HTML body (Gmail, Outlook, Apple Mail, Thunderbird, QQ/163), then flatten it to text. */
export function htmlToText(html: string): string {
  let h = html.replace(/<!--[\s\S]*?-->/g, '').replace(/<(style|script|head)[\s\S]*?<\/\1>/gi, '');
  // Quote containers: everything from the first one on is the previous mail.
  const cut = h.search(/<(div|blockquote)[^>]*(class="[^"]*(gmail_quote|gmail_attr|moz-cite-prefix|yahoo_quoted)|id="(appendonsend|divRplyFwdMsg|reply-intro|isForwardContent|origbody)"|type="cite")[^>]*>|<blockquote\b|<hr[^>]*id="stopSpelling"/i);
  if (cut >= 0) h = h.slice(0, cut);
  h = h.replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|div|li|tr|h[1-6])>/gi, '\n').replace(/<li[^>]*>/gi, '- ').replace(/<[^>]+>/g, '');
  h = h.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : '';
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
  return h.replace(/\u00a0/g, ' ').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}

/**
 * The new text of a mail: from its text/plain part when there is one (quotes are marked
 * there with `>` and separators), else from its HTML; quotes and signatures removed.
 */
export function newTextOf(mail: { text: string; html?: string }): string {
  const plain = mail.text.trim() ? mail.text : mail.html ? htmlToText(mail.html) : '';
  const stripped = stripQuotedText(plain);
  // Top-posting with everything cut? Then the whole mail was a quote with inline answers: keep it.
  return stripped || plain.trim();
}
