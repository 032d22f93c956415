/**
 * A commit's own rows go to the thread's live readers with its notification (hub.ts
 * `ThreadAppend`): exactly the rows a read after the thread's previous last message returns,
 * and never taken by a socket whose cursor is elsewhere (a row it has not seen in between).
 */
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

const session = async () => (await http(`${url}/api/webchat/sessions`, { body: {} })).json as { sessionId: string; token: string };
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
