/**
 * Praise through the whole pipeline on web chat: a compliment the intent model alone reads as
 * an angry complaint is thanked, and no complaint flow or case is opened for it; praise words
 * beside a complaint still open the complaint.
 */
import { openChat } from '../support/conversation.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

let running: RunningGateway;

beforeAll(async () => {
  running = await startGateway();
});
afterAll(async () => {
  await running.stop();
});

const conversationOf = (sessionId: string) => running.gateway.db.kysely.selectFrom('conversations').selectAll()
  .where('thread_key', '=', sessionId).executeTakeFirstOrThrow();

test('a compliment is thanked; no complaint is opened, no case', async () => {
  const chat = await openChat(running.url);
  const reply = await chat.send('客服态度特别好，必须给五星').expectReply(/./);
  expect(reply.text).not.toMatch(/消消气|抱歉|认真对待/);
  await running.gateway.pipeline.idle();
  const conversation = await conversationOf(chat.sessionId);
  expect(conversation.status).toBe('bot');
  expect((JSON.parse(conversation.dialog_state!) as { flow: string }).flow).toBe('reception');
  const cases = await running.gateway.db.kysely.selectFrom('cases').select('id').where('conversation_id', '=', conversation.id).execute();
  expect(cases).toEqual([]);
});

test('praise words beside a defect open the complaint as before', async () => {
  const chat = await openChat(running.url);
  await chat.send('太棒了，才用一周扶手就断了').expectReply(/./);
  await running.gateway.pipeline.idle();
  const conversation = await conversationOf(chat.sessionId);
  expect((JSON.parse(conversation.dialog_state!) as { flow: string }).flow).toBe('complaint');
});
