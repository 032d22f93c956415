/**
 * The Wechaty channel end to end: the real gateway with WECHATY_ENABLED and the real Wechaty
 * on wechaty-puppet-mock (test/wechaty/mock-world.ts): private chats, own messages, rooms,
 * order, redelivery, replayed history and pacing.
 */
import { types } from 'wechaty';
import type { mock } from 'wechaty-puppet-mock';
import type { WechatyChannel } from '../../channels/wechaty/index.js';
import type { RunningGateway } from '../support/gateway.js';
import { BOT_NAME, listen, startMockWorld, until, type MockWorld, type Said } from './mock-world.js';

const INTERVAL_MS = 300;

let world: MockWorld;
let running: RunningGateway;
let channel: WechatyChannel;
let mocker: mock.Mocker;
let botUser: mock.ContactMock;
const fromBot = (heard: Said[]) => world.fromBot(heard);
const customer = (name: string) => world.customer(name);

async function inbound(channelMessageId: string) {
  return running.gateway.db.kysely.selectFrom('messages').selectAll().where('channel', '=', 'wechaty')
    .where('channel_message_id', '=', channelMessageId).execute();
}

/** What customers wrote in a thread, in the order stored. */
async function storedIn(threadKey: string): Promise<string[]> {
  return (await world.storedIn(threadKey)).map((r) => r.text);
}

beforeAll(async () => {
  world = await startMockWorld({ WECHATY_SEND_INTERVAL_MS: String(INTERVAL_MS), WECHATY_SEND_JITTER_MS: '0' });
  ({ running, channel, mocker, botUser } = world);
});
afterAll(async () => {
  await running?.stop();
});

test('a customer\'s private message is stored once and answered by the bot', async () => {
  const alice = customer('Alice');
  alice.contact.say('你好').to(botUser);
  await until(() => fromBot(alice.heard).length >= 1);
  expect(fromBot(alice.heard)[0]!.text).toMatch(/欢迎/);

  alice.contact.say('运费怎么收？').to(botUser);
  await until(() => fromBot(alice.heard).some((s) => /399/.test(s.text)));

  expect(await storedIn(`dm:${alice.contact.id}`)).toEqual(['你好', '运费怎么收？']);
});

test('the bot\'s own messages are never taken for a customer\'s: nothing stored, nothing answered', async () => {
  const bob = customer('Bob');
  // Written from the bot account's phone, and the bot's own replies, which WeChat echoes back.
  botUser.say('您好，我是客服小助手').to(bob.contact);
  bob.contact.say('你好').to(botUser);
  await until(() => fromBot(bob.heard).length >= 2);
  await channel.idle();
  await running.gateway.dispatcher.idle();

  const ownIds = fromBot(bob.heard).map((s) => s.id);
  for (const id of ownIds) expect(await inbound(id)).toHaveLength(0);
  // The bot account never became a customer, and Bob's thread holds only what Bob wrote.
  const identities = await running.gateway.db.kysely.selectFrom('identities').select('external_id').where('channel', '=', 'wechaty').execute();
  expect(identities.map((i) => i.external_id)).not.toContain(botUser.id);
  expect(await storedIn(`dm:${bob.contact.id}`)).toEqual(['你好']);
  // One welcome for one 你好: the echoes of the bot's own words were not answered.
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 3));
  expect(fromBot(bob.heard)).toHaveLength(2);
});

test('in a room the bot answers only when mentioned, to that room, mentioning the customer', async () => {
  const carol = customer('Carol');
  const dave = customer('Dave');
  const room = mocker.createRoom({ topic: '家具售后群', memberIdList: [botUser.id, carol.contact.id, dave.contact.id] });
  const roomHeard = listen(room);

  carol.contact.say('大家好，运费怎么收？').to(room);
  const unmentioned = roomHeard.at(-1)!.id;
  dave.contact.say(`@${BOT_NAME}\u2005运费怎么收？`, [botUser]).to(room);
  const mentioned = roomHeard.at(-1)!.id;

  await until(() => fromBot(roomHeard).length >= 1);
  await channel.idle();
  const reply = fromBot(roomHeard);
  expect(reply).toHaveLength(1);
  expect(reply[0]!.text).toMatch(/^@Dave/);
  expect(reply[0]!.text).toMatch(/399/);
  expect(await inbound(unmentioned)).toHaveLength(0);
  const stored = await inbound(mentioned);
  expect(stored).toHaveLength(1);
  // The mention is taken out of what is stored and understood.
  expect(stored[0]!.text).toBe('运费怎么收？');
  const conversation = await running.gateway.db.kysely.selectFrom('conversations').select('thread_key').where('id', '=', stored[0]!.conversation_id).executeTakeFirstOrThrow();
  expect(conversation.thread_key).toBe(`room:${room.id}/${dave.contact.id}`);
  // Nothing went to Carol or Dave privately.
  expect(fromBot(carol.heard)).toHaveLength(0);
  expect(fromBot(dave.heard)).toHaveLength(0);
});

