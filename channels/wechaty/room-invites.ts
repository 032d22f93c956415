/**
 * Rooms (groups). A customer-service account should not be pulled into arbitrary groups
 * (every member could then mention it, and it speaks for the company there), so the default
 * `WECHATY_ACCEPT_ROOMS=none` keeps it out; `all` lets it in.
 *
 * - Invitations (`room-invite`): `none` leaves them unaccepted (WeChat has no "decline": an
 *   invitation not accepted simply lapses), `all` accepts them. Recorded as event
 *   `room_invite` (key `accepted`, `declined` or `accept_failed`), once per invitation id.
 * - Added directly (`room-join` with the bot among the invitees): WeChat needs no invitation
 *   to add a friend to a group under 40 members, or to create one with them. `none` leaves the
 *   room at once (`room.quit()`: a member cannot remove itself), `all` stays. Recorded as event
 *   `room_join` (key `left`, `stayed` or `leave_failed`), once per room and join time.
 *
 * Either way the record goes to the inviter's private thread (text: the room's topic), so
 * that agents see who brought the bot into which group. The dialog says nothing to these.
 */
import { mask, type Logger } from '../../src/logger.js';
import type { InboundMessage } from '../../src/contract.js';
import { contactEvent, optional } from './inbound.js';

/** The part of Wechaty's RoomInvitation that is used. */
export interface WechatyRoomInvitationLike {
  id: string;
  inviter(): Promise<{ id: string; name(): string }>;
  topic(): Promise<string>;
  memberCount(): Promise<number>;
}

export interface RoomInvitesDeps {
  policy: 'all' | 'none';
  /**
   * Accepts through the puppet. Not Wechaty's `RoomInvitation.accept()`, which swallows the
   * puppet's error: the record has to say whether the bot is in the room.
   */
  accept(invitationId: string): Promise<void>;
  record(message: InboundMessage): Promise<void>;
  logger: Logger;
  now: () => number;
}

/** A `room-invite` event of the bot. */
export async function onRoomInvite(invitation: WechatyRoomInvitationLike, deps: RoomInvitesDeps): Promise<void> {
  const inviter = await invitation.inviter();
  const facts = {
    id: invitation.id, inviter: { id: inviter.id, name: inviter.name() || undefined },
    topic: (await optional(() => invitation.topic())) ?? '', memberCount: await optional(() => invitation.memberCount()),
  };
  let key: 'accepted' | 'declined' | 'accept_failed' = 'declined';
  if (deps.policy === 'all') {
    try {
      await deps.accept(invitation.id);
      key = 'accepted';
    } catch (error) {
      deps.logger.warn({ err: error, channel: 'wechaty', inviter: mask(inviter.id) }, 'wechaty: accepting a room invitation failed');
      key = 'accept_failed';
    }
  }
  deps.logger.info({ channel: 'wechaty', inviter: mask(inviter.id), outcome: key }, 'wechaty: room invitation');
  const inbound = contactEvent({
    id: `room-invite:${invitation.id}`, contact: facts.inviter, event: 'room_invite', key, text: facts.topic, raw: facts, receivedAt: deps.now(),
  });
  if (inbound.ok) await deps.record(inbound.message);
  else deps.logger.warn({ channel: 'wechaty', inviter: mask(inviter.id), reason: inbound.reason }, 'wechaty: room invitation not recorded');
}

/** The parts of Wechaty's Room and Contact that a `room-join` event uses. */
export interface WechatyJoinedRoomLike {
  id: string;
  topic(): Promise<string>;
  quit(): Promise<void>;
}
export interface WechatyMemberLike {
  id: string;
  name(): string;
  /** The bot account itself. */
  self(): boolean;
}

export interface RoomJoin {
  room: WechatyJoinedRoomLike;
  invitees: WechatyMemberLike[];
  inviter: WechatyMemberLike;
  date: Date;
}

/**
 * Rooms the bot was added to and is leaving (or failed to leave) under `none`: nothing said in
 * them is answered, including a mention that arrives before `room.quit()` has gone through.
 * Bounded: the oldest are forgotten first (by then the bot is long out of them).
 */
export class RefusedRooms {
  private readonly ids = new Set<string>();

  constructor(private readonly max = 10_000) {}

  add(roomId: string): void {
    this.ids.delete(roomId);
    this.ids.add(roomId);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
  }

  has(roomId: string): boolean {
    return this.ids.has(roomId);
  }
}

/** A `room-join` event of the bot: anyone joining a room the bot is in, the bot itself included. */
export async function onRoomJoin(join: RoomJoin, deps: Omit<RoomInvitesDeps, 'accept'> & { refused: RefusedRooms }): Promise<void> {
  if (!join.invitees.some((member) => member.self())) return;
  const { room, inviter } = join;
  const log = { channel: 'wechaty', room: mask(room.id), inviter: mask(inviter.id) };
  // Added by someone on the bot's own phone (it created the group): a person's decision.
  if (inviter.self()) {
    deps.logger.info(log, 'wechaty: the bot account joined a room it created');
    return;
  }
  // Before anything is awaited, so no message of the room is answered from here on.
  if (deps.policy === 'none') deps.refused.add(room.id);
  const facts = { room: { id: room.id, topic: (await optional(() => room.topic())) ?? '' }, inviter: { id: inviter.id, name: inviter.name() || undefined }, at: join.date.getTime() };
  let key: 'stayed' | 'left' | 'leave_failed' = 'stayed';
  if (deps.policy === 'none') {
    try {
      await room.quit();
      key = 'left';
    } catch (error) {
      deps.logger.warn({ ...log, err: error }, 'wechaty: leaving a room the bot was added to failed');
      key = 'leave_failed';
    }
  }
  deps.logger.info({ ...log, outcome: key }, 'wechaty: added to a room');
  const at = Number.isFinite(facts.at) ? facts.at : deps.now();
  const inbound = contactEvent({
    id: `room-join:${room.id}:${at}`, contact: facts.inviter, event: 'room_join', key, text: facts.room.topic, raw: facts, receivedAt: deps.now(),
  });
  if (inbound.ok) await deps.record(inbound.message);
  else deps.logger.warn({ ...log, reason: inbound.reason }, 'wechaty: being added to a room not recorded');
}
