/**
 * Friend requests and room invitations, end to end on wechaty-puppet-mock: the puppet emits
 * `friendship` and `room-invite` events (payloads seeded in its cache, as a real puppet
 * would have them), the channel decides by policy, accepts through the puppet (calls
 * recorded by wrapping the mock's methods) and records each outcome in the real database;
 * greetings are what the contact hears.
 */
import { types } from 'wechaty';
import { GREETING, addBotToRoom, eventsOf, friendship, nextId, roomInvite, settle, spyAccepts } from './contact-events.js';
import { BOT_NAME, listen, startMockWorld, until, type MockWorld } from './mock-world.js';

describe('default policies: friend requests accepted, room invitations declined', () => {
  let world: MockWorld;
  let friendAccepts: string[];
  let roomAccepts: string[];
  let roomQuits: string[];
  const failing = new Set<string>();

  beforeAll(async () => {
    world = await startMockWorld({ WECHATY_FRIEND_ACCEPTS_PER_HOUR: '4', WECHATY_SEND_INTERVAL_MS: '50', WECHATY_SEND_JITTER_MS: '0' });
    friendAccepts = spyAccepts(world.puppet, 'friendshipAccept', failing);
    roomAccepts = spyAccepts(world.puppet, 'roomInvitationAccept');
    roomQuits = spyAccepts(world.puppet, 'roomQuit', failing);
  });
  afterAll(async () => {
    await world?.running.stop();
  });

  test('a friend request is accepted and the new contact greeted once, whatever follows', async () => {
    const alice = world.customer('Alice', { friend: false });
    const first = await friendship(world, alice.contact, '你好，我想问一下订单');
    await until(() => world.fromBot(alice.heard).length >= 1);
    expect(friendAccepts).toEqual([first]);
    expect(world.fromBot(alice.heard)[0]!.text).toMatch(GREETING);

    // WeChat confirms the new friendship, and Alice sends a second request: no second greeting.
    await friendship(world, alice.contact, '', types.Friendship.Confirm);
    const second = await friendship(world, alice.contact, '在吗');
    await until(() => friendAccepts.includes(second));
    await settle(world);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(world.fromBot(alice.heard)).toHaveLength(1);
    expect(await eventsOf(world, alice.contact.id)).toEqual([
      { event: 'friend_added', key: 'friendship', text: '你好，我想问一下订单', id: `friend:${alice.contact.id}`, public: false },
    ]);
  });

  test('an accept the puppet refuses is recorded as not accepted, and nobody is greeted', async () => {
    const dan = world.customer('Dan', { friend: false });
    const id = nextId('friendship');
    failing.add(id);
    await friendship(world, dan.contact, '退货', types.Friendship.Receive, id);
    await until(async () => (await eventsOf(world, dan.contact.id)).length === 1);
    expect(friendAccepts).toContain(id);
    expect(await eventsOf(world, dan.contact.id)).toEqual([{ event: 'friend_request', key: 'accept_failed', text: '退货', id: `friend-request:${id}`, public: false }]);
    await settle(world);
    expect(world.fromBot(dan.heard)).toHaveLength(0);
  });

  test('a room invitation is declined by default: not accepted, recorded for the inviter', async () => {
    const erin = world.customer('Erin');
    const id = await roomInvite(world, erin.contact, '团购群');
    await until(async () => (await eventsOf(world, erin.contact.id)).length === 1);
    expect(await eventsOf(world, erin.contact.id)).toEqual([{ event: 'room_invite', key: 'declined', text: '团购群', id: `room-invite:${id}`, public: false }]);
    expect(roomAccepts).toEqual([]);
    await settle(world);
    expect(world.fromBot(erin.heard)).toHaveLength(0);
  });

  test('added straight into a small group, the bot leaves it and records it for the person who added it', async () => {
    const hank = world.customer('Hank');
    const room = addBotToRoom(world, hank.contact, '小区团购');
    await until(async () => (await eventsOf(world, hank.contact.id)).length === 1);
    expect(roomQuits).toEqual([room.id]);
    expect(await eventsOf(world, hank.contact.id)).toEqual([
      { event: 'room_join', key: 'left', text: '小区团购', id: expect.stringMatching(new RegExp(`^room-join:${room.id}:\\d+$`)), public: false },
    ]);
    // Someone else joining a room the bot is in is none of its business.
    room.add(world.customer('Ivy').contact).by(hank.contact);
    await settle(world);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(roomQuits).toEqual([room.id]);
    expect(await eventsOf(world, hank.contact.id)).toHaveLength(1);
    expect(world.fromBot(hank.heard)).toHaveLength(0);
  });

  test('a mention in a room the bot is still leaving is not answered, nor after it has left', async () => {
    const kim = world.customer('Kim');
    const spied = world.puppet.roomQuit.bind(world.puppet);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let quitting = false;
    // The puppet is slow to leave: the room's members are still talking meanwhile.
    world.puppet.roomQuit = async (id: string) => {
      quitting = true;
      await gate;
      return spied(id);
    };
    try {
      const room = addBotToRoom(world, kim.contact, '秒杀群');
      const inRoom = listen(room);
      await until(() => quitting);
      kim.contact.say(`@${BOT_NAME}\u2005运费怎么收？`, [world.botUser]).to(room);
      // Not `settle`: it would wait for the leave, which is held. Long enough for an answer.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await world.running.gateway.pipeline.idle();
      release();
      await until(async () => (await eventsOf(world, kim.contact.id)).length === 1);
      await settle(world);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(roomQuits).toContain(room.id);
      expect(world.fromBot(inRoom)).toEqual([]);
      expect(await world.storedIn(`room:${room.id}/${kim.contact.id}`)).toEqual([]);
    } finally {
      release();
      world.puppet.roomQuit = spied;
    }
  });

  test('a room the bot cannot leave is recorded as such, not dropped', async () => {
    const iris = world.customer('Iris');
    const topic = '新品试用群';
    const room = world.mocker.createRoom({ topic, memberIdList: [iris.contact.id] });
    failing.add(room.id);
    room.add(world.botUser).by(iris.contact);
    await until(async () => (await eventsOf(world, iris.contact.id)).length === 1);
    expect(roomQuits).toContain(room.id);
    expect(await eventsOf(world, iris.contact.id)).toEqual([expect.objectContaining({ event: 'room_join', key: 'leave_failed', text: topic })]);
  });
});

