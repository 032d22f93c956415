/**
 * The Wechaty instance: loaded only when the channel is enabled (`wechaty` is an optional
 * dependency), started with the configured puppet, its events logged without secrets.
 * The types below are the part of Wechaty's API that is used, written out so that the
 * gateway builds and starts without the package.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../../src/config.js';
import { mask, type Logger } from '../../src/logger.js';
import type { WechatySettings } from './definition.js';
import type { FriendshipKind, WechatyFriendshipLike } from './friends.js';
import type { WechatyMessageLike } from './inbound.js';
import type { RoomJoin, WechatyJoinedRoomLike, WechatyMemberLike, WechatyRoomInvitationLike } from './room-invites.js';

interface Sayer {
  id: string;
  say(text: string, ...mentions: Sayer[]): Promise<unknown>;
}

export interface WechatyBot {
  readonly isLoggedIn: boolean;
  readonly puppet: { roomInvitationAccept(invitationId: string): Promise<void> };
  Contact: { find(query: { id: string }): Promise<Sayer | undefined> };
  Room: { find(query: { id: string }): Promise<Sayer | undefined> };
  Friendship: { fromJSON(payload: string): Promise<WechatyFriendshipLike> };
  on(event: 'message', listener: (message: WechatyMessageLike) => void): unknown;
  on(event: 'friendship', listener: (friendship: WechatyFriendshipLike) => void): unknown;
  on(event: 'room-invite', listener: (invitation: WechatyRoomInvitationLike) => void): unknown;
  on(event: 'room-join', listener: (room: WechatyJoinedRoomLike, invitees: WechatyMemberLike[], inviter: WechatyMemberLike, date: Date) => void): unknown;
  on(event: 'scan', listener: (qrcode: string, status: number) => void): unknown;
  on(event: 'login' | 'logout', listener: (user: { id: string }) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface WechatyModule {
  WechatyBuilder: { build(options: { name: string; puppet: string; puppetOptions?: { token: string } }): WechatyBot };
  log: { level(level: string): void };
  types: { Message: Record<number, string>; Friendship: Record<number, string> };
}

async function loadWechaty(): Promise<WechatyModule> {
  try {
    // A variable specifier: the package is optional, and nothing loads it unless enabled.
    const name = 'wechaty';
    return (await import(name)) as WechatyModule;
  } catch (error) {
    throw new ConfigError(`WECHATY_ENABLED is true but the optional package 'wechaty' cannot be loaded (npm install wechaty): ${(error as Error).message}`);
  }
}

/** Wechaty's own logger is chatty; it gets our level, at most `info` (its verbose levels print options). */
function wechatyLogLevel(level: string): string {
  if (level === 'silent') return 'silent';
  if (level === 'fatal' || level === 'error') return 'error';
  return level === 'warn' || level === 'info' ? 'warn' : 'info';
}

export interface RunningBot {
  bot: WechatyBot;
  /** Wechaty's message type number -> its name (Text, Image...). */
  typeName(type: number): string;
  /** Wechaty's friendship type number -> what it means for us. */
  friendshipKind(type: number): FriendshipKind;
}

export interface BotEvents {
  message(message: WechatyMessageLike): void;
  friendship(friendship: WechatyFriendshipLike): void;
  roomInvite(invitation: WechatyRoomInvitationLike): void;
  roomJoin(join: RoomJoin): void;
  login(): void;
}

/** Builds the bot, not yet started (so that the caller holds it before the first event). */
export async function createBot(settings: WechatySettings, logger: Logger, events: BotEvents): Promise<RunningBot> {
  const wechaty = await loadWechaty();
  wechaty.log.level(wechatyLogLevel(logger.level));
  mkdirSync(dirname(settings.sessionPath), { recursive: true });
  const bot = wechaty.WechatyBuilder.build({
    name: settings.sessionPath, puppet: settings.puppet, puppetOptions: settings.token ? { token: settings.token } : undefined,
  });
  const log = logger.child({ channel: 'wechaty', bot: settings.name });
  // The QR code is what an operator scans with the bot's phone to log in: it has to be shown.
  bot.on('scan', (qrcode, status) => log.info({ status, qrcode }, 'wechaty: scan the QR code with the bot account\'s WeChat to log in'));
  bot.on('login', (user) => {
    log.info({ user: mask(user.id) }, 'wechaty: logged in');
    events.login();
  });
  bot.on('logout', (user) => log.warn({ user: mask(user.id) }, 'wechaty: logged out; replies wait in the outbox until the next login'));
  bot.on('error', (error) => log.warn({ err: error }, 'wechaty: error'));
  bot.on('message', events.message);
  bot.on('friendship', events.friendship);
  bot.on('room-invite', events.roomInvite);
  bot.on('room-join', (room, invitees, inviter, date) => events.roomJoin({ room, invitees, inviter, date }));
  const friendshipKinds: Record<string, FriendshipKind> = { Receive: 'receive', Confirm: 'confirm' };
  return {
    bot,
    typeName: (type) => wechaty.types.Message[type] ?? `type${type}`,
    friendshipKind: (type) => friendshipKinds[wechaty.types.Friendship[type] ?? ''] ?? 'other',
  };
}