test('messages written in quick succession are stored in the order they were written', async () => {
  const grace = customer('Grace');
  const room = mocker.createRoom({ topic: '订单咨询群', memberIdList: [botUser.id, grace.contact.id] });
  const texts = ['第一句', '第二句', '第三句', '第四句'];
  for (const text of texts) grace.contact.say(`@${BOT_NAME}\u2005${text}`, [botUser]).to(room);
  await until(async () => (await storedIn(`room:${room.id}/${grace.contact.id}`)).length === texts.length);
  expect(await storedIn(`room:${room.id}/${grace.contact.id}`)).toEqual(texts);

  // On a real puppet, finding out whether a room message mentions the bot can take a round
  // trip, longer for one message than the next. The mock answers at once, so such messages
  // are handed to the bot's event here: the first one is slow to read, and still goes first.
  const slowFirst = [300, 0].map((delayMs, i) => ({
    id: `slow-read-${i}-${Date.now()}`, self: () => false, type: () => types.Message.Text, text: () => `@${BOT_NAME} 第${i + 1}条`,
    date: () => new Date(), talker: () => ({ id: grace.contact.id, name: () => 'Grace' }), room: () => ({ id: room.id }),
    mentionSelf: async () => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return true;
    },
    mentionText: async () => `第${i + 1}条`,
    toUrlLink: () => Promise.reject(new Error('not a link')), toLocation: () => Promise.reject(new Error('not a location')),
  }));
  for (const message of slowFirst) (channel.bot() as unknown as NodeJS.EventEmitter).emit('message', message);
  await until(async () => (await storedIn(`room:${room.id}/${grace.contact.id}`)).length === texts.length + 2);
  expect((await storedIn(`room:${room.id}/${grace.contact.id}`)).slice(-2)).toEqual(['第1条', '第2条']);
});

test('the same message delivered twice is answered once', async () => {
  const erin = customer('Erin');
  erin.contact.say('你好').to(botUser);
  const first = erin.heard.at(-1)!.id;
  await until(() => fromBot(erin.heard).length >= 1);
  // The puppet hands the same message over again (as after a reconnect).
  mocker.puppet.emit('message', { messageId: first });
  mocker.puppet.emit('message', { messageId: first });
  await channel.idle();
  // A later question is answered after anything queued before it (replies keep their order).
  erin.contact.say('运费怎么收？').to(botUser);
  await until(() => fromBot(erin.heard).some((s) => /399/.test(s.text)));
  expect(fromBot(erin.heard).filter((s) => /欢迎/.test(s.text))).toHaveLength(1);
  expect(await inbound(first)).toHaveLength(1);
});

test('history replayed at login (dated before the bot started) is not answered', async () => {
  const frank = customer('Frank');
  const old = mocker.MessageMock.create({
    id: `replayed-${Date.now()}`, talkerId: frank.contact.id, listenerId: botUser.id, timestamp: Date.now() - 3_600_000, type: types.Message.Text, text: '你好',
  });
  mocker.puppet.emit('message', { messageId: old.id });
  // A message of today, answered: the replayed one came before it and had its turn.
  frank.contact.say('运费怎么收？').to(botUser);
  await until(() => fromBot(frank.heard).length >= 1);
  await channel.idle();
  expect(await inbound(old.id)).toHaveLength(0);
  expect(fromBot(frank.heard).map((s) => s.text)).toEqual([expect.stringMatching(/399/)]);
});

test('a burst of replies goes out paced: at least WECHATY_SEND_INTERVAL_MS apart', async () => {
  const crowd = ['G1', 'G2', 'G3', 'G4', 'G5'].map(customer);
  for (const c of crowd) c.contact.say('你好').to(botUser);
  await until(() => crowd.every((c) => fromBot(c.heard).length >= 1));
  const times = crowd.flatMap((c) => fromBot(c.heard).map((s) => s.at)).sort((a, b) => a - b);
  expect(times).toHaveLength(5);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(INTERVAL_MS);
});
