/** Conversation-level tests: whole exchanges through the real web chat API and pipeline. */
import { openChat } from '../support/conversation.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

let running: RunningGateway;

beforeAll(async () => {
  // Silence while queued is checked strictly: no queue-position message either.
  running = await startGateway({ QUEUE_POSITION_MESSAGE: 'false' });
});
afterAll(async () => {
  await running.stop();
});

test('the bot greets, then answers from the FAQ', async () => {
  const chat = await openChat(running.url);
  await chat.send('你好').expectReply(/欢迎光临/);
  await chat.send('下单以后一般几天能送到？').expectReply(/送到|送达|发货|出库/);
});

test('an English customer is answered in English', async () => {
  const chat = await openChat(running.url);
  await chat.send('Hello').expectReply(/welcome/i);
});

test('a question nobody can answer gets an invitation to say more, not a made-up answer', async () => {
  const chat = await openChat(running.url);
  await chat.send('你好').expectReply(/欢迎/);
  await chat.send('火星上的天气怎么样').expectReply(/具体描述|订单号/);
});

test('asking for a person queues the conversation and the bot falls silent', async () => {
  const chat = await openChat(running.url);
  await chat.send('你好').expectReply(/欢迎/);
  await chat.send('我要转人工').expectReply(/人工客服/);
  const conversation = await running.gateway.db.kysely.selectFrom('conversations').select(['status'])
    .where('thread_key', '=', chat.sessionId).executeTakeFirstOrThrow();
  expect(conversation.status).toBe('queued');
  await chat.send('还在吗？').expectReply(/./, 1200).then(
    () => { throw new Error('the bot answered a queued conversation'); },
    (error: Error) => expect(error.message).toMatch(/no reply/),
  );
});

test('messages of one conversation are answered in order, even when sent at once', async () => {
  const chat = await openChat(running.url);
  const texts = ['你好', '运费怎么算', '可以七天无理由退货吗', 'hello', '你好'];
  await Promise.all(texts.map((t) => chat.send(t).expectReply(/./).catch(() => undefined)));
  await running.gateway.pipeline.idle();
  await running.gateway.dispatcher.idle();
  const transcript = await chat.transcript();
  const customer = transcript.filter((m) => m.author === 'customer');
  expect(customer).toHaveLength(texts.length);
  expect(transcript.filter((m) => m.author === 'bot')).toHaveLength(texts.length);
  // Handled one at a time in arrival order: processing times follow the stored order.
  const rows = await running.gateway.db.kysely.selectFrom('messages').innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .select(['messages.seq', 'messages.processed_at']).where('conversations.thread_key', '=', chat.sessionId)
    .where('messages.direction', '=', 'in').orderBy('messages.seq').execute();
  const times = rows.map((r) => Number(r.processed_at));
  expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
});
