/**
 * The Wechaty channel: a WeChat bot account driven through a Wechaty puppet. Messages arrive
 * as bot events (inbound.ts decides which are customers' and builds the message); replies
 * leave through a pacing queue (pacer.ts), mentioning the customer in rooms. See README.md.
 */
import type { Attachment, InboundMessage } from '../../src/contract.js';
import { mask } from '../../src/logger.js';
import { KeyedQueue } from '../../src/pipeline/keyed-queue.js';
import type { ChannelDeps, ChannelFactory, ChannelAdapter, SendResult } from '../types.js';
import { createBot, type RunningBot, type WechatyBot } from './bot.js';
import { wechatyCapabilities, wechatySettingsFrom, type WechatySettings } from './definition.js';
import { FriendStore } from './friend-store.js';
import { FriendRequests } from './friends.js';
import { FILE_KINDS, factsOf, targetOf, wechatyInbound, type WechatyFacts, type WechatyMessageLike } from './inbound.js';
import { DownloadSlots } from './download-slots.js';
import { fetchMedia } from './media.js';
import { SendPacer } from './pacer.js';
import { onRoomInvite, onRoomJoin, RefusedRooms } from './room-invites.js';

/** Downloads that may wait for each slot (WECHATY_MEDIA_CONCURRENCY); more are skipped, recorded. */
const DOWNLOADS_WAITING_PER_SLOT = 8;

export interface WechatyChannelOptions {
  now?: () => number;
  random?: () => number;
}

export interface WechatyChannel extends ChannelAdapter {
  /** The running bot (tests reach the puppet through it); undefined before start. */
  bot(): WechatyBot | undefined;
  /** Resolves when no inbound message or event is being handled. */
  idle(): Promise<void>;
  /** Friend requests waiting for the hourly accept cap. */
  friendRequestsWaiting(): Promise<number>;
}

/** The file of a media message, when it has one the puppet holds (not a link or a location). */
function fileOf(message: InboundMessage): Attachment | undefined {
  const only = message.kind === 'media' && message.attachments.length === 1 ? message.attachments[0] : undefined;
  return only && FILE_KINDS.has(only.kind) ? only : undefined;
}

