/**
 * Nothing lost, nothing twice: a real gateway process is killed with SIGKILL after a message
 * was stored but before it was answered, and again inside a send; each restart answers what
 * was left and delivers every reply exactly once. Runs the built child (npm test builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/storage/db.js';
import { http } from '../support/gateway.js';

const child = join(process.cwd(), 'dist/test/fixtures/crash-gateway.js');
const dataDir = mkdtempSync(join(tmpdir(), 'kefu-crash-'));
const received: Array<{ to: string; text: string; messageId: string }> = [];
let recorder: Server;
let recorderUrl: string;

beforeAll(async () => {
  if (!existsSync(child)) throw new Error(`${child} is missing: run \`npm run build\` first (npm test does)`);
  recorder = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end('{}');
    });
  });
  await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
  const address = recorder.address() as { port: number };
  recorderUrl = `http://127.0.0.1:${address.port}/`;
});
afterAll(async () => {
  await new Promise((r) => recorder.close(r));
  rmSync(dataDir, { recursive: true, force: true });
});

async function launch(crashAt: string): Promise<{ proc: ChildProcess; url: string; exited: Promise<number | null> }> {
  const proc = spawn(process.execPath, [child], {
    env: { ...process.env, DATA_DIR: dataDir, RECORDER_URL: recorderUrl, CRASH_AT: crashAt, OUTBOX_LEASE_MS: '300', OUTBOX_POLL_MS: '100' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /LISTENING (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    proc.on('exit', () => reject(new Error('child exited before listening')));
  });
  return { proc, url, exited };
}

const until = async (predicate: () => boolean, ms = 8000) => {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(received)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

test('a process killed or failing at any step loses nothing and sends nothing twice', async () => {
  // 1. A normal message, then one whose answering kills the process mid-transaction:
  //    nothing of it is committed and the platform's retry is answered after the restart.
  let gw = await launch('dialog-kill');
  expect((await http(`${gw.url}/test/inbound`, { body: { id: 'm1', user: 'u1', text: '你好' } })).status).toBe(202);
  await until(() => received.length === 1);
  await http(`${gw.url}/test/inbound`, { body: { id: 'm2', user: 'u1', text: 'CRASH 运费怎么收' } }).catch(() => undefined);
  expect(await gw.exited).toBe(null); // killed by a signal
  gw = await launch('');
  const retried = await http(`${gw.url}/test/inbound`, { body: { id: 'm2', user: 'u1', text: 'CRASH 运费怎么收' } });
  expect(retried.json.duplicate).toBe(false);
  await until(() => received.length === 2);
  const again = await http(`${gw.url}/test/inbound`, { body: { id: 'm2', user: 'u1', text: 'CRASH 运费怎么收' } });
  expect(again.json.duplicate).toBe(true);
  gw.proc.kill('SIGTERM');
  await gw.exited;

  // 2. Answering fails: the message is stored anyway, then the process dies; the next
  //    start answers it.
  gw = await launch('dialog-error');
  expect((await http(`${gw.url}/test/inbound`, { body: { id: 'm3', user: 'u3', text: 'CRASH hello' } })).status).toBe(202);
  gw.proc.kill('SIGKILL');
  await gw.exited;
  expect(received).toHaveLength(2);
  gw = await launch('');
  await until(() => received.length === 3);
  gw.proc.kill('SIGTERM');
  await gw.exited;

  // 3. A crash inside the send: the reply is queued and leased, not delivered; once the
  //    lease expires after the restart it goes out, once.
  gw = await launch('send');
  await http(`${gw.url}/test/inbound`, { body: { id: 'm4', user: 'u2', text: 'hello' } }).catch(() => undefined);
  await gw.exited;
  expect(received).toHaveLength(3);
  gw = await launch('');
  await until(() => received.length === 4);
  await new Promise((r) => setTimeout(r, 800));
  gw.proc.kill('SIGTERM');
  await gw.exited;

  expect(received.map((r) => r.to)).toEqual(['u1', 'u1', 'u3', 'u2']);
  expect(new Set(received.map((r) => r.messageId)).size).toBe(4);
  const db = openDb({ dataDir });
  try {
    const unprocessed = await db.kysely.selectFrom('messages').select('id').where('direction', '=', 'in').where('processed_at', 'is', null).execute();
    expect(unprocessed).toEqual([]);
    const outbox = await db.kysely.selectFrom('outbox').select(['status']).execute();
    expect(outbox.map((o) => o.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const inbound = await db.kysely.selectFrom('messages').select('channel_message_id').where('direction', '=', 'in').orderBy('seq').execute();
    expect(inbound.map((m) => m.channel_message_id)).toEqual(['m1', 'm2', 'm3', 'm4']);
  } finally {
    await db.close();
  }
}, 90_000);
