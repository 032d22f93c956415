/**
 * The Weibo channel: its settings, read from the environment and validated once, what it can
 * show, and the limits Weibo imposes (public comments, polling, private messages).
 */
import { z } from 'zod';
import { ConfigError } from '../../src/config.js';
import type { ChannelCapabilities } from '../types.js';

export const weiboCapabilities: ChannelCapabilities = {
  // This is the private-message limit (fan service). No official figure is published for a
  // fan-service text; 500 characters stays well inside what the SDKs report accepting. Public
  // comments have their own, hard limit (PUBLIC_MAX_CHARS) and are composed by triage.ts.
  maxTextLength: 500,
  choices: false,
  // Fan service waits 5 s for the passive reply, like WeChat: the dispatcher holds replies
  // longer than the webhook waits (PASSIVE_DEADLINE_MS).
  passiveReplyWindowMs: 4500,
  localDelivery: false,
};

/** A Weibo comment: at most 140 characters, every character counting one. */
export const PUBLIC_MAX_CHARS = 140;
/** How long the fan-service webhook waits for the answer (Weibo hangs up at 5 s). */
export const PASSIVE_DEADLINE_MS = 4000;
/** Fan-service pushes are small JSON documents; anything this big is not from Weibo. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Private replies through messages/reply.json are allowed for 48 h after the customer's message. */
export const PRIVATE_REPLY_WINDOW_MS = 48 * 3600_000;
export const DEFAULT_API_BASE = 'https://api.weibo.com';
/** Fan-service calls (messages/reply.json) are served from their own host, not DEFAULT_API_BASE. */
export const DEFAULT_DM_API_BASE = 'https://m.api.weibo.com';
export const DEFAULT_POLL_SECONDS = 120;
/** Weibo's hourly limits are per user and per IP: polling faster than this only earns 10023s. */
export const MIN_POLL_SECONDS = 30;

/** What the channel posts publicly for a post that is not a complaint (complaints are always acknowledged). */
export interface PublicPolicy {
  /** A question: `answer` with the bot's reply when it fits 140 characters (else invite), `invite` to a private message, or `ignore`. */
  question: 'answer' | 'invite' | 'ignore';
  /** Praise and thanks: `thank` or `ignore`. */
  praise: 'thank' | 'ignore';
  /** Anything else (greetings, chatter, reposts): `ignore` or `invite`. */
  other: 'ignore' | 'invite';
}

export const DEFAULT_PUBLIC_POLICY: PublicPolicy = Object.freeze({ question: 'answer', praise: 'thank', other: 'ignore' });

export interface WeiboSettings {
  appKey?: string;
  appSecret: string;
  accessToken: string;
  /** The account's own uid: its posts are never answered. Fetched from get_uid.json when unset. */
  uid?: string;
  /** Public API: mentions, comments, get_uid. */
  apiBase: string;
  /** Fan-service API: private messages (messages/reply.json). */
  dmApiBase: string;
  pollSeconds: number;
  publicPolicy: PublicPolicy;
  /** Bearer token of the triage API until agent authentication lands (auth.ts). */
  adminToken?: string;
}

const PolicyEntry = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('question'), action: z.enum(['answer', 'invite', 'ignore']) }),
  z.object({ kind: z.literal('praise'), action: z.enum(['thank', 'ignore']) }),
  z.object({ kind: z.literal('other'), action: z.enum(['ignore', 'invite']) }),
]);

/** `question=answer,praise=thank,other=ignore` (any subset; the rest keep their defaults). */
export function parsePublicPolicy(value: string | undefined): { ok: true; policy: PublicPolicy } | { ok: false; message: string } {
  const policy: PublicPolicy = { ...DEFAULT_PUBLIC_POLICY };
  if (value === undefined || value.trim() === '') return { ok: true, policy };
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [kind, action, ...rest] = item.split('=').map((s) => s.trim());
    const entry = PolicyEntry.safeParse({ kind, action });
    if (rest.length > 0 || !entry.success) {
      return { ok: false, message: `'${item}' is not one of question=answer|invite|ignore, praise=thank|ignore, other=ignore|invite` };
    }
    Object.assign(policy, { [entry.data.kind]: entry.data.action });
  }
  return { ok: true, policy };
}

