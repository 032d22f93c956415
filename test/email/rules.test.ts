/** Table tests: RFC 3834 auto-reply rules, threading, quote and signature stripping (zh + en), settings. */
import { noReplyReason } from '../../channels/email/auto-reply.js';
import { emailSettingsFrom } from '../../channels/email/definition.js';
import { smtpRetryable } from '../../channels/email/outbound.js';
import { parseMail } from '../../channels/email/parse.js';
import { htmlToText, newTextOf, stripQuotedText } from '../../channels/email/strip.js';
import { bodyMarker, replySubject, resolveThread, subjectKey, type MailForThreading, type ThreadLookups } from '../../channels/email/threading.js';
import { ConfigError } from '../../src/config.js';
import { buildMail } from './support.js';

const own = new Set(['support@example.test']);
const mail = (headers: Array<[string, string]>, from = 'a@customer.test', replyTo: string[] = []) =>
  ({ headers, from: { address: from }, replyTo, deliveryReport: null });

describe('RFC 3834: never auto-reply to', () => {
  test.each<[string, ReturnType<typeof mail> | { headers: Array<[string, string]>; from: null; replyTo: string[]; deliveryReport: null }, string | null]>([
    ['a person', mail([['subject', 'hi']]), null],
    ['Auto-Submitted: no', mail([['auto-submitted', 'no']]), null],
    ['Auto-Submitted: auto-replied', mail([['auto-submitted', 'auto-replied']]), 'auto-submitted'],
    ['Auto-Submitted: auto-generated', mail([['auto-submitted', 'auto-generated; type=x']]), 'auto-submitted'],
    ['Precedence: bulk', mail([['precedence', 'bulk']]), 'precedence'],
    ['Precedence: list', mail([['precedence', 'List']]), 'precedence'],
    ['Precedence: junk', mail([['precedence', 'junk']]), 'precedence'],
    ['List-Id', mail([['list-id', '<x.lists.test>']]), 'list'],
    ['List-Unsubscribe', mail([['list-unsubscribe', '<mailto:u@l.test>']]), 'list'],
    ['X-Autoreply', mail([['x-autoreply', 'yes']]), 'x-autoreply'],
    ['X-Autorespond', mail([['x-autorespond', 'yes']]), 'x-autoreply'],
    ['X-Auto-Response-Suppress: All', mail([['x-auto-response-suppress', 'All']]), 'auto-response-suppress'],
    ['X-Auto-Response-Suppress: AutoReply', mail([['x-auto-response-suppress', 'DR, AutoReply']]), 'auto-response-suppress'],
    ['an empty Return-Path', mail([['return-path', '<>']]), 'empty-return-path'],
    ['MAILER-DAEMON', mail([], 'MAILER-DAEMON@mx.test'), 'system-sender'],
    ['postmaster', mail([], 'postmaster@mx.test'), 'system-sender'],
    ['a -request address', mail([], 'list-request@lists.test'), 'system-sender'],
    ['an owner- address', mail([], 'owner-list@lists.test'), 'system-sender'],
    ['our own address', mail([], 'support@example.test'), 'own-address'],
    ['a Reply-To of ours', mail([], 'a@customer.test', ['support@example.test']), 'own-address'],
    ['no sender', { headers: [], from: null, replyTo: [], deliveryReport: null }, 'no-sender'],
  ])('%s', (_name, m, expected) => {
    expect(noReplyReason(m, own)).toBe(expected);
  });

  test('a delivery-status report is a bounce, with the original Message-ID and the failure', async () => {
    const source = buildMail({
      from: 'MAILER-DAEMON@mx.test', contentType: 'multipart/report; report-type=delivery-status; boundary="B"',
      body: ['--B', 'Content-Type: text/plain', '', 'failed', '--B', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx', '',
        'Final-Recipient: rfc822; x@customer.test', 'Status: 5.1.1', '--B', 'Content-Type: message/rfc822', '', 'Message-ID: <kefu.1@example.test>', 'Subject: s', '', 'body', '--B--'].join('\n'),
    });
    const parsed = await parseMail(Buffer.from(source), { maxAttachmentBytes: 1000 });
    expect(parsed.deliveryReport).toMatchObject({ originalMessageId: 'kefu.1@example.test', recipients: ['x@customer.test'], status: '5.1.1' });
    expect(noReplyReason(parsed, own)).toBe('bounce');
    expect(parsed.attachments).toEqual([]);
  });
});