async function say(bot: WechatyBot, target: { contactId: string; roomId?: string }, text: string): Promise<SendResult> {
  const contact = await bot.Contact.find({ id: target.contactId });
  const place = target.roomId ? await bot.Room.find({ id: target.roomId }) : contact;
  // Unknown right after a login while the puppet loads its contacts: worth another try.
  if (!place) return { ok: false, retryable: true, error: `wechaty: ${target.roomId ? 'room' : 'contact'} not found` };
  const sent = target.roomId && contact ? await place.say(text, contact) : await place.say(text);
  const id = (sent as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id ? { ok: true, channelMessageId: id } : { ok: true };
}

/**
 * A puppet call that hangs would hold every later send of the account. After the timeout the
 * send counts as failed and is tried again: it may then arrive twice, never not at all.
 */
async function withTimeout(sending: Promise<SendResult>, ms: number): Promise<SendResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<SendResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, retryable: true, error: `wechaty: no answer from the puppet within ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([sending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function buildWechatyChannel(deps: ChannelDeps, settings: WechatySettings, options: WechatyChannelOptions = {}): WechatyChannel {
  const now = options.now ?? Date.now;
  const pacer = new SendPacer({ intervalMs: settings.intervalMs, jitterMs: settings.jitterMs, maxWaitMs: settings.maxWaitMs, now, random: options.random });
  const handling = new Set<Promise<void>>();
  const downloads = new DownloadSlots(settings.media.concurrency, DOWNLOADS_WAITING_PER_SLOT * settings.media.concurrency);
  let running: RunningBot | undefined;
  let startedAt = Number.POSITIVE_INFINITY;

  // Messages are read one after the other, and each customer's thread is kept in that order
  // from then on (`threads`): a media download holds its own thread only, for at most
  // WECHATY_MEDIA_TIMEOUT_MS, never the other customers'.
  let reading: Promise<unknown> = Promise.resolve();
  const threads = new KeyedQueue();
  const refusedRooms = new RefusedRooms();

  function track(work: Promise<void>, what: string): void {
    const task = work
      .catch((error: unknown) => deps.logger.error({ err: error, channel: 'wechaty' }, `wechaty: ${what} could not be handled`))
      .finally(() => handling.delete(task));
    handling.add(task);
  }

  /** Into the pipeline in the thread's order; `prepare` (a download) runs in that turn too. */
  function inThread(message: InboundMessage, prepare?: () => Promise<InboundMessage>): Promise<void> {
    return threads.run(message.threadKey, async () => {
      await deps.pipeline.ingest(prepare ? await prepare() : message);
    });
  }

  const record = (message: InboundMessage) => inThread(message)
    .catch((error: unknown) => deps.logger.error({ err: error, channel: 'wechaty', event: message.kind === 'event' ? message.event : undefined }, 'wechaty event could not be stored'));

  const friends = new FriendRequests({
    policy: settings.acceptFriends, perHour: settings.friendAcceptsPerHour, kindOf: (type) => running?.friendshipKind(type) ?? 'other',
    store: new FriendStore(deps.db, settings.name), resume: (payload) => running!.bot.Friendship.fromJSON(payload),
    loggedIn: () => running?.bot.isLoggedIn === true, record, logger: deps.logger, now,
  });

  // Called as soon as the message's facts are read (in delivery order): nothing is awaited
  // before the thread's turn is taken.
  function handle(message: WechatyMessageLike, facts: WechatyFacts): Promise<void> {
    if (facts.room && refusedRooms.has(facts.room.id)) {
      deps.logger.debug({ channel: 'wechaty', messageId: facts.id, room: mask(facts.room.id) }, 'wechaty message not answered: a room the bot was added to and is leaving');
      return Promise.resolve();
    }
    const inbound = wechatyInbound(facts, startedAt, now());
    if (!inbound.ok) {
      deps.logger.debug({ channel: 'wechaty', messageId: facts.id, sender: mask(facts.talker.id), reason: inbound.reason }, 'wechaty message not answered');
      return Promise.resolve();
    }
    const stored = inbound.message;
    const file = fileOf(stored);
    if (!file || stored.kind !== 'media') return inThread(stored);
    return inThread(stored, async () => ({
      ...stored, attachments: [await fetchMedia(file, facts.id, () => message.toFileBox(), settings.media, downloads, now())],
    }));
  }

  function onMessage(message: WechatyMessageLike): void {
    const typeName = running?.typeName;
    if (!typeName) return;
    const facts = reading.then(() => factsOf(message, typeName));
    reading = facts.catch(() => undefined);
    track(facts.then((read) => handle(message, read)), `message ${message.id}`);
  }

  return {
    name: 'wechaty',
    capabilities: wechatyCapabilities,
    async start() {
      startedAt = now();
      await friends.start();
      running = await createBot(settings, deps.logger, {
        message: onMessage,
        friendship: (friendship) => track(friends.onFriendship(friendship), 'a friend request'),
        roomInvite: (invitation) => track(onRoomInvite(invitation, {
          policy: settings.acceptRooms, accept: (id) => running!.bot.puppet.roomInvitationAccept(id), record, logger: deps.logger, now,
        }), 'a room invitation'),
        roomJoin: (join) => track(onRoomJoin(join, { policy: settings.acceptRooms, refused: refusedRooms, record, logger: deps.logger, now }), 'a room join'),
        login: () => friends.onLogin(),
      });
      await running.bot.start();
    },
    async stop() {
      pacer.close();
      await friends.close();
      while (handling.size > 0) await Promise.allSettled([...handling]);
      await threads.idle();
      await running?.bot.stop();
      running = undefined;
    },
    bot: () => running?.bot,
    idle: async () => {
      while (handling.size > 0) await Promise.allSettled([...handling]);
      await threads.idle();
    },
    friendRequestsWaiting: () => friends.pending(),
    async send(conversation, part): Promise<SendResult> {
      const target = targetOf(conversation.threadKey);
      if (!target) return { ok: false, retryable: false, error: 'wechaty: the conversation has no wechaty thread key' };
      const bot = running?.bot;
      if (!bot?.isLoggedIn) return { ok: false, retryable: true, error: 'wechaty: the bot is not logged in' };
      const paced = await pacer.run(() => withTimeout(say(bot, target, part.text), settings.sendTimeoutMs));
      if (paced.ran) return paced.value;
      // A full queue is not a failed send: come back when a few sends have gone out.
      const deferredMs = paced.full ? Math.max(1000, 4 * (settings.intervalMs + settings.jitterMs)) : undefined;
      return { ok: false, retryable: true, error: `wechaty: ${paced.reason}`, deferredMs };
    },
  };
}

/** The registry's factory: null unless WECHATY_ENABLED is true. */
export const createWechatyChannel: ChannelFactory = (deps) => {
  const settings = wechatySettingsFrom(deps.config);
  return settings ? buildWechatyChannel(deps, settings) : null;
};
