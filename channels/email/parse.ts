/**
 * Raw RFC 5322 source -> a parsed mail (postal-mime). Pure apart from hashing: no I/O, so it
 * is tested on recorded mails in fixtures/.
 */
import { createHash } from 'node:crypto';
import PostalMime from 'postal-mime';

export interface MailAttachment {
  name?: string;
  mimeType: string;
  size: number;
  contentId?: string;
  inline: boolean;
  /** Over MAIL_MAX_ATTACHMENT_BYTES, or cut off in a mail fetched partially: only its name and type are known. */
  oversize: boolean;
}

export interface ParsedMail {
  /** The Message-ID without angle brackets, or `sha256:<hex>` of the source when the mail has none. */
  messageId: string;
  hasMessageId: boolean;
  from: { address: string; name?: string } | null;
  replyTo: string[];
  to: string[];
  cc: string[];
  subject: string;
  inReplyTo: string[];
  /** Oldest first, as in the header (RFC 5322: the parent's References plus the parent). */
  references: string[];
  /** Header names lower-cased, values unfolded; repeated headers keep every value. */
  headers: Array<[string, string]>;
  text: string;
  html?: string;
  attachments: MailAttachment[];
  date?: string;
  /** A bounce: multipart/report; report-type=delivery-status, or a mail system's plain-text failure notice. */
  deliveryReport: DeliveryReport | null;
  /** The source was larger than we fetch: headers and the first parts are here, not all attachments. */
  truncated: boolean;
}

export interface DeliveryReport {
  /** `dsn`: multipart/report (RFC 3464); `plain`: a mailer-daemon's text notice (qmail, old Exim, some webmail). */
  format: 'dsn' | 'plain';
  /** The Message-ID of the mail that bounced (ours, when it is a bounce of our mail). */
  originalMessageId?: string;
  recipients: string[];
  /** The first recipient's status (`5.1.1`) and diagnostic, for the record. */
  status?: string;
  diagnostic?: string;
  /** Each recipient's action (failed, delayed, delivered...) and status. */
  perRecipient: Array<{ recipient: string; action?: string; status?: string }>;
}

/** Recipients the report says failed for good: action `failed` (or none) with a 5.x.x status (RFC 3463). */
export function hardFailures(report: DeliveryReport): string[] {
  return report.perRecipient.filter((r) => r.status?.startsWith('5.') && (r.action ?? 'failed') === 'failed').map((r) => r.recipient);
}

/** `<a@b> <c@d>` (or comma/space separated, with comments) -> ['a@b', 'c@d']. */
export function messageIds(value: string | undefined): string[] {
  if (!value) return [];
  const inAngles = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  if (inAngles.length > 0) return inAngles;
  return value.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s.includes('@'));
}

const header = (headers: Array<[string, string]>, name: string): string | undefined => headers.find(([k]) => k === name)?.[1];

const sizeOf = (content: ArrayBuffer | Uint8Array | string): number =>
  typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;

/** postal-mime's Address (its CommonJS typings do not expose the type to ESM importers). */
type Address = { name: string; address?: string; group?: Array<{ name: string; address: string }> };

function addresses(list: Address[] | undefined): string[] {
  const out: string[] = [];
  for (const a of list ?? []) {
    if (a.group) out.push(...a.group.map((m) => m.address.toLowerCase()));
    else if (a.address) out.push(a.address.toLowerCase());
  }
  return out.filter(Boolean);
}

/** Fields of a message/delivery-status part (RFC 3464): per-recipient blocks after the per-message one. */
function deliveryStatus(text: string): Omit<DeliveryReport, 'format' | 'originalMessageId'> {
  const perRecipient: DeliveryReport['perRecipient'] = [];
  let diagnostic: string | undefined;
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const recipient = /^(?:final|original)-recipient:\s*(?:rfc822;)?\s*<?([^\s<>]+@[^\s<>]+)>?/im.exec(block)?.[1]?.toLowerCase();
    if (!recipient) continue;
    const action = /^action:\s*(\w+)/im.exec(block)?.[1]?.toLowerCase();
    const status = /^status:\s*([245]\.\d{1,3}\.\d{1,3})/im.exec(block)?.[1];
    diagnostic ??= /^diagnostic-code:\s*(.+(?:\n[ \t].+)*)/im.exec(block)?.[1]?.replace(/\s+/g, ' ').trim();
    if (!perRecipient.some((r) => r.recipient === recipient)) perRecipient.push({ recipient, ...(action ? { action } : {}), ...(status ? { status } : {}) });
  }
  return { recipients: perRecipient.map((r) => r.recipient), status: perRecipient.find((r) => r.status)?.status, diagnostic, perRecipient };
}

const BOUNCE_SUBJECT = /undeliver|returned mail|failure notice|delivery (status notification|failure|has failed|failed)|mail delivery (failed|failure|system)|could not be delivered|退信|退回|投递失败|无法投递|未能送达|发送失败|递送失败/i;
/** Where a text notice starts quoting the original mail: recipients and codes after it are not the report's. */
const ORIGINAL_FOLLOWS = /^.*(original message|below this line is a copy|copy of the (original )?message|message headers follow|message that caused|原邮件|原始邮件|原信件).*$/im;

