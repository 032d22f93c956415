/** Time-driven events: queue position, hand-over timeout (no agent), idle nudges. */
import { nudgeIdle, releaseTimedOut } from '../../src/handoff/timers.js';
import { openChat } from '../support/conversation.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

let running: RunningGateway;

beforeAll(async () => {
  // Timers are driven by hand here (long intervals), so the test decides when time passes.
  running = await startGateway({ FOLLOW_UP_CHECK_MS: '3600000', HANDOFF_TIMEOUT_SECONDS: '0', IDLE_SECONDS: '0' });
});
afterAll(async () => {
  await running.stop();
});

const conversationOf = (sessionId: string) => running.gateway.db.kysely.selectFrom('conversations')
  .select(['id', 'status', 'flow', 'step']).where('thread_key', '=', sessionId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();

test('a waiting customer hears their place in the queue, at most once a minute', async () => {
  const first = await openChat(running.url);
  await first.send('我要转人工').expectReply(/人工|同事|稍候/);
  const second = await openChat(running.url);
  await second.send('转人工').expectReply(/./);
  await second.send('还要等多久？').expectReply(/前面还有 1 位/);
  await second.send('喂？').expectReply(/./, 1000).then(() => { throw new Error('answered twice within a minute'); }, (e: Error) => expect(e.message).toMatch(/no reply/));
});

test('no agent in time: back to the bot, which says so and schedules a call-back', async () => {
  const chat = await openChat(running.url);
  await chat.send('你好').expectReply(/./);
  await chat.send('我要转人工').expectReply(/./);
  expect((await conversationOf(chat.sessionId)).status).toBe('queued');
  const released = await releaseTimedOut(running.gateway.db, running.gateway.workspace, running.gateway.pipeline, 0, Date.now() + 1);
  expect(released).toBeGreaterThanOrEqual(1);
  const reply = await chat.nextReply();
  expect(reply?.author).toBe('bot');
  expect((await conversationOf(chat.sessionId)).status).toBe('bot');
  const followUps = await running.gateway.db.kysely.selectFrom('follow_ups').select(['status', 'note']).execute();
  expect(followUps.some((f) => /call the customer back/.test(f.note))).toBe(true);
  // The event is not shown to the customer as something they wrote.
  expect((await chat.transcript()).filter((m) => m.author === 'customer' && m.text === '')).toEqual([]);
});

test('a silent customer is nudged, once per bot message', async () => {
  const chat = await openChat(running.url);
  await chat.send('你好').expectReply(/./);
  const later = Date.now() + 10 * 60_000;
  expect(await nudgeIdle(running.gateway.db, running.gateway.pipeline, 60_000, ['webchat'], later)).toBeGreaterThanOrEqual(1);
  const nudge = await chat.nextReply();
  expect(nudge?.author).toBe('bot');
  // Each nudge is a new bot message, so silence goes on: open question, choice, goodbye,
  // then nothing more; and the same bot message is never nudged twice.
  const counts: number[] = [];
  for (let i = 0; i < 5; i++) counts.push(await nudgeIdle(running.gateway.db, running.gateway.pipeline, 60_000, ['webchat'], later + i));
  expect(counts.at(-1)).toBe(0);
  const bot = (await chat.transcript()).filter((m) => m.author === 'bot');
  expect(bot.length).toBeLessThanOrEqual(1 + 3);
});
