/**
 * Wechaty bot accounts: an ordinary WeChat account driven through a Wechaty puppet. Settings
 * (read from the validated config, checked together here) and capabilities.
 */
import { join } from 'node:path';
import { ConfigError, type Config } from '../../src/config.js';
import type { ChannelCapabilities } from '../types.js';

export const wechatyCapabilities: ChannelCapabilities = {
  // WeChat documents no cap for a personal account's text message; longer replies are split
  // so that each bubble stays readable on a phone.
  maxTextLength: 2000,
  // Plain chat: choices become a numbered list.
  choices: false,
  passiveReplyWindowMs: 0,
  localDelivery: false,
};

/**
 * Messages dated this long before the bot started are replays (puppets hand over recent
 * history at login) and are dropped. The allowance covers the clock difference between
 * WeChat's servers and ours; a replay inside it is stored once anyway (message id).
 */
export const REPLAY_ALLOWANCE_MS = 60_000;

export interface WechatySettings {
  /** Puppet package, e.g. `wechaty-puppet-service`; tests use `wechaty-puppet-mock`. */
  puppet: string;
  /** Puppet service token: passed to the puppet, never logged. */
  token?: string;
  name: string;
  /** Where Wechaty keeps the bot's session (`<path>.memory-card.json`), so a restart needs no new scan. */
  sessionPath: string;
  /** Least time between the end of one send and the start of the next. */
  intervalMs: number;
  /** A random 0..jitterMs is added to each interval. */
  jitterMs: number;
  /**
   * Longest a send may wait in the pacing queue. Half the outbox lease: a send still waiting
   * when the lease ends would be tried a second time by the dispatcher.
   */
  maxWaitMs: number;
  /** Longest one send may take (a quarter of the lease: waiting and sending stay inside it). */
  sendTimeoutMs: number;
  /** Friend requests: accepted (and greeted) or left to a person. */
  acceptFriends: 'all' | 'none';
  /** Accepts per rolling hour; requests beyond wait their turn. */
  friendAcceptsPerHour: number;
  /** Room invitations: accepted or declined (both recorded). */
  acceptRooms: 'all' | 'none';
  media: MediaSettings;
}

export interface MediaSettings {
  /** DATA_DIR: stored paths are relative to it. */
  dataDir: string;
  /** Where customer media is saved: DATA_DIR/wechaty/media. */
  dir: string;
  /** Larger files are recorded (metadata) but not saved; 0 saves nothing. */
  maxBytes: number;
  /** Longest one download may hold the customer's thread (waiting for a slot included). */
  timeoutMs: number;
  /** Downloads at once; up to 8 per slot more wait, beyond that they are skipped (recorded). */
  concurrency: number;
}

/** Null when WECHATY_ENABLED is false; a ConfigError for settings that cannot work. */
export function wechatySettingsFrom(config: Config): WechatySettings | null {
  const problems: string[] = [];
  if (!config.WECHATY_ENABLED) {
    if (config.WECHATY_PUPPET_TOKEN) problems.push('WECHATY_PUPPET_TOKEN: is set but WECHATY_ENABLED is not true');
  } else if (!config.WECHATY_PUPPET) {
    problems.push('WECHATY_PUPPET: is required when WECHATY_ENABLED is true (e.g. wechaty-puppet-service)');
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  if (!config.WECHATY_ENABLED || !config.WECHATY_PUPPET) return null;
  return Object.freeze({
    puppet: config.WECHATY_PUPPET,
    token: config.WECHATY_PUPPET_TOKEN,
    name: config.WECHATY_NAME,
    sessionPath: join(config.DATA_DIR, 'wechaty', config.WECHATY_NAME),
    intervalMs: config.WECHATY_SEND_INTERVAL_MS,
    jitterMs: config.WECHATY_SEND_JITTER_MS,
    maxWaitMs: Math.floor(config.OUTBOX_LEASE_MS / 2),
    sendTimeoutMs: Math.floor(config.OUTBOX_LEASE_MS / 4),
    acceptFriends: config.WECHATY_ACCEPT_FRIENDS,
    friendAcceptsPerHour: config.WECHATY_FRIEND_ACCEPTS_PER_HOUR,
    acceptRooms: config.WECHATY_ACCEPT_ROOMS,
    media: Object.freeze({
      dataDir: config.DATA_DIR, dir: join(config.DATA_DIR, 'wechaty', 'media'),
      maxBytes: config.WECHATY_MEDIA_MAX_BYTES, timeoutMs: config.WECHATY_MEDIA_TIMEOUT_MS, concurrency: config.WECHATY_MEDIA_CONCURRENCY,
    }),
  });
}
