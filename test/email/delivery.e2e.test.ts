/**
 * Delivery against real servers: SMTP refusals answered on the wire by the recorder (4xx
 * retried by the outbox with backoff and delivered once, 5xx dead), bounces, and replies to
 * closed cases. Dovecot for IMAP; the bounce and closed-case tests (threading, the
 * suppression list, case lifecycle) run on SQLite and on a real PostgreSQL server.
 */
import { connect } from 'node:net';
import { setCaseStatus } from '../../src/handoff/case-status.js';
import { DEFAULT_SLA } from '../../src/handoff/sla.js';
import { transition } from '../../src/handoff/takeover.js';
import type { Db } from '../../src/storage/db.js';
import * as store from '../../src/store/index.js';
import { dovecotSkipped } from '../support/dovecot.js';
import { requirePostgres, startPostgres, type PgServer } from '../support/postgres.js';
import { buildBounce, buildMail, decisionOf, settle, startMailStack, storedMail, until, type MailStack } from './support.js';

/** Missing Dovecot or PostgreSQL fails loudly unless KEFU_SKIP_DOVECOT=1 / KEFU_SKIP_PG=1 says skipping is intended. */
const runsOn = (dialect: 'sqlite' | 'postgres') => (dovecotSkipped || (dialect === 'postgres' && process.env.KEFU_SKIP_PG === '1') ? test.skip : test);

let stack: MailStack;

/** The outbox entry of the automatic reply queued for a conversation. */
async function autoReplyEntry(db: Db, conversationId: string) {
  return db.kysely.selectFrom('outbox').select(['status', 'attempts', 'last_error'])
    .where('conversation_id', '=', conversationId).where('payload', 'like', '%"auto":true%').executeTakeFirst();
}

/** One SMTP exchange over a raw socket: the server's reply line to each command. */
async function smtpDialogue(url: string, commands: string[]): Promise<string[]> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let buffer = '';
  const lines: string[] = [];
  socket.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (/^\d{3} /.test(line)) lines.push(line); // the last line of a (multi-line) reply
    }
  });
  const replies = async (n: number) => until(async () => lines.length >= n, 5000, `${n} SMTP replies`);
  await replies(1); // the greeting
  for (const [i, command] of commands.entries()) {
    socket.write(`${command}\r\n`);
    await replies(i + 2);
  }
  socket.end();
  return lines.slice(1);
}

type Tables = { email_suppressions: { address: string; status: string; case_number: string | null } };
const suppression = (db: Db, address: string) =>
  db.kysely.withTables<Tables>().selectFrom('email_suppressions').select(['status', 'case_number']).where('address', '=', address).executeTakeFirst();
const caseEvents = async (db: Db, number: string) => (await db.kysely.selectFrom('case_events').innerJoin('cases', 'cases.id', 'case_events.case_id')
  .select(['case_events.kind', 'case_events.detail']).where('cases.number', '=', number).orderBy('case_events.seq').execute())
  .map((e) => ({ kind: e.kind, detail: JSON.parse(e.detail) as Record<string, unknown> }));
const mailsTo = (address: string) => stack.smtp.mails.filter((m) => m.envelope.to.includes(address));
const ackTo = (address: string) => until(async () => mailsTo(address)[0], 10_000, `the acknowledgement to ${address}`);
const caseOfMail = async (messageId: string) => (await store.getCaseByConversation(stack.gw.gateway.db.kysely, (await storedMail(stack.gw.gateway.db, messageId))!.conversationId))!;

