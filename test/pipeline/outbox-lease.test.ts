/**
 * Two dispatchers (two nodes) on one database, a slow channel: node A's send hangs past its
 * lease, node B takes the entry over, then A's send returns. A is a stale holder now and
 * must change nothing: its late failure neither schedules a third send nor dead-letters what
 * B delivered, nor touches the entry while B still sends it. While A's send merely runs
 * long (A is alive), A renews its lease and B never takes the entry at all.
 * Real SQLite and a real PostgreSQL server (two connection pools, as two nodes have); the
 * channel is an in-process adapter whose sends wait until the test lets them return.
 * Node B's clock runs an hour ahead: it sees A's lease as expired, as it would after A's node
 * froze or lost the database for longer than the lease.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { ChannelAdapter, SendResult } from '../../channels/types.js';
import { Metrics } from '../../src/metrics.js';
import { OutboxDispatcher } from '../../src/pipeline/dispatcher.js';
import { MessageHub } from '../../src/pipeline/hub.js';
import { openDb, type Db } from '../../src/storage/db.js';
import * as store from '../../src/store/index.js';
import { usePostgres } from '../support/postgres.js';

const HOUR = 3_600_000;
const tmp = mkdtempSync(join(tmpdir(), 'kefu-lease-'));
let counter = 0;

/** Node A's and node B's database handles: one SQLite file, or two pools on one PostgreSQL database. */
type Nodes = { a: Db; b: Db; close: () => Promise<void> };
const backends: Array<{ name: string; open: () => Promise<Nodes> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const db = openDb({ dataDir: join(tmp, `s${counter++}`) });
      await db.migrate();
      return { a: db, b: db, close: () => db.close() };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const url = await pgServer()!.createDatabase(`lease_${counter++}`);
      const a = openDb({ databaseUrl: url, dataDir: tmp });
      await a.migrate();
      const b = openDb({ databaseUrl: url, dataDir: tmp });
      return { a, b, close: async () => { await a.close(); await b.close(); } };
    },
  },
];

const pgServer = usePostgres();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Sends still waiting for the test's answer: a failed test releases them so the dispatchers can stop. */
const unanswered = new Set<(r: SendResult) => void>();

/** A send the test answers later. */
function held(): { result: Promise<SendResult>; answer: (r: SendResult) => void } {
  let resolve!: (r: SendResult) => void;
  const result = new Promise<SendResult>((r) => (resolve = r));
  unanswered.add(resolve);
  return { result, answer: (r) => { unanswered.delete(resolve); resolve(r); } };
}