const EnvSchema = z.object({
  WEIBO_APP_KEY: z.string().regex(/^\d{1,20}$/, 'must be the numeric App Key from open.weibo.com').optional(),
  WEIBO_APP_SECRET: z.string().regex(/^[A-Za-z0-9]{8,64}$/, 'must be the App Secret from open.weibo.com (letters and digits)').optional(),
  WEIBO_ACCESS_TOKEN: z.string().regex(/^[A-Za-z0-9._-]{8,256}$/, 'must be an OAuth2 access token of the account').optional(),
  WEIBO_UID: z.string().regex(/^\d{1,20}$/, 'must be the account\'s numeric uid').optional(),
  WEIBO_API_BASE: z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
  WEIBO_DM_API_BASE: z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
  WEIBO_POLL_SECONDS: z.coerce.number().int().min(MIN_POLL_SECONDS, `must be at least ${MIN_POLL_SECONDS} (Weibo's rate limits)`).max(3600).default(DEFAULT_POLL_SECONDS),
  WEIBO_PUBLIC_POLICY: z.string().optional(),
  KEFU_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').max(512).optional(),
});

const HOST_AND_TIMING = new Set(['WEIBO_API_BASE', 'WEIBO_DM_API_BASE', 'WEIBO_POLL_SECONDS']);
const trimBase = (url: string): string => url.replace(/\/+$/, '');

/**
 * The fan-service host: WEIBO_DM_API_BASE; unset, the real fan-service host while the public
 * API is Weibo's own, and otherwise WEIBO_API_BASE (a proxy or a test server in front of both).
 */
export function dmApiBaseOf(apiBase: string | undefined, dmApiBase: string | undefined): string {
  if (dmApiBase) return trimBase(dmApiBase);
  if (apiBase && trimBase(apiBase) !== DEFAULT_API_BASE) return trimBase(apiBase);
  return DEFAULT_DM_API_BASE;
}

const fail = (problems: Array<[string, string]>): never => {
  throw new ConfigError(`invalid configuration:\n${problems.map(([p, m]) => `  ${p}: ${m}`).join('\n')}`);
};

/**
 * The channel's settings from environment-shaped values (the parsed config or process.env;
 * empty strings count as unset). Null when no WEIBO_ variable is set: the channel is off.
 * Throws ConfigError naming each bad variable.
 */
export function weiboSettingsFrom(env: Readonly<Record<string, unknown>>): WeiboSettings | null {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => (k.startsWith('WEIBO_') || k === 'KEFU_ADMIN_TOKEN') && v !== undefined && v !== ''));
  // Hosts and the interval alone (defaults a config may always fill in) do not switch the channel on.
  if (!Object.keys(cleaned).some((k) => k.startsWith('WEIBO_') && !HOST_AND_TIMING.has(k))) return null;
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) fail(parsed.error.issues.map((i) => [i.path.join('.'), i.message]));
  const e = parsed.data!;
  const problems: Array<[string, string]> = [];
  if (!e.WEIBO_ACCESS_TOKEN) problems.push(['WEIBO_ACCESS_TOKEN', 'is required (the account\'s OAuth2 token: polling and replies)']);
  if (!e.WEIBO_APP_SECRET) problems.push(['WEIBO_APP_SECRET', 'is required (it signs the fan-service pushes)']);
  const policy = parsePublicPolicy(e.WEIBO_PUBLIC_POLICY);
  if (!policy.ok) problems.push(['WEIBO_PUBLIC_POLICY', policy.message]);
  if (problems.length > 0) fail(problems);
  return Object.freeze({
    appKey: e.WEIBO_APP_KEY,
    appSecret: e.WEIBO_APP_SECRET!,
    accessToken: e.WEIBO_ACCESS_TOKEN!,
    uid: e.WEIBO_UID,
    apiBase: trimBase(e.WEIBO_API_BASE ?? DEFAULT_API_BASE),
    dmApiBase: dmApiBaseOf(e.WEIBO_API_BASE, e.WEIBO_DM_API_BASE),
    pollSeconds: e.WEIBO_POLL_SECONDS,
    publicPolicy: Object.freeze((policy as { policy: PublicPolicy }).policy),
    adminToken: e.KEFU_ADMIN_TOKEN,
  });
}