describe('threading', () => {
  const secret = 's3cret';
  const lookups = (over: Partial<ThreadLookups> = {}): ThreadLookups => ({
    caseThread: async (n) => (n === 'K000007' ? { threadKey: 'mid:root7' } : undefined),
    threadOfMessage: async (id) => (id === 'kefu.ack@example.test' ? { threadKey: 'mid:root7' } : id === 'other@x' ? { threadKey: 'mid:other' } : undefined),
    senderOnThread: async (key, a) => key === 'mid:root7' && a === 'zs@customer.test',
    threadBySubject: async (a, key) => (a === 'zs@customer.test' && key === 'chair broken' ? { threadKey: 'mid:root7' } : undefined),
    ...over,
  });
  const base: MailForThreading = { messageId: 'new@customer.test', sender: 'zs@customer.test', subject: 'hello there', inReplyTo: [], references: [], body: '' };
  test.each<[string, Partial<MailForThreading>, string, string]>([
    ['tag from the customer', { subject: 'Re: anything [#K000007]' }, 'mid:root7', 'tag'],
    ['tag from a stranger, nothing else', { sender: 'li@other.test', subject: 'Re: [#K000007]' }, 'mid:new@customer.test', 'new'],
    ['tag from a stranger with our reference', { sender: 'li@other.test', subject: '[#K000007]', references: ['kefu.ack@example.test'] }, 'mid:root7', 'tag'],
    ['unknown tag', { subject: '[#K999999] hi' }, 'mid:new@customer.test', 'new'],
    ['In-Reply-To our mail', { inReplyTo: ['kefu.ack@example.test'] }, 'mid:root7', 'references'],
    ['References, newest known last', { references: ['other@x', 'kefu.ack@example.test'] }, 'mid:root7', 'references'],
    ['body marker', { sender: 'li@other.test', body: `> ${bodyMarker('K000007', secret)}` }, 'mid:root7', 'marker'],
    ['forged marker', { sender: 'li@other.test', body: 'Kefu-Ref: K000007-deadbeef' }, 'mid:new@customer.test', 'new'],
    ['same subject, same sender', { subject: 'RE: 回复: Chair broken' }, 'mid:root7', 'subject'],
    ['same subject, another sender', { sender: 'li@other.test', subject: 'Chair broken' }, 'mid:new@customer.test', 'new'],
  ])('%s', async (_name, over, threadKey, via) => {
    const decision = await resolveThread({ ...base, ...over }, lookups(), secret);
    expect(decision).toMatchObject({ threadKey, via });
  });

  test('subjects', () => {
    expect(subjectKey('Re: 回复：Fwd: [#K000001] Chair Broken ')).toBe('chair broken');
    expect(replySubject('Re: Chair broken [#K000001]', 'K000001')).toBe('Re: Chair broken [#K000001]');
    expect(replySubject('椅子坏了', 'K000002', '回复: ')).toBe('回复: 椅子坏了 [#K000002]');
  });
});