/**
 * A bounce without a delivery-status part: from a mail system (MAILER-DAEMON, postmaster, or
 * an empty Return-Path) with a failure subject. The recipients and the status are read from
 * the notice (qmail `<a@b>:` lines, Exim's indented addresses; an enhanced status code, else
 * an SMTP reply code); the original Message-ID from the quoted original.
 */
function plainBounce(headers: Array<[string, string]>, from: string | undefined, subject: string, text: string, quoted: string): DeliveryReport | null {
  const local = from?.split('@')[0] ?? '';
  const returnPath = header(headers, 'return-path');
  const system = local === 'mailer-daemon' || local === 'postmaster' || (returnPath !== undefined && /^\s*<?\s*>?\s*$/.test(returnPath));
  if (!system || !BOUNCE_SUBJECT.test(subject)) return null;
  const cut = text.search(ORIGINAL_FOLLOWS);
  const notice = cut >= 0 ? text.slice(0, cut) : text;
  const listed = [...notice.matchAll(/^\s*<([^\s<>]+@[^\s<>]+)>:?\s*$|^[ \t]+([^\s<>:]+@[^\s<>:]+)\s*$/gm)].map((m) => (m[1] ?? m[2]!).toLowerCase());
  const recipients = [...new Set(listed)].filter((a) => a !== from);
  const enhanced = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(notice)?.[1];
  const reply = /\b([45]\d\d)[ -]/.exec(notice)?.[1];
  const status = enhanced ?? (reply ? `${reply[0]}.0.0` : undefined);
  const diagnostic = /^.*\b[45]\d\d[ -].*$/m.exec(notice)?.[0]?.trim().slice(0, 300);
  const originalMessageId = messageIds(/^message-id:\s*(.+)$/im.exec(`${text.slice(Math.max(0, cut))}\n${quoted}`)?.[1])[0];
  return {
    format: 'plain', recipients, status, diagnostic, ...(originalMessageId ? { originalMessageId } : {}),
    perRecipient: recipients.map((recipient) => ({ recipient, action: 'failed', ...(status ? { status } : {}) })),
  };
}

const decode = (content: ArrayBuffer | Uint8Array | string): string =>
  typeof content === 'string' ? content : Buffer.from(content instanceof ArrayBuffer ? new Uint8Array(content) : content).toString('utf8');

export async function parseMail(source: Buffer | Uint8Array, opts: { maxAttachmentBytes: number; truncated?: boolean }): Promise<ParsedMail> {
  const email = await PostalMime.parse(source, { attachmentEncoding: 'arraybuffer', rfc822Attachments: true });
  const headers: Array<[string, string]> = email.headers.map((h) => [h.key.toLowerCase(), h.value.replace(/\r?\n[ \t]+/g, ' ')]);
  const ownId = messageIds(email.messageId)[0];
  const messageId = ownId ?? `sha256:${createHash('sha256').update(source).digest('hex')}`;
  const contentType = header(headers, 'content-type') ?? '';
  const isReport = /^multipart\/report/i.test(contentType) && /delivery-status/i.test(contentType);
  let deliveryReport: DeliveryReport | null = isReport ? { format: 'dsn', recipients: [], perRecipient: [] } : null;
  const attachments: MailAttachment[] = [];
  /** Headers of an attached original (message/rfc822 or text/rfc822-headers): where a bounce names the mail that failed. */
  let quoted = '';
  for (const a of email.attachments) {
    const type = a.mimeType.toLowerCase();
    const original = type === 'message/rfc822' || type === 'text/rfc822-headers' || type === 'message/rfc822-headers' || type === 'message/global-headers';
    if (original && !quoted) quoted = decode(a.content).split(/\r?\n\r?\n/)[0] ?? '';
    if (deliveryReport) {
      if (type === 'message/delivery-status' || type === 'message/global-delivery-status') {
        Object.assign(deliveryReport, deliveryStatus(decode(a.content)));
        continue;
      }
      if (original) {
        deliveryReport.originalMessageId = messageIds(/^message-id:\s*(.+)$/im.exec(quoted)?.[1])[0];
        continue;
      }
    }
    const size = sizeOf(a.content);
    attachments.push({
      name: a.filename ?? undefined, mimeType: type, size, contentId: a.contentId?.replace(/^<|>$/g, ''),
      inline: a.disposition === 'inline' || a.related === true, oversize: size > opts.maxAttachmentBytes,
    });
  }
  const subject = (email.subject ?? '').replace(/\s+/g, ' ').trim();
  deliveryReport ??= plainBounce(headers, email.from?.address?.toLowerCase(), subject, email.text ?? '', quoted);
  const from = email.from && !email.from.group && email.from.address
    ? { address: email.from.address.toLowerCase(), ...(email.from.name ? { name: email.from.name } : {}) }
    : null;
  return {
    messageId, hasMessageId: ownId !== undefined, from,
    replyTo: addresses(email.replyTo), to: addresses(email.to), cc: addresses(email.cc),
    subject,
    inReplyTo: messageIds(email.inReplyTo), references: messageIds(email.references),
    headers, text: email.text ?? '', html: email.html, attachments, date: email.date, deliveryReport,
    truncated: opts.truncated === true,
  };
}
