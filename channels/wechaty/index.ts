/**
 * The Wechaty channel: a WeChat bot account driven through a Wechaty puppet. Messages arrive
 * as bot events (inbound.ts decides which are customers' and builds the message); replies
 * leave through a pacing queue (pacer.ts), mentioning the customer in rooms. See README.md.
 */
import { mask } from '../../src/logger.js';
import type { ChannelDeps, ChannelFactory, ChannelAdapter, SendResult } from '../types.js';
import { createBot, type RunningBot, type WechatyBot } from './bot.js';
import { wechatyCapabilities, wechatySettingsFrom, type WechatySettings } from './definition.js';
import { factsOf, targetOf, wechatyInbound, type WechatyFacts, type WechatyMessageLike } from './inbound.js';
import { SendPacer } from './pacer.js';

export interface WechatyChannelOptions {
  now?: () => number;
  random?: () => number;
}

export interface WechatyChannel extends ChannelAdapter {
  /** The running bot (tests reach the puppet through it); undefined before start. */
  bot(): WechatyBot | undefined;
  /** Resolves when no inbound message is being handled. */
  idle(): Promise<void>;
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
  let running: RunningBot | undefined;
  let startedAt = Number.POSITIVE_INFINITY;

  // Messages are read one after the other, so that they reach the pipeline (which keeps each
  // thread's order from there on) in the order the puppet delivered them.
  let reading: Promise<unknown> = Promise.resolve();

  async function handle(facts: WechatyFacts): Promise<void> {
    const inbound = wechatyInbound(facts, startedAt, now());
    if (!inbound.ok) {
      deps.logger.debug({ channel: 'wechaty', messageId: facts.id, sender: mask(facts.talker.id), reason: inbound.reason }, 'wechaty message not answered');
      return;
    }
    await deps.pipeline.ingest(inbound.message);
  }

  function onMessage(message: WechatyMessageLike): void {
    const typeName = running?.typeName;
    if (!typeName) return;
    const facts = reading.then(() => factsOf(message, typeName));
    reading = facts.catch(() => undefined);
    const task = facts.then(handle)
      .catch((error: unknown) => deps.logger.error({ err: error, channel: 'wechaty', messageId: message.id }, 'wechaty message could not be stored'))
      .finally(() => handling.delete(task));
    handling.add(task);
  }

  return {
    name: 'wechaty',
    capabilities: wechatyCapabilities,
    async start() {
      startedAt = now();
      running = await createBot(settings, deps.logger, onMessage);
      await running.bot.start();
    },
    async stop() {
      pacer.close();
      await Promise.allSettled([...handling]);
      await running?.bot.stop();
      running = undefined;
    },
    bot: () => running?.bot,
    idle: async () => {
      while (handling.size > 0) await Promise.allSettled([...handling]);
    },
    async send(conversation, part): Promise<SendResult> {
      const target = targetOf(conversation.threadKey);
      if (!target) return { ok: false, retryable: false, error: 'wechaty: the conversation has no wechaty thread key' };
      const bot = running?.bot;
      if (!bot?.isLoggedIn) return { ok: false, retryable: true, error: 'wechaty: the bot is not logged in' };
      const paced = await pacer.run(() => withTimeout(say(bot, target, part.text), settings.sendTimeoutMs));
      return paced.ran ? paced.value : { ok: false, retryable: true, error: `wechaty: ${paced.reason}` };
    },
  };
}

/** The registry's factory: null unless WECHATY_ENABLED is true. */
export const createWechatyChannel: ChannelFactory = (deps) => {
  const settings = wechatySettingsFrom(deps.config);
  return settings ? buildWechatyChannel(deps, settings) : null;
};