describe('WECHATY_ACCEPT_FRIENDS=none, WECHATY_ACCEPT_ROOMS=all', () => {
  let world: MockWorld;
  let friendAccepts: string[];
  let roomAccepts: string[];
  let roomQuits: string[];

  beforeAll(async () => {
    world = await startMockWorld({ WECHATY_ACCEPT_FRIENDS: 'none', WECHATY_ACCEPT_ROOMS: 'all', WECHATY_SEND_INTERVAL_MS: '50', WECHATY_SEND_JITTER_MS: '0' });
    friendAccepts = spyAccepts(world.puppet, 'friendshipAccept');
    roomAccepts = spyAccepts(world.puppet, 'roomInvitationAccept');
    roomQuits = spyAccepts(world.puppet, 'roomQuit');
  });
  afterAll(async () => {
    await world?.running.stop();
  });

  test('a friend request is left to a person and recorded; accepted by hand on the phone, the contact is greeted once', async () => {
    const frank = world.customer('Frank', { friend: false });
    const request = await friendship(world, frank.contact, '你好');
    await until(async () => (await eventsOf(world, frank.contact.id)).length === 1);
    await settle(world);
    expect(friendAccepts).toEqual([]);
    expect(world.fromBot(frank.heard)).toHaveLength(0);
    expect(await eventsOf(world, frank.contact.id)).toEqual([{ event: 'friend_request', key: 'policy_none', text: '你好', id: `friend-request:${request}`, public: false }]);

    // Someone accepts on the bot's phone: WeChat confirms the friendship (twice, as happens).
    await friendship(world, frank.contact, '', types.Friendship.Confirm);
    await friendship(world, frank.contact, '', types.Friendship.Confirm);
    await until(() => world.fromBot(frank.heard).length >= 1);
    await settle(world);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(world.fromBot(frank.heard).map((s) => s.text)).toEqual([expect.stringMatching(GREETING)]);
    expect(friendAccepts).toEqual([]);
  });

  test('a room invitation is accepted through the puppet and recorded', async () => {
    const grace = world.customer('Grace');
    const id = await roomInvite(world, grace.contact, '家具售后群');
    await until(async () => (await eventsOf(world, grace.contact.id)).length === 1);
    expect(roomAccepts).toEqual([id]);
    expect(await eventsOf(world, grace.contact.id)).toEqual([{ event: 'room_invite', key: 'accepted', text: '家具售后群', id: `room-invite:${id}`, public: false }]);
    // The same invitation handed over again is recorded once.
    world.puppet.emit('room-invite', { roomInvitationId: id });
    await settle(world);
    expect(await eventsOf(world, grace.contact.id)).toHaveLength(1);
  });

  test('added straight into a small group, the bot stays and records it', async () => {
    const jack = world.customer('Jack');
    const room = addBotToRoom(world, jack.contact, '办公家具交流群');
    await until(async () => (await eventsOf(world, jack.contact.id)).length === 1);
    expect(await eventsOf(world, jack.contact.id)).toEqual([expect.objectContaining({ event: 'room_join', key: 'stayed', text: '办公家具交流群', id: expect.stringContaining(room.id) })]);
    expect(roomQuits).toEqual([]);
  });
});
