/**
 * Several nodes behind a load balancer: two (then four) gateways share one real PostgreSQL
 * and one real Redis. A customer or agent connected to node B hears what node A commits,
 * promptly (the long re-check interval below means only Redis can wake them in time);
 * killing Redis stops neither node, and the fan-out resumes when it is back.
 */
import WebSocket from 'ws';
import { scheduleFollowUp } from '../../src/handoff/aftercare.js';
import * as store from '../../src/store/index.js';
import { addAgent, loginAs } from '../support/agents.js';
import { http, startGateway, type RunningGateway } from '../support/gateway.js';
import { requirePostgres, startPostgres, type PgServer } from '../support/postgres.js';
import { startRedis, type RedisServer } from '../support/redis.js';

let pg: PgServer | null = null;
let redis: RedisServer | null = null;
let databaseUrl = '';
let a: RunningGateway | undefined;
let b: RunningGateway | undefined;

/** Far longer than any wait below: a reader woken in time was woken through Redis. */
const SLOW_RECHECK = '60000';
const PROMPT_MS = 3000;

const nodeEnv = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: databaseUrl, REDIS_URL: redis!.url, REDIS_RECHECK_MS: SLOW_RECHECK,
  // A zero first-response target: every hand-over breaches its SLA at once (one alert per case).
  SLA_FIRST_RESPONSE_MINUTES: 'critical:0,serious:0,general:0,none:0', SLA_CHECK_MS: '200', ...extra,
});

beforeAll(async () => {
  pg = await startPostgres();
  if (!requirePostgres(pg)) return;
  redis = await startRedis();
  if (!redis) return;
  databaseUrl = await pg.createDatabase('multinode');
  a = await startGateway(nodeEnv());
  b = await startGateway(nodeEnv());
  await addAgent(a.gateway, 'boss', 'supervisor');
  await addAgent(a.gateway, 'alice', 'agent');
}, 120_000);
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await redis?.stop();
  await pg?.stop();
});

async function until(what: string, predicate: () => boolean | Promise<boolean>, ms = PROMPT_MS): Promise<number> {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

async function session(node: RunningGateway): Promise<{ sessionId: string; token: string }> {
  const created = await http(`${node.url}/api/webchat/sessions`, { body: {} });
  expect(created.status).toBe(201);
  return created.json;
}

let sent = 0;
async function post(node: RunningGateway, s: { sessionId: string; token: string }, text: string): Promise<void> {
  const r = await http(`${node.url}/api/webchat/sessions/${s.sessionId}/messages`, { token: s.token, body: { text, clientMessageId: `m${++sent}` } });
  expect(r.status).toBe(202);
}

/** The widget's WebSocket on `node`: every message pushed, in order. */
async function widgetSocket(node: RunningGateway, s: { sessionId: string; token: string }) {
  const messages: Array<{ author: string; text: string }> = [];
  let ready = false;
  const ws = new WebSocket(`${node.url.replace('http', 'ws')}/api/webchat/sessions/${s.sessionId}/stream`);
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data));
    if (frame.type === 'ready') ready = true;
    if (frame.type === 'messages') messages.push(...frame.messages);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ type: 'auth', token: s.token, after: '0' }));
  await until('the stream is ready', () => ready);
  return { ws, messages, replies: () => messages.filter((m) => m.author !== 'customer') };
}

/** An agent console's live feed on `node`. */
async function consoleFeed(node: RunningGateway, username: string) {
  const frames: Array<Record<string, any>> = [];
  const ws = new WebSocket(`${node.url.replace('http', 'ws')}/api/console/stream`);
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.send(JSON.stringify({ type: 'auth', token: await loginAs(node.url, username) }));
  await until('the feed is ready', () => frames.some((f) => f.type === 'ready'));
  return { ws, frames };
}

/**
 * Runs `during` while a web chat thread's lock is held: inside a transaction on node A that
 * took it with the pipeline's own `lockThread`, held until that transaction commits.
 */
async function whileThreadLocked<T>(sessionId: string, during: () => Promise<T>): Promise<T> {
  return a!.gateway.db.kysely.transaction().execute(async (q) => {
    await store.lockThread(q, 'postgres', store.threadKeyOf('webchat', sessionId));
    return during();
  });
}

