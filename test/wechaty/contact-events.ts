/**
 * Helpers for the contact tests on wechaty-puppet-mock: the puppet emits `friendship` and
 * `room-invite` events with payloads seeded in its cache (as a real puppet would have them);
 * accepts are recorded by wrapping the mock's methods.
 */
import { types } from 'wechaty';
import type { PuppetMock, mock } from 'wechaty-puppet-mock';
import type { MockWorld } from './mock-world.js';

type FriendshipPayload = Parameters<PuppetMock['friendshipPayload']>[1];
type InvitationPayload = Parameters<PuppetMock['roomInvitationPayload']>[1];
/** The greeting a new friend hears (templates/bot, `event_friend_added`), in Chinese and English. */
export const GREETING = /很高兴成为您的微信好友/;
export const GREETING_EN = /thank you for adding us on WeChat/;
let seq = 0;
export const nextId = (prefix: string) => `${prefix}-${++seq}-${Date.now()}`;

/** Records the ids the puppet is asked to accept (or the rooms to quit); `failFor` makes the puppet refuse those. */
export function spyAccepts(puppet: PuppetMock, method: 'friendshipAccept' | 'roomInvitationAccept' | 'roomQuit', failFor: Set<string> = new Set()): string[] {
  const calls: string[] = [];
  const original = puppet[method].bind(puppet);
  puppet[method] = async (id: string) => {
    calls.push(id);
    if (failFor.has(id)) throw new Error('puppet: request expired');
    return original(id);
  };
  return calls;
}

export async function friendship(world: MockWorld, contact: mock.ContactMock, hello: string, type = types.Friendship.Receive, id = nextId('friendship')): Promise<string> {
  await world.puppet.friendshipPayload(id, { id, contactId: contact.id, hello, timestamp: Date.now(), type, ticket: `ticket-${id}` } as FriendshipPayload);
  world.puppet.emit('friendship', { friendshipId: id });
  return id;
}

export async function roomInvite(world: MockWorld, inviter: mock.ContactMock, topic: string): Promise<string> {
  const id = nextId('invitation');
  await world.puppet.roomInvitationPayload(id, {
    id, inviterId: inviter.id, topic, avatar: '', invitation: '', memberCount: 42, memberIdList: [], timestamp: Date.now(), receiverId: world.botUser.id,
  } as InvitationPayload);
  world.puppet.emit('room-invite', { roomInvitationId: id });
  return id;
}

/** A contact adds the bot straight into a small group (no invitation), as WeChat allows under 40 members. */
export function addBotToRoom(world: MockWorld, by: mock.ContactMock, topic: string): mock.RoomMock {
  const room = world.mocker.createRoom({ topic, memberIdList: [by.id] });
  room.add(world.botUser).by(by);
  return room;
}

export const eventsOf = async (world: MockWorld, contactId: string) => (await world.storedIn(`dm:${contactId}`))
  .map((r) => ({ ...JSON.parse(r.meta ?? '{}') as { event?: string; key?: string }, text: r.text, id: r.channel_message_id }));

/** Everything handed to the channel so far is stored and its replies sent. */
export async function settle(world: MockWorld): Promise<void> {
  await world.channel.idle();
  await world.running.gateway.pipeline.idle();
  await world.running.gateway.dispatcher.idle();
}