describe('quote and signature stripping', () => {
  test.each<[string, string, string]>([
    ['our separator (zh)', '好的，谢谢\n\n-- 请在此线以上回复 --\n您好：感谢您的来信', '好的，谢谢'],
    ['our separator (en)', 'Thanks!\n-- Please reply above this line --\nDear customer', 'Thanks!'],
    ['> lines', 'Yes please.\n> Do you want a refund?\n> Regards', 'Yes please.'],
    ['On ... wrote:', 'It works now.\n\nOn Mon, 1 Jul 2024 at 10:00, Kefu <support@example.test> wrote:\n> hello', 'It works now.'],
    ['On ... wrote: over two lines', 'Fine.\n\nOn Mon, 1 Jul 2024 at 10:00, Kefu Support <\nsupport@example.test> wrote:\n> hi', 'Fine.'],
    ['在 ... 写道：', '已经收到了。\n\n在 2024年7月1日 10:00，Kefu <support@example.test> 写道：\n> 您好', '已经收到了。'],
    ['QQ mail 原始邮件', '收到\n------------------ 原始邮件 ------------------\n发件人: "Kefu"', '收到'],
    ['Outlook header block (zh)', '请尽快退款。\n\n发件人: Kefu <support@example.test>\n发送时间: 2024年7月1日 10:00\n收件人: 张三', '请尽快退款。'],
    ['Outlook header block (en)', 'Please refund.\n\nFrom: Kefu <support@example.test>\nSent: Monday, July 1, 2024 10:00\nTo: Zhang', 'Please refund.'],
    ['Outlook rule', 'See below.\n________________________________\nFrom: Kefu', 'See below.'],
    ['-- signature', 'The desk wobbles.\n-- \nZhang San\nACME Ltd', 'The desk wobbles.'],
    ['发自我的iPhone', '椅子坏了，怎么办？\n\n发自我的iPhone', '椅子坏了，怎么办？'],
    ['Sent from my iPhone', 'Where is my order?\n\nSent from my iPhone', 'Where is my order?'],
    ['发自网易邮箱大师', '好的\n发自网易邮箱大师', '好的'],
    ['nothing to strip', '第一行\n\n第二行', '第一行\n\n第二行'],
  ])('%s', (_name, input, expected) => {
    expect(stripQuotedText(input)).toBe(expected);
  });

  test.each<[string, string, string]>([
    ['gmail_quote', '<div dir="ltr">Got it, thanks.</div><br><div class="gmail_quote"><div class="gmail_attr">On Mon wrote:</div><blockquote>old</blockquote></div>', 'Got it, thanks.'],
    ['blockquote', '<p>可以的</p><blockquote type="cite"><p>请问可以吗</p></blockquote>', '可以的'],
    ['Outlook divRplyFwdMsg', '<p>OK &amp; thanks&nbsp;!</p><hr><div id="divRplyFwdMsg">From: Kefu</div>', 'OK & thanks !'],
  ])('HTML: %s', (_name, html, expected) => {
    expect(htmlToText(html)).toBe(expected);
  });

  test('a mail that is all quote keeps its text', () => {
    expect(newTextOf({ text: '> only a quote' })).toBe('> only a quote');
  });
});

describe('settings and SMTP errors', () => {
  test('IMAP_URL, defaults and a bad variable named', () => {
    const s = emailSettingsFrom({ IMAP_URL: 'imaps://u%40x.test:p%40ss@mail.x.test', SMTP_URL: 'smtp://127.0.0.1:25', IMAP_MAILBOXES: 'INBOX, Support', IMAP_PROCESSED: 'move:Done' })!;
    expect(s.imap).toEqual({ host: 'mail.x.test', port: 993, secure: true, user: 'u@x.test', password: 'p@ss' });
    expect(s.mailboxes).toEqual(['INBOX', 'Support']);
    expect(s.processed).toEqual({ kind: 'move', folder: 'Done' });
    expect(s.from).toBe('u@x.test');
    expect(emailSettingsFrom({})).toBeNull();
    expect(() => emailSettingsFrom({ IMAP_HOST: 'h', IMAP_USER: 'u@x', IMAP_PASSWORD: 'p', SMTP_URL: 'smtp://h', IMAP_PROCESSED: 'delete' })).toThrow(/IMAP_PROCESSED/);
    expect(() => emailSettingsFrom({ IMAP_HOST: 'h', IMAP_USER: 'u@x', IMAP_PASSWORD: 'p' })).toThrow(ConfigError);
  });

  test.each<[unknown, boolean]>([
    [{ responseCode: 421 }, true], [{ responseCode: 451 }, true], [{ responseCode: 550 }, false], [{ responseCode: 554 }, false], [{ code: 'ECONNREFUSED' }, true],
  ])('%j retryable: %s', (error, retryable) => {
    expect(smtpRetryable(error)).toBe(retryable);
  });
});