test('a customer whose WebSocket is on node B gets the reply to a message posted on node A', async () => {
  if (!a || !b) return;
  expect(a.gateway.db.dialect).toBe('postgres');
  expect((await http(`${b.url}/healthz`)).json).toEqual({ status: 'ok' });
  const s = await session(a);
  const socket = await widgetSocket(b, s);
  await post(a, s, '你好');
  const took = await until('the bot\'s reply reaches the socket on B', () => socket.replies().length > 0);
  expect(socket.messages[0]).toMatchObject({ author: 'customer', text: '你好' });
  expect(socket.replies()[0]).toMatchObject({ author: 'bot', text: expect.stringMatching(/欢迎/) });
  expect(took).toBeLessThan(PROMPT_MS);
  socket.ws.close();
});

test('a long-poll on node B wakes for a message committed on node A', async () => {
  if (!a || !b) return;
  const s = await session(a);
  const started = Date.now();
  const poll = http(`${b.url}/api/webchat/sessions/${s.sessionId}/messages?after=0&wait=25`, { token: s.token });
  await new Promise((r) => setTimeout(r, 300)); // the poll is waiting on B
  await post(a, s, '满多少包邮');
  const page = await poll;
  expect(page.status).toBe(200);
  expect(page.json.messages.length).toBeGreaterThan(0);
  expect(page.json.messages[0]).toMatchObject({ author: 'customer', text: '满多少包邮' });
  expect(Date.now() - started).toBeLessThan(300 + PROMPT_MS);
});

test('console feeds on both nodes see a change made on node A, and one SLA alert per case', async () => {
  if (!a || !b) return;
  const [bossOnA, bossOnB, aliceOnB] = await Promise.all([consoleFeed(a, 'boss'), consoleFeed(b, 'boss'), consoleFeed(b, 'alice')]);
  const s = await session(a);
  await post(a, s, '我要转人工');
  const conversation = await until('the conversation is stored', async () =>
    Boolean(await a!.gateway.db.kysely.selectFrom('conversations').select('id').where('thread_key', '=', s.sessionId).executeTakeFirst()));
  expect(conversation).toBeGreaterThanOrEqual(0);
  const { id } = await a.gateway.db.kysely.selectFrom('conversations').select('id').where('thread_key', '=', s.sessionId).executeTakeFirstOrThrow();
  // Committed on A, seen by an agent on B.
  await until('B\'s console hears of the conversation', () => aliceOnB.frames.some((f) => f.type === 'changed' && f.conversationId === id));
  // Both nodes look for breaches; one flags the case and alerts every supervisor once, whichever node they are on.
  const alerts = (feed: { frames: Array<Record<string, any>> }) => feed.frames.filter((f) => f.type === 'sla_breach' && f.conversationId === id);
  await until('both supervisors are alerted', () => alerts(bossOnA).length > 0 && alerts(bossOnB).length > 0, 10_000);
  await new Promise((r) => setTimeout(r, 1000)); // more watcher rounds on both nodes, and any echo
  expect(alerts(bossOnA)).toHaveLength(1);
  expect(alerts(bossOnB)).toHaveLength(1);
  expect(aliceOnB.frames.filter((f) => f.type === 'sla_breach')).toHaveLength(0); // supervisors only
  for (const feed of [bossOnA, bossOnB, aliceOnB]) feed.ws.close();
}, 30_000);

test('an agent\'s reply on node B waits while node A holds the thread\'s lock, so the thread\'s rows commit in order', async () => {
  if (!a || !b) return;
  const s = await session(a);
  await post(a, s, '我要转人工');
  await until('the conversation is queued', async () => (await a!.gateway.db.kysely.selectFrom('conversations').select('status')
    .where('thread_key', '=', s.sessionId).executeTakeFirst())?.status === 'queued');
  const { id } = await a.gateway.db.kysely.selectFrom('conversations').select('id').where('thread_key', '=', s.sessionId).executeTakeFirstOrThrow();
  const alice = await loginAs(b.url, 'alice');
  expect((await http(`${b.url}/api/conversations/${id}/claim`, { token: alice, body: {} })).status).toBe(200);

  // Node A in the middle of a write to this thread: the pipeline's transaction holds the
  // thread's lock until it commits.
  let answered = false;
  const { reply } = await whileThreadLocked(s.sessionId, async () => {
    const pending = http(`${b!.url}/api/conversations/${id}/messages`, { token: alice, body: { text: '您好，我是客服小李' } })
      .then((r) => { answered = true; return r; });
    await new Promise((r) => setTimeout(r, 600));
    expect(answered).toBe(false);
    return { reply: pending }; // not awaited here: it can only finish once the lock is released
  });
  expect((await reply).status).toBe(202);
  const texts = await b.gateway.db.kysely.selectFrom('messages').select('text').where('conversation_id', '=', id).orderBy('seq').execute();
  expect(texts.map((m) => m.text)).toContain('您好，我是客服小李');
}, 30_000);