describe.each(['sqlite', 'postgres'] as const)('on %s', (dialect) => {
  const it = runsOn(dialect);
  let pg: PgServer | null = null;
  beforeAll(async () => {
    if (it === test.skip) return;
    if (dialect === 'postgres') {
      pg = await startPostgres();
      if (!requirePostgres(pg)) return;
    }
    stack = await startMailStack({ gatewayEnv: pg ? { DATABASE_URL: await pg.createDatabase('email_delivery') } : {} });
    expect(stack.gw.gateway.db.dialect).toBe(dialect);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await pg?.stop();
  });

  // The outbox's retry rules are the same on both databases: the SMTP exchanges run once.
  if (dialect === 'sqlite') {
    it('the recorder refuses on the wire: 550 at RCPT, 451 and 550 at DATA', async () => {
      const { smtp } = stack;
      const body = 'Subject: wire\r\nMessage-ID: <wire@customer.test>\r\n\r\nhello\r\n.';
      smtp.failNext(550, 1, 'rcpt');
      smtp.failNext(451);
      smtp.failNext(550);
      const replies = await smtpDialogue(smtp.url, [
        'EHLO test', 'MAIL FROM:<a@customer.test>', 'RCPT TO:<c@example.test>', 'RCPT TO:<b@example.test>', 'DATA', body,
        'MAIL FROM:<a@customer.test>', 'RCPT TO:<b@example.test>', 'DATA', body, 'QUIT',
      ]);
      expect(replies.map((r) => r.slice(0, 3))).toEqual(['250', '250', '550', '250', '354', '451', '250', '250', '354', '550', '221']);
      expect(smtp.mails.some((m) => m.messageId === '<wire@customer.test>')).toBe(false);
      smtp.attempts.length = 0;
    });

    it('SMTP 4xx is retried with backoff and the acknowledgement is delivered exactly once', async () => {
      const { smtp, gw } = stack;
      smtp.failNext(451, 2);
      await stack.deliver(buildMail({ messageId: 'retry@customer.test', from: 'Wang <wang@customer.test>', subject: '发票问题', body: '我的发票还没开。' }));
      const stored = (await storedMail(gw.gateway.db, 'retry@customer.test'))!;
      await until(async () => (await autoReplyEntry(gw.gateway.db, stored.conversationId))?.status === 'sent', 20_000, 'the acknowledgement sent');
      const entry = (await autoReplyEntry(gw.gateway.db, stored.conversationId))!;
      expect(entry).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
      const tries = smtp.attempts.filter((a) => a.to.includes('wang@customer.test'));
      expect(tries.map((a) => a.code)).toEqual([451, 451, 250]);
      // The same mail each time (our Message-ID is derived from the stored message).
      expect(new Set(tries.map((a) => a.messageId)).size).toBe(1);
      // Backoff: about 1 s, then about 2 s (±20 % jitter).
      expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(750);
      expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(1500);
      await settle(1500);
      expect(smtp.mails.filter((m) => m.envelope.to.includes('wang@customer.test'))).toHaveLength(1);
      expect(smtp.attempts.filter((a) => a.to.includes('wang@customer.test'))).toHaveLength(3);
    }, 30_000);

    it('SMTP 5xx is final: the acknowledgement lands in the dead-letter state and is not retried', async () => {
      const { smtp, gw } = stack;
      smtp.failNext(550, 1, 'rcpt');
      await stack.deliver(buildMail({ messageId: 'dead@customer.test', from: 'Zhao <zhao@customer.test>', subject: '退款', body: '请退款。' }));
      const stored = (await storedMail(gw.gateway.db, 'dead@customer.test'))!;
      await until(async () => (await autoReplyEntry(gw.gateway.db, stored.conversationId))?.status === 'dead', 10_000, 'the acknowledgement dead');
      const entry = (await autoReplyEntry(gw.gateway.db, stored.conversationId))!;
      expect(entry.attempts).toBe(1);
      expect(entry.last_error).toMatch(/^smtp: 550 /);
      await settle(2500);
      expect(smtp.attempts.filter((a) => a.to.includes('zhao@customer.test')).map((a) => a.code)).toEqual([550]);
      expect(smtp.mails.filter((m) => m.envelope.to.includes('zhao@customer.test'))).toHaveLength(0);
    }, 30_000);
  }

  it('a hard bounce of our mail is recorded on its case, never answered, and stops automatic mail to that address', async () => {
    const { db } = stack.gw.gateway;
    await stack.deliver(buildMail({ messageId: 'hb-1@customer.test', from: 'Sun <sun@customer.test>', subject: '椅子坏了', body: '椅子腿断了。' }));
    const ack = await ackTo('sun@customer.test');
    const kase = await caseOfMail('hb-1@customer.test');
    await stack.deliver(buildBounce({ id: 'hb-dsn@mx.customer.test', original: ack.messageId, recipient: 'sun@customer.test', action: 'failed', status: '5.1.1' }));
    const bounce = (await storedMail(db, 'hb-dsn@mx.customer.test'))!;
    expect(bounce.conversationId).toBe((await storedMail(db, 'hb-1@customer.test'))!.conversationId);
    expect(bounce.kind).toBe('event');
    expect(JSON.parse(bounce.meta)).toMatchObject({ event: 'bounce', key: 'bounce' });
    expect(await decisionOf(db, 'hb-dsn@mx.customer.test')).toBe('none:bounce');
    expect(await caseEvents(db, kase.number)).toContainEqual({ kind: 'bounce', detail: expect.objectContaining({ status: '5.1.1', ofOurMail: true, suppressed: ['sun@customer.test'] }) });
    expect(await suppression(db, 'sun@customer.test')).toEqual({ status: '5.1.1', case_number: kase.number });

    // The same address writes again: its own case, no acknowledgement.
    await stack.deliver(buildMail({ messageId: 'hb-2@customer.test', from: 'sun@customer.test', subject: '桌子也坏了', body: '桌子腿也断了。' }));
    expect((await caseOfMail('hb-2@customer.test')).number).not.toBe(kase.number);
    expect(await decisionOf(db, 'hb-2@customer.test')).toBe('none:suppressed');
    await settle(1000);
    expect(mailsTo('sun@customer.test')).toHaveLength(1);
  }, 30_000);

  it('a delay notice and a bounce naming a Message-ID that is not ours suppress nobody', async () => {
    const { db } = stack.gw.gateway;
    await stack.deliver(buildMail({ messageId: 'sb-1@customer.test', from: 'qian@customer.test', subject: '物流太慢', body: '快递三天没动了。' }));
    const ack = await ackTo('qian@customer.test');
    await stack.deliver(
      buildBounce({ id: 'sb-delay@mx.customer.test', original: ack.messageId, recipient: 'qian@customer.test', action: 'delayed', status: '4.4.1' }),
      buildBounce({ id: 'sb-forged@mx.other.test', original: '<someone-else@other.test>', recipient: 'qian@customer.test', action: 'failed', status: '5.1.1' }),
    );
    expect(await decisionOf(db, 'sb-delay@mx.customer.test')).toBe('none:bounce');
    expect(await decisionOf(db, 'sb-forged@mx.other.test')).toBe('none:bounce');
    expect(await suppression(db, 'qian@customer.test')).toBeUndefined();
    await stack.deliver(buildMail({ messageId: 'sb-2@customer.test', from: 'qian@customer.test', subject: '另一个订单', body: '另一个订单也没到。' }));
    expect(await decisionOf(db, 'sb-2@customer.test')).toBe('ack');
    await until(async () => mailsTo('qian@customer.test').length === 2, 10_000, 'a second acknowledgement');
  }, 30_000);

  it("a mail system's plain-text bounce (no delivery-status part) is a bounce too", async () => {
    const { db } = stack.gw.gateway;
    await stack.deliver(buildMail({ messageId: 'pb-1@customer.test', from: 'li.si@customer.test', subject: '发票抬头错了', body: '请重开发票。' }));
    const ack = await ackTo('li.si@customer.test');
    const notice = [
      'Hi. This is the qmail-send program at mx.customer.test.', "I'm afraid I wasn't able to deliver your message to the following addresses.",
      'This is a permanent error; I\'ve given up. Sorry it didn\'t work out.', '', '<li.si@customer.test>:', 'Remote host said: 550 5.1.1 mailbox unknown', '',
      '--- Below this line is a copy of the message.', '', `Message-ID: ${ack.messageId}`, 'Subject: Re: 发票抬头错了', '', '您好',
    ].join('\n');
    await stack.deliver(buildMail({ messageId: 'pb-notice@mx.customer.test', from: 'MAILER-DAEMON@mx.customer.test', subject: 'failure notice', body: notice }));
    const bounce = (await storedMail(db, 'pb-notice@mx.customer.test'))!;
    expect(bounce.conversationId).toBe((await storedMail(db, 'pb-1@customer.test'))!.conversationId);
    expect(JSON.parse(bounce.meta)).toMatchObject({ event: 'bounce' });
    expect(await suppression(db, 'li.si@customer.test')).toMatchObject({ status: '5.1.1' });
  }, 30_000);

  it('a reply to a resolved case reopens it for a person; after the case is closed, a reply opens a follow-up case', async () => {
    const { db } = stack.gw.gateway;
    const closeConversation = (conversationId: string) => db.write((q) =>
      transition({ q, sla: DEFAULT_SLA, actor: null, now: Date.now() }, conversationId, { kind: 'close', resolution: 'answered' }));
    await stack.deliver(buildMail({ messageId: 'ro-1@customer.test', from: 'zhou@customer.test', subject: '屏幕有坏点', body: '新买的显示器有两个坏点。' }));
    const ack = await ackTo('zhou@customer.test');
    const first = (await storedMail(db, 'ro-1@customer.test'))!;
    const kase = await caseOfMail('ro-1@customer.test');
    await closeConversation(first.conversationId);
    expect((await store.getCaseByNumber(db.kysely, kase.number))!.status).toBe('resolved');

    // The customer answers the acknowledgement: same thread, the case is back in progress, waiting for a person.
    await stack.deliver(buildMail({ messageId: 'ro-2@customer.test', from: 'zhou@customer.test', subject: `Re: 屏幕有坏点 [#${kase.number}]`, inReplyTo: ack.messageId, body: '还是有坏点，换货吧。' }));
    const second = (await storedMail(db, 'ro-2@customer.test'))!;
    expect(second.threadKey).toBe(first.threadKey);
    expect(second.conversationId).not.toBe(first.conversationId);
    const reopened = (await store.getCaseByNumber(db.kysely, kase.number))!;
    expect(reopened).toMatchObject({ status: 'in_progress', conversationId: second.conversationId });
    expect((await store.getConversation(db.kysely, second.conversationId))!.status).toBe('queued');
    expect((await caseEvents(db, kase.number)).map((e) => e.kind)).toEqual(expect.arrayContaining(['status:in_progress', 'reopened']));
    expect(await decisionOf(db, 'ro-2@customer.test')).toBe('none:once-per-case');

    // Resolved again, then accepted by the customer (closed: final). The next reply is a new request, linked to the old one.
    await closeConversation(second.conversationId);
    await db.write((q) => setCaseStatus(q, kase.number, 'closed', null, 'accepted', Date.now()));
    await stack.deliver(buildMail({ messageId: 'ro-3@customer.test', from: 'zhou@customer.test', subject: `Re: 屏幕有坏点 [#${kase.number}]`, references: `<ro-1@customer.test> ${ack.messageId}`, body: '换来的这台也有坏点。' }));
    const third = (await storedMail(db, 'ro-3@customer.test'))!;
    expect(third.threadKey).toBe(first.threadKey);
    const followUp = await caseOfMail('ro-3@customer.test');
    expect(followUp.number).not.toBe(kase.number);
    expect(followUp.subject).toBe(kase.subject);
    expect((await store.getCaseByNumber(db.kysely, kase.number))!.status).toBe('closed');
    expect(await caseEvents(db, followUp.number)).toContainEqual({ kind: 'opened', detail: { followUpOf: kase.number } });
    expect(await caseEvents(db, kase.number)).toContainEqual({ kind: 'follow_up', detail: { case: followUp.number } });
    const mails = await until(async () => mailsTo('zhou@customer.test').length === 2 && mailsTo('zhou@customer.test'), 10_000, 'the follow-up acknowledgement');
    expect(mails[1]!.subject).toContain(`[#${followUp.number}]`);
    expect(mails[1]!.inReplyTo).toBe('<ro-3@customer.test>');
  }, 30_000);
});
