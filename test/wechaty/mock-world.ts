/**
 * The real gateway with WECHATY_ENABLED on wechaty-puppet-mock, whose Mocker plays WeChat:
 * contacts and rooms write to the bot account, and every message the bot sends comes back to
 * the people and rooms it was sent to (and to the bot itself, as its own message).
 */
import type { PuppetMock, mock } from 'wechaty-puppet-mock';
import { wechatySettingsFrom } from '../../channels/wechaty/definition.js';
import { buildWechatyChannel, type WechatyChannel } from '../../channels/wechaty/index.js';
import { loadNlu } from '../../src/nlu/index.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';

export type Said = { id: string; text: string; from: string; at: number };

export const BOT_NAME = '小助手';

export const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** Everything a contact or room hears, in order. */
export function listen(target: mock.ContactMock | mock.RoomMock): Said[] {
  const heard: Said[] = [];
  // The mocks are event emitters ('message'); their typed-emitter typings do not resolve here.
  (target as unknown as NodeJS.EventEmitter).on('message', (m: mock.MessageMock) => {
    heard.push({ id: m.id, text: m.payload.text ?? '', from: m.payload.talkerId ?? '', at: Date.now() });
  });
  return heard;
}

export interface MockWorld {
  running: RunningGateway;
  channel: WechatyChannel;
  mocker: mock.Mocker;
  puppet: PuppetMock;
  botUser: mock.ContactMock;
  /** A WeChat user (not yet the bot's friend when `friend: false`) and what they hear. */
  customer(name: string, payload?: { friend?: boolean; id?: string }): { contact: mock.ContactMock; heard: Said[] };
  /** What the bot said among what was heard. */
  fromBot(heard: Said[]): Said[];
  /** Inbound rows of a thread, in the order stored. */
  storedIn(threadKey: string): Promise<Array<{ kind: string; text: string; meta: string | null; attachments: string; channel_message_id: string | null }>>;
}

const nlu = loadNlu({ includeDemoFaq: true });

/**
 * Starts the gateway with the mock puppet and logs the bot account in. `now`: the channel's
 * clock (the hourly cap reads it); `botId`: the same bot account as an earlier world's;
 * `beforeLogin`: e.g. spies on the puppet before anything happens at login.
 */
export async function startMockWorld(env: Record<string, string>, options: { now?: () => number; botId?: string; beforeLogin?: (puppet: PuppetMock) => void } = {}): Promise<MockWorld> {
  const tuned = options.now ? [(deps: Parameters<typeof buildWechatyChannel>[0]) => buildWechatyChannel(deps, wechatySettingsFrom(deps.config)!, { now: options.now })] : [];
  const running = await startGateway({ WECHATY_ENABLED: 'true', WECHATY_PUPPET: 'wechaty-puppet-mock', WECHATY_NAME: 'test-bot', ...env }, { nlu, extraChannels: tuned });
  const channel = running.gateway.channels.get('wechaty') as WechatyChannel;
  const puppet = channel.bot()!.puppet as unknown as PuppetMock;
  const mocker = puppet.mocker;
  const botUser = mocker.createContact({ name: BOT_NAME, ...(options.botId ? { id: options.botId } : {}) });
  options.beforeLogin?.(puppet);
  mocker.login(botUser);
  await until(() => channel.bot()!.isLoggedIn);
  return {
    running, channel, mocker, puppet, botUser,
    customer(name, payload = {}) {
      const contact = mocker.createContact({ name, ...payload });
      return { contact, heard: listen(contact) };
    },
    fromBot: (heard) => heard.filter((s) => s.from === botUser.id),
    storedIn: (threadKey) => running.gateway.db.kysely.selectFrom('messages').innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
      .select(['messages.kind', 'messages.text', 'messages.meta', 'messages.attachments', 'messages.channel_message_id'])
      .where('messages.channel', '=', 'wechaty').where('conversations.thread_key', '=', threadKey)
      .where('messages.direction', '=', 'in').orderBy('messages.seq').execute(),
  };
}
