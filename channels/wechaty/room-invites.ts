/**
 * Room (group) invitations. A customer-service account should not be pulled into arbitrary
 * groups (every member could then mention it, and it speaks for the company there), so the
 * default `WECHATY_ACCEPT_ROOMS=none` leaves invitations unaccepted (WeChat has no "decline":
 * an invitation not accepted simply lapses); `all` accepts them.
 *
 * Either way the invitation is recorded as an event `room_invite` in the inviter's private
 * thread (key `accepted`, `declined` or `accept_failed`, text: the room's topic), once per
 * invitation id, so that agents see who asked the bot into which group.
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