test('a due follow-up run by both nodes at once waits for the thread\'s lock and is said once', async () => {
  if (!a || !b) return;
  const s = await session(a);
  const socket = await widgetSocket(b, s);
  await post(a, s, '你好');
  await until('the bot answered', () => socket.replies().length === 1);
  const conversation = (await store.findOpenConversation(a.gateway.db.kysely, 'webchat', s.sessionId))!;
  await a.gateway.db.write((q) => scheduleFollowUp(q, conversation, 'call the customer back', Date.now() - 1000, Date.now()));

  let ran = 0;
  const runs = await whileThreadLocked(s.sessionId, async () => {
    const started = [a!, b!].map((node) => node.gateway.workspace.runDueFollowUps().then(() => void ran++));
    await new Promise((r) => setTimeout(r, 600));
    expect(ran).toBe(0);
    return started;
  });
  await Promise.all(runs);
  const rows = await a.gateway.db.kysely.selectFrom('follow_ups').select('status').where('conversation_id', '=', conversation.id).execute();
  expect(rows.map((r) => r.status)).toEqual(['done']);
  await until('the follow-up reaches the socket', () => socket.replies().length === 2);
  await new Promise((r) => setTimeout(r, 300));
  expect(socket.replies()).toHaveLength(2);
  socket.ws.close();
}, 30_000);

test('killing Redis stops no node, nor does starting without it; readers re-read while it is down and fan-out resumes when it is back', async () => {
  if (!a || !b || !redis) return;
  // A third node that re-reads often while Redis is down.
  const c = await startGateway(nodeEnv({ REDIS_RECHECK_MS: '300' }));
  let d: RunningGateway | undefined;
  try {
    const s = await session(a);
    const onB = await widgetSocket(b, s);
    const onC = await widgetSocket(c, s);
    await post(a, s, '你好');
    await until('B and C hear the first reply', () => onB.replies().length === 1 && onC.replies().length === 1);

    await redis.kill();
    for (const node of [a, b, c]) {
      await until('health says redis is down', async () => (await http(`${node.url}/healthz`)).json?.redis === 'down', 10_000);
    }
    expect((await http(`${a.url}/healthz`)).json).toEqual({ status: 'degraded', redis: 'down' });
    // A still answers; C (quick re-check) sees it while Redis is down; B (slow re-check) does not yet.
    await post(a, s, '运费怎么收');
    await until('C re-reads while Redis is down', () => onC.replies().length === 2, 5000);
    expect(onB.replies()).toHaveLength(1);
    // A node started while Redis is down starts anyway (degraded) and links up later.
    d = await startGateway(nodeEnv());
    expect((await http(`${d.url}/healthz`)).json).toEqual({ status: 'degraded', redis: 'down' });
    const onD = await widgetSocket(d, s);
    await until('D reads what is there', () => onD.replies().length === 2);

    await redis.start();
    for (const node of [a, b, c, d]) {
      await until('health is ok again', async () => (await http(`${node.url}/healthz`)).json?.status === 'ok', 15_000);
    }
    // B read again when it was subscribed again: the reply committed during the outage.
    await until('B catches up after the outage', () => onB.replies().length === 2);
    // And new messages fan out promptly again.
    await post(a, s, '怎么退货');
    await until('B hears the next reply', () => onB.replies().length === 3);
    await until('C hears the next reply', () => onC.replies().length === 3);
    await until('D hears the next reply', () => onD.replies().length === 3);
    expect(onB.replies().map((m) => m.text)).toEqual(onC.replies().map((m) => m.text));
    expect(onD.replies().map((m) => m.text)).toEqual(onC.replies().map((m) => m.text));
    for (const socket of [onB, onC, onD]) socket.ws.close();
  } finally {
    await d?.stop();
    await c.stop();
  }
}, 90_000);