const until = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe.each(backends)('outbox leases on $name', (backend) => {
  let nodes: Nodes;
  /** Every send any node's channel was asked for, in order: `A:text`. */
  let sends: string[];
  const started: OutboxDispatcher[] = [];

  beforeEach(async () => {
    nodes = await backend.open();
    sends = [];
  });
  afterEach(async () => {
    for (const answer of unanswered) answer({ ok: false, retryable: false, error: 'test over' });
    unanswered.clear();
    for (const d of started.splice(0)) await d.stop();
    await nodes.close();
  });

  /** A node: its dispatcher, its channel answering `script` in turn, and what it logged. */
  function node(name: 'A' | 'B', script: Array<SendResult | Promise<SendResult>>, o: { clockAheadMs?: number; leaseMs?: number } = {}) {
    const logged: Array<{ msg: string }> = [];
    const sink = new Writable({ write(chunk, _enc, done) { logged.push(JSON.parse(String(chunk))); done(); } });
    const adapter: ChannelAdapter = {
      name: 'wechaty',
      capabilities: { maxTextLength: 2000, choices: false, passiveReplyWindowMs: 0, localDelivery: false },
      async send(_conversation, part) {
        sends.push(`${name}:${part.text}`);
        return (await script.shift()) ?? { ok: true };
      },
    };
    const clockAheadMs = o.clockAheadMs ?? 0;
    const dispatcher = new OutboxDispatcher(name === 'A' ? nodes.a : nodes.b, new Map([['wechaty', adapter]]), new MessageHub(), new Metrics(),
      pino({ level: 'info' }, sink), { maxAttempts: 8, pollMs: 60_000, leaseMs: o.leaseMs ?? 30_000, now: () => Date.now() + clockAheadMs });
    started.push(dispatcher);
    return { dispatcher, logged };
  }

  async function queued(text: string): Promise<{ conversationId: string; status: () => Promise<string | undefined> }> {
    const now = Date.now();
    const q = nodes.a.kysely;
    const { customerId } = await store.resolveIdentity(q, { channel: 'wechaty', externalId: `c${++counter}`, now });
    const conversation = await store.createConversation(q, { customerId, channel: 'wechaty', threadKey: `dm:c${counter}`, now });
    const out = await store.insertOutbound(q, { conversationId: conversation.id, channel: 'wechaty', authorKind: 'bot', authorId: null, text, now });
    await store.enqueueOutbox(q, { messageId: out.id, conversationId: conversation.id, channel: 'wechaty', payload: { messageId: out.id, text }, notBefore: now, now });
    return { conversationId: conversation.id, status: async () => (await store.getOutboxByMessage(nodes.b.kysely, out.id))?.status };
  }

  /** A claims and hangs in its send; B (clock an hour ahead) takes the entry over. */
  async function takenOverWhileASends(bScript: Array<SendResult | Promise<SendResult>>) {
    const slowA = held();
    const a = node('A', [slowA.result]);
    const b = node('B', bScript, { clockAheadMs: HOUR });
    const entry = await queued('hello');
    a.dispatcher.kick(entry.conversationId);
    await until(() => sends.length === 1);
    b.dispatcher.kick(entry.conversationId);
    await until(() => sends.length === 2);
    return { a, b, slowA, entry };
  }

  test('a late failure of a stale holder does not schedule another send of what the new holder delivered', async () => {
    const { a, b, slowA, entry } = await takenOverWhileASends([{ ok: true }]);
    await b.dispatcher.idle();
    expect(await entry.status()).toBe('sent');
    slowA.answer({ ok: false, retryable: true, error: 'HTTP 503' });
    await a.dispatcher.idle();
    expect(await entry.status()).toBe('sent');
    // B's clock is an hour ahead: any retry A had scheduled would be due for B at once.
    b.dispatcher.kick(entry.conversationId);
    await b.dispatcher.idle();
    expect(sends).toEqual(['A:hello', 'B:hello']);
    expect(a.logged.map((l) => l.msg)).toContain('outbox lease lost: the result of this send is not recorded');
  });

  test('a stale holder that gives up does not dead-letter what the new holder delivered', async () => {
    const { a, b, slowA, entry } = await takenOverWhileASends([{ ok: true }]);
    await b.dispatcher.idle();
    slowA.answer({ ok: false, retryable: false, error: 'HTTP 400' });
    await a.dispatcher.idle();
    expect(await entry.status()).toBe('sent');
  });

  test('a stale holder leaves the entry alone while the new holder still sends it', async () => {
    const slowB = held();
    const { a, b, slowA, entry } = await takenOverWhileASends([slowB.result]);
    slowA.answer({ ok: false, retryable: true, error: 'HTTP 503' });
    await a.dispatcher.idle();
    // Still B's: not made pending again (a third worker would send it a third time).
    expect(await entry.status()).toBe('sending');
    slowB.answer({ ok: true });
    await b.dispatcher.idle();
    expect(await entry.status()).toBe('sent');
    expect(sends).toEqual(['A:hello', 'B:hello']);
  });

  test('a stale holder whose send went through records it when nobody holds the entry any more', async () => {
    const { a, b, slowA, entry } = await takenOverWhileASends([{ ok: false, retryable: true, error: 'HTTP 503' }]);
    await b.dispatcher.idle();
    expect(await entry.status()).toBe('pending');
    slowA.answer({ ok: true });
    await a.dispatcher.idle();
    // Delivered by A: sending it again would be the duplicate.
    expect(await entry.status()).toBe('sent');
    b.dispatcher.kick(entry.conversationId);
    await b.dispatcher.idle();
    expect(sends).toEqual(['A:hello', 'B:hello']);
  });

  test('a live holder renews its lease: a send three leases long is not taken over', async () => {
    const slowA = held();
    const a = node('A', [slowA.result], { leaseMs: 150 });
    const b = node('B', [], { leaseMs: 150 });
    const entry = await queued('slow');
    a.dispatcher.kick(entry.conversationId);
    await until(() => sends.length === 1);
    const end = Date.now() + 450;
    while (Date.now() < end) {
      b.dispatcher.kick(entry.conversationId);
      await b.dispatcher.idle();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await entry.status()).toBe('sending');
    slowA.answer({ ok: true });
    await a.dispatcher.idle();
    expect(await entry.status()).toBe('sent');
    expect(sends).toEqual(['A:slow']);
  });
});
