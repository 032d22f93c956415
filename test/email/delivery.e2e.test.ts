/**
 * Delivery against real servers: SMTP refusals answered on the wire by the recorder (4xx
 * retried by the outbox with backoff and delivered once, 5xx dead), bounces, and replies to
 * closed cases. Dovecot for IMAP, the gateway's own database.
 */
import { connect } from 'node:net';
import type { Db } from '../../src/storage/db.js';
import { dovecotSkipped } from '../support/dovecot.js';
import { buildMail, settle, startMailStack, storedMail, until, type MailStack } from './support.js';

/** Dovecot missing fails loudly (startDovecot throws) unless KEFU_SKIP_DOVECOT=1. */
const it = dovecotSkipped ? test.skip : test;

let stack: MailStack;

beforeAll(async () => {
  if (dovecotSkipped) return;
  stack = await startMailStack();
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

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
