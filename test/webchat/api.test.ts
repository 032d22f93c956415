/** The web chat API over real HTTP and WebSocket against a started gateway (SQLite). */
import WebSocket from 'ws';
import { MAX_IN_FLIGHT } from '../../channels/webchat/stream.js';
import { threadTopic, type ThreadAppend } from '../../src/pipeline/hub.js';
import * as store from '../../src/store/index.js';
import { http, startGateway, type RunningGateway } from '../support/gateway.js';
import { authedStream } from '../support/webchat-stream.js';

let running: RunningGateway;
let url: string;

beforeAll(async () => {
  running = await startGateway();
  url = running.url;
});
afterAll(async () => {
  await running.stop();
});

async function session() {
  const r = await http(`${url}/api/webchat/sessions`, { body: {} });
  expect(r.status).toBe(201);
  expect(r.json).toEqual({ sessionId: expect.any(String), token: expect.any(String) });
  return r.json as { sessionId: string; token: string };
}

const countMessages = async () => Number((await running.gateway.db.kysely.selectFrom('messages')
  .select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

test('a message is accepted once per clientMessageId and answered', async () => {
  const s = await session();
  const first = await http(`${url}/api/webchat/sessions/${s.sessionId}/messages`, { token: s.token, body: { text: '你好', clientMessageId: 'c-1' } });
  expect(first.status).toBe(202);
  const again = await http(`${url}/api/webchat/sessions/${s.sessionId}/messages`, { token: s.token, body: { text: '你好', clientMessageId: 'c-1' } });
  expect(again.status).toBe(202);
  expect(again.json.messageId).toBe(first.json.messageId);
  const page = await http(`${url}/api/webchat/sessions/${s.sessionId}/messages?wait=5`, { token: s.token });
  expect(page.status).toBe(200);
  await running.gateway.pipeline.idle();
  const all = await http(`${url}/api/webchat/sessions/${s.sessionId}/messages?after=0`, { token: s.token });
  expect(all.json.messages.map((m: { author: string }) => m.author)).toEqual(['customer', 'bot']);
  expect(all.json.messages[0]).toEqual({ id: first.json.messageId, author: 'customer', text: '你好', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  // The cursor moves past what was read: nothing new after it.
  const after = await http(`${url}/api/webchat/sessions/${s.sessionId}/messages?after=${all.json.cursor}`, { token: s.token });
  expect(after.json).toEqual({ messages: [], cursor: all.json.cursor });
  // The widget reads the stored reply: nothing for the outbox to send, so nothing queued there.
  const queued = await running.gateway.db.kysely.selectFrom('outbox').select('id').where('message_id', '=', all.json.messages[1].id).execute();
  expect(queued).toEqual([]);
});

test('the same clientMessageId sent twice at the same moment is stored and answered once', async () => {
  const s = await session();
  const send = () => http(`${url}/api/webchat/sessions/${s.sessionId}/messages`, { token: s.token, body: { text: '运费怎么收', clientMessageId: 'dup' } });
  const [a, b, c] = await Promise.all([send(), send(), send()]);
  expect(new Set([a.json.messageId, b.json.messageId, c.json.messageId]).size).toBe(1);
  await running.gateway.pipeline.idle();
  const all = await http(`${url}/api/webchat/sessions/${s.sessionId}/messages`, { token: s.token });
  expect(all.json.messages.map((m: { author: string }) => m.author)).toEqual(['customer', 'bot']);
});

test('a message sent again after its conversation closed and a new one opened is stored and answered once', async () => {
  const s = await session();
  const send = (text: string, clientMessageId: string) => http(`${url}/api/webchat/sessions/${s.sessionId}/messages`, { token: s.token, body: { text, clientMessageId } });
  const first = await send('运费怎么收', 'old');
  await running.gateway.pipeline.idle();
  const { conversation_id } = await running.gateway.db.kysely.selectFrom('messages').select('conversation_id')
    .where('id', '=', first.json.messageId).executeTakeFirstOrThrow();
  await running.gateway.db.kysely.updateTable('conversations').set({ status: 'closed' }).where('id', '=', conversation_id).execute();
  await send('你好', 'new');
  await running.gateway.pipeline.idle();
  const stored = await countMessages();
  // Found by the insert, in the open conversation's transaction: the first copy's id, nothing stored or said.
  const again = await send('运费怎么收', 'old');
  expect(again.json.messageId).toBe(first.json.messageId);
  await running.gateway.pipeline.idle();
  expect(await countMessages()).toBe(stored);
  const all = await http(`${url}/api/webchat/sessions/${s.sessionId}/messages?after=0`, { token: s.token });
  expect(all.json.messages.map((m: { author: string }) => m.author)).toEqual(['customer', 'bot', 'customer', 'bot']);
});

test('a long-poll waits and wakes up when the reply lands', async () => {
  const s = await session();
  const started = Date.now();
  const poll = http(`${url}/api/webchat/sessions/${s.sessionId}/messages?after=0&wait=10`, { token: s.token });
  await new Promise((r) => setTimeout(r, 300));
  await http(`${url}/api/webchat/sessions/${s.sessionId}/messages`, { token: s.token, body: { text: 'hi', clientMessageId: 'w1' } });
  const page = await poll;
  expect(page.json.messages.length).toBeGreaterThan(0);
  expect(Date.now() - started).toBeLessThan(5000);
  const empty = await http(`${url}/api/webchat/sessions/${s.sessionId}/messages?after=999999999&wait=1`, { token: s.token });
  expect(empty.json.messages).toEqual([]);
});

test('one session can never read or write another session', async () => {
  const alice = await session();
  const mallory = await session();
  await http(`${url}/api/webchat/sessions/${alice.sessionId}/messages`, { token: alice.token, body: { text: '我的订单号是 123', clientMessageId: 'a1' } });
  const read = await http(`${url}/api/webchat/sessions/${alice.sessionId}/messages`, { token: mallory.token });
  expect(read.status).toBe(401);
  expect(read.json.error.code).toBe('unauthorized');
  const write = await http(`${url}/api/webchat/sessions/${alice.sessionId}/messages`, { token: mallory.token, body: { text: 'x', clientMessageId: 'm1' } });
  expect(write.status).toBe(401);
  const none = await http(`${url}/api/webchat/sessions/${alice.sessionId}/messages`);
  expect(none.status).toBe(401);
  const unknown = await http(`${url}/api/webchat/sessions/wc_nope/messages`, { token: alice.token });
  expect(unknown.status).toBe(401);
  // Mallory's own timeline holds none of Alice's words.
  const own = await http(`${url}/api/webchat/sessions/${mallory.sessionId}/messages`, { token: mallory.token });
  expect(JSON.stringify(own.json)).not.toContain('123');
});

describe('bad input gets a JSON error and stores nothing', () => {
  test.each([
    ['oversized body', { body: JSON.stringify({ text: 'x'.repeat(70_000), clientMessageId: 'big' }) }, 413, 'payload_too_large'],
    ['wrong content type', { body: 'text=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported_media_type'],
    ['invalid JSON', { body: '{"text":', headers: { 'content-type': 'application/json' } }, 400, 'invalid_json'],
    ['missing text', { body: { clientMessageId: 'x1' } }, 400, 'validation_failed'],
    ['empty text', { body: { text: '   ', clientMessageId: 'x2' } }, 400, 'validation_failed'],
    ['text over the limit', { body: { text: '长'.repeat(4001), clientMessageId: 'x3' } }, 400, 'validation_failed'],
    ['unknown field', { body: { text: 'hi', clientMessageId: 'x4', admin: true } }, 400, 'validation_failed'],
    ['only a NUL character', { body: { text: '\u0000', clientMessageId: 'x5' } }, 400, 'validation_failed'],
    ['bad clientMessageId', { body: { text: 'hi', clientMessageId: '<script>' } }, 400, 'validation_failed'],
  ])('%s', async (_name, init, status, code) => {
    const s = await session();
    const before = await countMessages();
    const r = await http(`${url}/api/webchat/sessions/${s.sessionId}/messages`, { token: s.token, ...(init as object) });
    expect(r.status).toBe(status);
    expect(r.json).toEqual({ error: { code, message: expect.any(String) } });
    expect(await countMessages()).toBe(before);
  });

  test('a bad cursor or wait is a 400', async () => {
    const s = await session();
    expect((await http(`${url}/api/webchat/sessions/${s.sessionId}/messages?after=abc`, { token: s.token })).status).toBe(400);
    expect((await http(`${url}/api/webchat/sessions/${s.sessionId}/messages?wait=31`, { token: s.token })).status).toBe(400);
  });

  test('an unknown route is a JSON 404', async () => {
    const r = await http(`${url}/api/nothing`);
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('not_found');
  });
});

test('the WebSocket stream delivers replies and a reconnecting client resumes from its cursor', async () => {
  const s = await session();
  const frames: any[] = [];
  const open = (after: string) => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/webchat/sessions/${s.sessionId}/stream`);
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'auth', token: s.token, after }));
      resolve(ws);
    });
    ws.on('error', reject);
  });
  const waitFor = async (predicate: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${JSON.stringify(frames)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const messagesSeen = () => frames.filter((f) => f.type === 'messages').flatMap((f) => f.messages);

  const ws = await open('0');
  await waitFor(() => frames.some((f) => f.type === 'ready'));
  ws.send(JSON.stringify({ type: 'message', text: '你好', clientMessageId: 'ws-1' }));
  await waitFor(() => messagesSeen().some((m) => m.author === 'bot'));
  const cursor = frames.filter((f) => f.type === 'messages').at(-1).cursor as string;
  ws.close();

  // While disconnected the customer writes over HTTP and the bot answers.
  await http(`${url}/api/webchat/sessions/${s.sessionId}/messages`, { token: s.token, body: { text: '运费怎么收？', clientMessageId: 'ws-2' } });
  await running.gateway.pipeline.idle();
  frames.length = 0;
  const again = await open(cursor);
  await waitFor(() => messagesSeen().length >= 2);
  expect(messagesSeen().map((m) => m.author)).toEqual(['customer', 'bot']);
  expect(messagesSeen()[0].text).toBe('运费怎么收？');
  again.close();

  // A wrong token closes the socket with 4401.
  const bad = new WebSocket(`${url.replace('http', 'ws')}/api/webchat/sessions/${s.sessionId}/stream`);
  const code = await new Promise<number>((resolve) => {
    bad.on('open', () => bad.send(JSON.stringify({ type: 'auth', token: 'wrong' })));
    bad.on('close', (c) => resolve(c));
  });
  expect(code).toBe(4401);
});

test('on the socket a message is acknowledged, a bad one refused with its id, and a resend stored once', async () => {
  const s = await session();
  const { ws, frames, waitFor } = await authedStream(url, s);

  ws.send('null');
  ws.send(JSON.stringify({ type: 'message', text: '   ', clientMessageId: 'sock-bad' }));
  ws.send(JSON.stringify({ type: 'message', text: '运费怎么收？', clientMessageId: 'sock-1' }));
  await waitFor(() => frames.some((f) => f.type === 'ack'));
  expect(frames.filter((f) => f.type === 'error')).toEqual([
    { type: 'error', error: { code: 'bad_request', message: 'unknown frame type' } },
    { type: 'error', error: { code: 'validation_failed', message: 'must not be empty' }, clientMessageId: 'sock-bad' },
  ]);
  const ack = frames.find((f) => f.type === 'ack');
  expect(ack).toEqual({ type: 'ack', clientMessageId: 'sock-1', messageId: expect.any(String) });

  // The widget resends by POST what it has no ack for: the same id is the same message.
  const resent = await http(`${url}/api/webchat/sessions/${s.sessionId}/messages`, { token: s.token, body: { text: '运费怎么收？', clientMessageId: 'sock-1' } });
  expect(resent.status).toBe(202);
  expect(resent.json.messageId).toBe(ack.messageId);
  await running.gateway.pipeline.idle();
  const page = await http(`${url}/api/webchat/sessions/${s.sessionId}/messages?after=0`, { token: s.token });
  expect(page.json.messages.filter((m: any) => m.author === 'customer').map((m: any) => m.text)).toEqual(['运费怎么收？']);
  ws.close();
});

test('one socket may have at most MAX_IN_FLIGHT messages awaiting their ack; the rest are refused, none lost', async () => {
  const s = await session();
  const { ws, frames, waitFor } = await authedStream(url, s);
  const burst = MAX_IN_FLIGHT * 3;
  for (let i = 0; i < burst; i++) ws.send(JSON.stringify({ type: 'message', text: `第${i}个问题：运费怎么收？`, clientMessageId: `burst-${i}` }));
  await waitFor(() => frames.filter((f) => f.type === 'ack' || f.type === 'error').length >= burst, 15_000);
  const acked = frames.filter((f) => f.type === 'ack').map((f) => f.clientMessageId);
  const refused = frames.filter((f) => f.type === 'error');
  expect(acked.length + refused.length).toBe(burst);
  expect(refused.length).toBeGreaterThan(0);
  expect(acked.length).toBeGreaterThanOrEqual(MAX_IN_FLIGHT);
  for (const f of refused) expect(f).toEqual({ type: 'error', error: { code: 'rate_limited', message: expect.any(String) }, clientMessageId: expect.stringMatching(/^burst-\d+$/) });
  await running.gateway.pipeline.idle();
  const stored = await running.gateway.db.kysely.selectFrom('messages').select('channel_message_id')
    .where('channel', '=', 'webchat').where('channel_message_id', 'like', `${s.sessionId}:burst-%`).execute();
  expect(stored.map((m) => m.channel_message_id!.split(':')[1]).sort()).toEqual([...acked].sort());
  ws.close();
}, 30_000);

// A commit's own rows go to the thread's live readers with its notification (hub.ts
// `ThreadAppend`): exactly the rows a read after the thread's previous last message returns,
// and never taken by a socket whose cursor is elsewhere (a row it has not seen in between).
const texts = (frames: any[]) => frames.filter((f) => f.type === 'messages').flatMap((f) => f.messages.map((m: any) => `${m.author}:${m.text}`));

test('each commit tells live readers its rows and where they continue from, as a read would return them', async () => {
  const s = await session();
  const { ws, frames, waitFor } = await authedStream(url, s);
  const appends: ThreadAppend[] = [];
  const unsubscribe = running.gateway.hub.subscribe(threadTopic('webchat', s.sessionId), (a) => void (a && appends.push(a)));

  const questions = ['你好', '运费怎么收？', '下单后多久能送到？'];
  for (const [i, text] of questions.entries()) {
    ws.send(JSON.stringify({ type: 'message', text, clientMessageId: `live-${i}` }));
    await waitFor(() => texts(frames).filter((t) => t.startsWith('bot:')).length > i);
  }
  unsubscribe();

  expect(appends).toHaveLength(questions.length);
  let after = 0;
  for (const [i, append] of appends.entries()) {
    // Each continues exactly where the one before ended: the socket needed no read.
    expect(append.after).toBe(after);
    const read = await store.listThreadMessagesAfter(running.gateway.db.kysely, 'webchat', s.sessionId, append.after, 50);
    const upTo = read.filter((m) => m.seq <= append.messages.at(-1)!.seq);
    expect(append.messages).toEqual(upTo);
    expect(append.messages.map((m) => m.authorKind)).toEqual(['customer', 'bot']);
    expect(append.messages[0]!.text).toBe(questions[i]);
    after = append.messages.at(-1)!.seq;
  }
  // The socket got every message once, in order.
  const stored = await store.listThreadMessagesAfter(running.gateway.db.kysely, 'webchat', s.sessionId, 0, 50);
  expect(texts(frames)).toEqual(stored.map((m) => `${m.authorKind}:${m.text}`));
  ws.close();
});

test('a row the socket has not seen, in an older conversation of the thread, is read, not skipped', async () => {
  const s = await session();
  const { ws, frames, waitFor } = await authedStream(url, s);
  ws.send(JSON.stringify({ type: 'message', text: '你好', clientMessageId: 'gap-1' }));
  await waitFor(() => texts(frames).some((t) => t.startsWith('bot:')));
  await running.gateway.pipeline.idle();

  // The first conversation ends; later a message lands in it without any notification (as
  // another node's, or a timer's, would reach this node late), while the customer writes on.
  const { db } = running.gateway;
  const first = await db.kysely.selectFrom('conversations').select('id').where('thread_key', '=', s.sessionId).executeTakeFirstOrThrow();
  await db.kysely.updateTable('conversations').set({ status: 'closed' }).where('id', '=', first.id).execute();
  ws.send(JSON.stringify({ type: 'message', text: '运费怎么收？', clientMessageId: 'gap-2' }));
  await waitFor(() => texts(frames).filter((t) => t.startsWith('bot:')).length >= 2);
  await running.gateway.pipeline.idle();
  await db.write((q) => store.insertOutbound(q, { conversationId: first.id, channel: 'webchat', authorKind: 'system', authorId: null, text: '请为本次服务评分', now: Date.now() }));

  const appends: ThreadAppend[] = [];
  const unsubscribe = running.gateway.hub.subscribe(threadTopic('webchat', s.sessionId), (a) => void (a && appends.push(a)));
  ws.send(JSON.stringify({ type: 'message', text: '下单后多久能送到？', clientMessageId: 'gap-3' }));
  await waitFor(() => texts(frames).filter((t) => t.startsWith('bot:')).length >= 3);
  unsubscribe();

  // The append starts after the unseen row (the thread's last, whichever conversation holds
  // it), so the socket, whose cursor is before it, read instead and got that row too.
  const unseen = (await store.listThreadMessagesAfter(db.kysely, 'webchat', s.sessionId, 0, 50)).find((m) => m.text === '请为本次服务评分')!;
  expect(appends[0]!.after).toBe(unseen.seq);
  await waitFor(() => texts(frames).includes('system:请为本次服务评分'));
  const stored = await store.listThreadMessagesAfter(db.kysely, 'webchat', s.sessionId, 0, 50);
  expect(texts(frames)).toEqual(stored.map((m) => `${m.authorKind}:${m.text}`));
  ws.close();
});

test('health and metrics', async () => {
  expect((await http(`${url}/healthz`)).json).toEqual({ status: 'ok' });
  const metrics = await http(`${url}/metrics`);
  expect(metrics.status).toBe(200);
  expect(metrics.text).toMatch(/kefu_messages_in_total\{channel="webchat"\} \d+/);
  expect(metrics.text).toMatch(/kefu_pipeline_latency_seconds_bucket/);
  expect(metrics.text).toMatch(/kefu_outbox_depth\{status="pending"\} \d+/);
});

test('health is 503 when the database is unreachable', async () => {
  const other = await startGateway();
  await other.gateway.db.close();
  const r = await http(`${other.url}/healthz`);
  expect(r.status).toBe(503);
  // The whole gateway, timers included (closing the database twice is harmless).
  await other.stop();
});
