/**
 * Friend requests and room invitations, end to end on wechaty-puppet-mock: the puppet emits
 * `friendship` and `room-invite` events (payloads seeded in its cache, as a real puppet
 * would have them), the channel decides by policy, accepts through the puppet (calls
 * recorded by wrapping the mock's methods) and records each outcome in the real database;
 * greetings are what the contact hears.
 */
import { types } from 'wechaty';
import type { PuppetMock, mock } from 'wechaty-puppet-mock';
import { startMockWorld, until, type MockWorld } from './mock-world.js';

type FriendshipPayload = Parameters<PuppetMock['friendshipPayload']>[1];
type InvitationPayload = Parameters<PuppetMock['roomInvitationPayload']>[1];
const GREETING = /感谢您的关注/;
let seq = 0;
const nextId = (prefix: string) => `${prefix}-${++seq}-${Date.now()}`;

/** Records the ids the puppet is asked to accept; `failFor` makes the puppet refuse those. */
function spyAccepts(puppet: PuppetMock, method: 'friendshipAccept' | 'roomInvitationAccept', failFor: Set<string> = new Set()): string[] {
  const calls: string[] = [];
  const original = puppet[method].bind(puppet);
  puppet[method] = async (id: string) => {
    calls.push(id);
    if (failFor.has(id)) throw new Error('puppet: request expired');
    return original(id);
  };
  return calls;
}

async function friendship(world: MockWorld, contact: mock.ContactMock, hello: string, type = types.Friendship.Receive, id = nextId('friendship')): Promise<string> {
  await world.puppet.friendshipPayload(id, { id, contactId: contact.id, hello, timestamp: Date.now(), type, ticket: `ticket-${id}` } as FriendshipPayload);
  world.puppet.emit('friendship', { friendshipId: id });
  return id;
}

async function roomInvite(world: MockWorld, inviter: mock.ContactMock, topic: string): Promise<string> {
  const id = nextId('invitation');
  await world.puppet.roomInvitationPayload(id, {
    id, inviterId: inviter.id, topic, avatar: '', invitation: '', memberCount: 42, memberIdList: [], timestamp: Date.now(), receiverId: world.botUser.id,
  } as InvitationPayload);
  world.puppet.emit('room-invite', { roomInvitationId: id });
  return id;
}

const eventsOf = async (world: MockWorld, contactId: string) => (await world.storedIn(`dm:${contactId}`))
  .map((r) => ({ ...JSON.parse(r.meta ?? '{}') as { event?: string; key?: string }, text: r.text, id: r.channel_message_id }));

/** Everything handed to the channel so far is stored and its replies sent. */
async function settle(world: MockWorld): Promise<void> {
  await world.channel.idle();
  await world.running.gateway.pipeline.idle();
  await world.running.gateway.dispatcher.idle();
}

describe('default policies: friend requests accepted (at most 4 an hour here), room invitations declined', () => {
  let world: MockWorld;
  let friendAccepts: string[];
  let roomAccepts: string[];
  const failing = new Set<string>();

  beforeAll(async () => {
    world = await startMockWorld({ WECHATY_FRIEND_ACCEPTS_PER_HOUR: '4', WECHATY_SEND_INTERVAL_MS: '50', WECHATY_SEND_JITTER_MS: '0' });
    friendAccepts = spyAccepts(world.puppet, 'friendshipAccept', failing);
    roomAccepts = spyAccepts(world.puppet, 'roomInvitationAccept');
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
      { event: 'subscribe', key: 'friendship', text: '你好，我想问一下订单', id: `friend:${alice.contact.id}`, public: false },
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

  test('beyond the hourly cap a request waits; at shutdown it is recorded as not accepted', async () => {
    const bob = world.customer('Bob', { friend: false });
    const carol = world.customer('Carol', { friend: false });
    // Alice twice and Dan used three of the four accepts of this hour.
    const bobs = await friendship(world, bob.contact, '你好');
    const carols = await friendship(world, carol.contact, '我要投诉');
    await until(() => world.fromBot(bob.heard).length >= 1);
    await until(() => world.channel.friendRequestsWaiting() === 1);
    expect(friendAccepts).toContain(bobs);
    expect(friendAccepts).not.toContain(carols);
    await settle(world);
    expect(await eventsOf(world, carol.contact.id)).toEqual([]);
    expect(world.fromBot(carol.heard)).toHaveLength(0);

    await world.channel.stop!();
    expect(friendAccepts).not.toContain(carols);
    expect(await eventsOf(world, carol.contact.id)).toEqual([
      { event: 'friend_request', key: 'stopped', text: '我要投诉', id: `friend-request:${carols}`, public: false },
    ]);
  });
});

describe('WECHATY_ACCEPT_FRIENDS=none, WECHATY_ACCEPT_ROOMS=all', () => {
  let world: MockWorld;
  let friendAccepts: string[];
  let roomAccepts: string[];

  beforeAll(async () => {
    world = await startMockWorld({ WECHATY_ACCEPT_FRIENDS: 'none', WECHATY_ACCEPT_ROOMS: 'all', WECHATY_SEND_INTERVAL_MS: '50', WECHATY_SEND_JITTER_MS: '0' });
    friendAccepts = spyAccepts(world.puppet, 'friendshipAccept');
    roomAccepts = spyAccepts(world.puppet, 'roomInvitationAccept');
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
});
