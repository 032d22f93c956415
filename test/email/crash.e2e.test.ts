/**
 * Exactly once across crashes: 30 mails wait in Dovecot; a real gateway process (built, from
 * dist/) is killed with SIGKILL twice while it works through them. After the last restart
 * every mail is stored once, decided once and acknowledged once (a mail re-sent after a kill
 * inside the SMTP exchange keeps its Message-ID, so the customer's client shows it once).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/storage/db.js';
import { dovecotSkipped, startDovecot, type Dovecot } from '../support/dovecot.js';

/** Dovecot missing fails loudly (startDovecot throws) unless KEFU_SKIP_DOVECOT=1. */
const it = dovecotSkipped ? test.skip : test;
import { startSmtpRecorder, type SmtpRecorder } from '../support/smtp-recorder.js';
import { appendMails, buildMail, imapClient, inboundCount, settle, until } from './support.js';

const child = join(process.cwd(), 'dist/test/email/crash-gateway.js');
const dataDir = mkdtempSync(join(tmpdir(), 'kefu-mail-crash-'));
let dovecot: Dovecot;
let smtp: SmtpRecorder;
let db: Db;

beforeAll(async () => {
  if (dovecotSkipped) return;
  if (!existsSync(child)) throw new Error(`${child} is missing: run \`npm run build\` first (npm test does)`);
  dovecot = await startDovecot();
  smtp = await startSmtpRecorder();
}, 30_000);
afterAll(async () => {
  await db?.close();
  await smtp?.close();
  await dovecot?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function launch(): { proc: ChildProcess; exited: Promise<number | null>; listening: Promise<void> } {
  const proc = spawn(process.execPath, [child], {
    env: {
      ...process.env, DATA_DIR: dataDir, IMAP_URL: dovecot.url, SMTP_URL: smtp.url, MAIL_FROM: 'support@example.test',
      IMAP_POLL_MS: '1000', OUTBOX_POLL_MS: '100', OUTBOX_LEASE_MS: '500', MAIL_TEST_DELAY_MS: '40',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const listening = new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('LISTENING')) resolve();
    });
    proc.on('exit', () => reject(new Error('child exited before listening')));
  });
  return { proc, exited, listening };
}

async function killWhenStored(atLeast: number): Promise<void> {
  const gw = launch();
  await gw.listening;
  db ??= openDb({ dataDir });
  await until(async () => (await inboundCount(db)) >= atLeast, 30_000, `${atLeast} stored mails`);
  gw.proc.kill('SIGKILL');
  expect(await gw.exited).toBe(null);
}

it('killed twice mid-batch, each of 30 mails is stored once and acknowledged once', async () => {
  const ids = Array.from({ length: 30 }, (_, i) => `batch-${i}@customer.test`);
  await appendMails(dovecot, ids.map((id, i) => buildMail({ messageId: id, from: `c${i}@customer.test`, subject: `问题 ${i}`, body: `第 ${i} 封邮件：我的订单有问题。` })));

  await killWhenStored(6);
  const afterFirst = await inboundCount(db);
  expect(afterFirst).toBeLessThan(30);
  await killWhenStored(afterFirst + 6);
  expect(await inboundCount(db)).toBeLessThan(30);

  const gw = launch();
  await gw.listening;
  await until(async () => (await inboundCount(db)) === 30, 30_000, '30 stored mails');
  await until(async () => new Set(smtp.mails.map((m) => m.inReplyTo)).size === 30 || undefined, 30_000, '30 acknowledgements');
  await settle(1500);
  gw.proc.kill('SIGTERM');
  await gw.exited;

  const stored = await db.kysely.selectFrom('messages').select('channel_message_id').where('direction', '=', 'in').execute();
  expect(stored.map((m) => m.channel_message_id).sort()).toEqual([...ids].sort());
  const decisions = await db.kysely.withTables<{ email_auto_replies: { inbound_id: string; decision: string } }>()
    .selectFrom('email_auto_replies').select('decision').execute();
  expect(decisions.map((d) => d.decision)).toEqual(Array(30).fill('ack'));
  const outbox = await db.kysely.selectFrom('outbox').innerJoin('messages', 'messages.id', 'outbox.message_id')
    .select(['outbox.status', 'messages.author_kind']).where('messages.meta', 'not like', '%notMailed%').execute();
  expect(outbox).toHaveLength(30);
  expect(outbox.every((o) => o.status === 'sent')).toBe(true);
  // One acknowledgement per mail: a repeat is only ever the same mail again (same Message-ID).
  const byParent = new Map<string, Set<string>>();
  for (const m of smtp.mails) byParent.set(m.inReplyTo, (byParent.get(m.inReplyTo) ?? new Set()).add(m.messageId));
  expect([...byParent.keys()].sort()).toEqual(ids.map((id) => `<${id}>`).sort());
  expect([...byParent.values()].every((s) => s.size === 1)).toBe(true);
  const client = await imapClient(dovecot);
  await client.mailboxOpen('INBOX');
  expect(await client.search({ seen: false }, { uid: true })).toEqual([]);
  await client.logout();
}, 120_000);
