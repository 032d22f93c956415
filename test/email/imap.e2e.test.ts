/**
 * End to end against real servers: Dovecot (IMAP, mail put in by APPEND) and an SMTP server
 * recording what the gateway sends. One gateway, one mailbox; each test adds its mails.
 */
import * as store from '../../src/store/index.js';
import { dovecotSkipped, type Dovecot } from '../support/dovecot.js';

/** Dovecot missing fails loudly (startDovecot throws) unless KEFU_SKIP_DOVECOT=1. */
const it = dovecotSkipped ? test.skip : test;
import type { RunningGateway } from '../support/gateway.js';
import type { SmtpRecorder } from '../support/smtp-recorder.js';
import { buildMail, imapClient, settle, startMailStack, storedMail, type MailStack } from './support.js';

let stack: MailStack;
let dovecot: Dovecot;
let smtp: SmtpRecorder;
let gw: RunningGateway;

const faq = {
  ask: (text: string) => (/发票/.test(text) ? { id: 'invoice', question: '怎么开发票？', answer: '在订单页点击“申请发票”即可。', score: 0.9 } : null),
};

beforeAll(async () => {
  if (dovecotSkipped) return;
  stack = await startMailStack({ faq, mailEnv: { MAIL_BRAND_NAME: 'Kefu Shop', MAIL_SIGNATURE: 'Kefu 客服中心', MAIL_LOGO_URL: 'https://shop.example/logo.png' } });
  ({ dovecot, smtp, gw } = stack);
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

const deliver = (...mails: string[]) => stack.deliver(...mails);

const caseOf = async (conversationId: string) => (await store.getCaseByConversation(gw.gateway.db.kysely, conversationId))!;

it('a new mail gets one acknowledgement with its case number, threaded and marked automatic', async () => {
  await deliver(buildMail({ messageId: 'first@customer.test', subject: '订单 1001 还没到', body: '你好，我上周买的椅子还没有到，请帮忙查一下。\n\n张三' }));
  const [ack] = await smtp.waitFor(1);
  const stored = (await storedMail(gw.gateway.db, 'first@customer.test'))!;
  const kase = await caseOf(stored.conversationId);
  expect(kase.number).toMatch(/^K\d{6}$/);
  expect(ack!.envelope.to).toEqual(['zhangsan@customer.test']);
  expect(ack!.headers['auto-submitted']).toBe('auto-replied');
  expect(ack!.inReplyTo).toBe('<first@customer.test>');
  expect(ack!.references).toContain('<first@customer.test>');
  expect(ack!.subject).toBe(`回复: 订单 1001 还没到 [#${kase.number}]`);
  expect(ack!.messageId).toMatch(/^<kefu\.[^@]+@example\.test>$/);
  expect(ack!.text).toContain(kase.number);
  expect(ack!.text).toContain('1 个工作日内');
  expect(ack!.text).toContain('-- 请在此线以上回复 --');
  expect(ack!.html).toContain('https://shop.example/logo.png');
  // The original is kept; the stored text is what the customer wrote (subject first on a new thread).
  expect(stored.text).toContain('椅子还没有到');
  expect(JSON.parse(stored.raw!).headers.some(([k]: [string]) => k === 'message-id')).toBe(true);
  // Processed mail is marked \Seen.
  const client = await imapClient(dovecot);
  await client.mailboxOpen('INBOX');
  const unseen = await client.search({ seen: false }, { uid: true });
  await client.logout();
  expect(unseen).toEqual([]);
});

it('replies land in the same case: by tag, and by In-Reply-To without a tag; no second acknowledgement', async () => {
  const first = (await storedMail(gw.gateway.db, 'first@customer.test'))!;
  const kase = await caseOf(first.conversationId);
  const ackId = smtp.mails[0]!.messageId;
  await deliver(
    buildMail({ messageId: 'tagged@customer.test', subject: `Re: 订单 1001 还没到 [#${kase.number}]`, body: '补充：订单号是 1001。' }),
    buildMail({ messageId: 'inreply@customer.test', subject: '还有一个问题', inReplyTo: ackId, references: `<first@customer.test> ${ackId}`, body: '请尽快处理。\n\n在 2024年7月1日 10:00，Kefu 写道：\n> 感谢您的来信' }),
  );
  await settle();
  for (const id of ['tagged@customer.test', 'inreply@customer.test']) {
    expect((await storedMail(gw.gateway.db, id))!.conversationId).toBe(first.conversationId);
  }
  expect((await storedMail(gw.gateway.db, 'inreply@customer.test'))!.text).toBe('请尽快处理。');
  expect(smtp.mails).toHaveLength(1);
});

it('auto-submitted mail, a bounce and a mailing-list mail get no reply; the bounce is recorded on the case', async () => {
  const first = (await storedMail(gw.gateway.db, 'first@customer.test'))!;
  const ackId = smtp.mails[0]!.messageId;
  const bounce = [
    '--BOUNDARY', 'Content-Type: text/plain', '', 'Delivery to the following recipient failed permanently.', '',
    '--BOUNDARY', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.customer.test', '',
    'Final-Recipient: rfc822; zhangsan@customer.test', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 user unknown', '',
    '--BOUNDARY', 'Content-Type: text/rfc822-headers', '', `Message-ID: ${ackId}`, 'Subject: whatever', '', '--BOUNDARY--',
  ].join('\n');
  await deliver(
    buildMail({ messageId: 'ooo@customer.test', subject: '自动回复：不在办公室', headers: { 'Auto-Submitted': 'auto-replied' }, body: '我正在休假。' }),
    buildMail({ messageId: 'bounce@mx.customer.test', from: 'Mail Delivery System <MAILER-DAEMON@mx.customer.test>', subject: 'Undelivered Mail Returned to Sender', contentType: 'multipart/report; report-type=delivery-status; boundary="BOUNDARY"', body: bounce }),
    buildMail({ messageId: 'list@lists.test', from: 'news@lists.test', subject: 'Weekly digest', headers: { 'List-Id': '<digest.lists.test>', Precedence: 'bulk' }, body: 'News of the week.' }),
  );
  await settle(1500);
  expect(smtp.mails).toHaveLength(1);
  const recorded = (await storedMail(gw.gateway.db, 'bounce@mx.customer.test'))!;
  expect(recorded.conversationId).toBe(first.conversationId);
  expect(recorded.kind).toBe('event');
  expect(JSON.parse(recorded.meta)).toMatchObject({ event: 'bounce', key: 'bounce' });
  expect(recorded.text).toContain('5.1.1');
  expect(JSON.parse((await storedMail(gw.gateway.db, 'list@lists.test'))!.meta)).toMatchObject({ event: 'bulk' });
  expect(JSON.parse((await storedMail(gw.gateway.db, 'ooo@customer.test'))!.meta)).toMatchObject({ event: 'auto_submitted' });
});

it('a stranger cannot join a case by its tag alone; a confident FAQ match is answered instead of acknowledged', async () => {
  const first = (await storedMail(gw.gateway.db, 'first@customer.test'))!;
  const kase = await caseOf(first.conversationId);
  await deliver(buildMail({ messageId: 'stranger@other.test', from: 'li@other.test', subject: `[#${kase.number}] 我要开发票`, body: '请问怎么开发票？' }));
  const mails = await smtp.waitFor(2);
  const stranger = (await storedMail(gw.gateway.db, 'stranger@other.test'))!;
  expect(stranger.conversationId).not.toBe(first.conversationId);
  const own = await caseOf(stranger.conversationId);
  expect(own.number).not.toBe(kase.number);
  expect(mails[1]!.envelope.to).toEqual(['li@other.test']);
  expect(mails[1]!.text).toContain('申请发票');
  expect(mails[1]!.subject).toContain(`[#${own.number}]`);
  expect(mails[1]!.subject).not.toContain(`[#${kase.number}]`);
});

it("an agent's reply goes out wrapped, threaded on the customer's last mail, without Auto-Submitted", async () => {
  const first = (await storedMail(gw.gateway.db, 'first@customer.test'))!;
  const kase = await caseOf(first.conversationId);
  const { db } = gw.gateway;
  await db.write(async (q) => {
    const message = await store.insertOutbound(q, { conversationId: first.conversationId, channel: 'email', authorKind: 'agent', authorId: 'agent-1', text: '您好，<b>包裹</b>明天送到。', now: Date.now() });
    await store.enqueueOutbox(q, { messageId: message.id, conversationId: first.conversationId, channel: 'email', payload: { messageId: message.id, text: '您好，<b>包裹</b>明天送到。' }, notBefore: Date.now(), now: Date.now() });
  });
  gw.gateway.dispatcher.kick(first.conversationId);
  const mails = await smtp.waitFor(3);
  const reply = mails[2]!;
  expect(reply.headers['auto-submitted']).toBeUndefined();
  expect(reply.subject).toContain(`[#${kase.number}]`);
  expect(reply.envelope.to).toEqual(['zhangsan@customer.test']);
  expect(reply.inReplyTo).toBe('<inreply@customer.test>');
  expect(reply.references).toContain('<first@customer.test>');
  expect(reply.text).toContain('包裹');
  expect(reply.html).toContain('&lt;b&gt;包裹&lt;/b&gt;');
  expect(reply.text).toMatch(new RegExp(`Kefu-Ref: ${kase.number}-[0-9a-f]{8}`));
});
