/**
 * The WeChat official-account (公众号) channel: its settings, read from the environment and
 * validated once, and what it can show.
 */
import { z } from 'zod';
import { ConfigError } from '../../src/config.js';
import type { ChannelCapabilities } from '../types.js';

export const wechatCapabilities: ChannelCapabilities = {
  // WeChat caps a text message at 2048 bytes of UTF-8 (passive reply and customer-service
  // API alike) and answers a longer one with errcode 45002. Our limit counts code points:
  // 600 Chinese characters are 1,800 bytes, inside the cap with room to spare. Only text
  // made mostly of 4-byte characters (emoji) could pass 2048 bytes at 600 code points;
  // replies are authored templates and FAQ answers, so that is accepted, and a 45002 would
  // be recorded on the outbox entry rather than retried.
  maxTextLength: 600,
  // No buttons in a plain text message: choices become a numbered list.
  choices: false,
  // WeChat waits 5 s for the passive reply; the webhook waits up to 4 s for the answer, so
  // the dispatcher must hold replies a little longer than that before it uses the API.
  passiveReplyWindowMs: 4500,
  localDelivery: false,
};

/** How long the webhook waits for the answer before it answers `success` (WeChat gives up at 5 s). */
export const PASSIVE_DEADLINE_MS = 4000;
/** WeChat messages are small (text up to 2048 bytes); anything this big is not from WeChat. */
export const MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_API_BASE = 'https://api.weixin.qq.com';
/** The account served at `/webhooks/wechat` (others at `/webhooks/wechat/:name`). */
export const DEFAULT_ACCOUNT = 'default';

const aesKey = z.string().regex(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey from the WeChat console');
const appId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the AppID (wx...) from the WeChat console');

const AccountFields = z.object({
  token: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'must be the Token set in the WeChat console (letters and digits)'),
  appId: appId.optional(),
  appSecret: z.string().min(1).max(128).optional(),
  encodingAesKey: aesKey.optional(),
  previousEncodingAesKey: aesKey.optional(),
}).strict();

const NamedAccount = AccountFields.extend({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be lower-case letters, digits and -, at most 32'),
});

export interface WechatAccount {
  /** `default`, or the name in WECHAT_ACCOUNTS: the last segment of the webhook URL. */
  name: string;
  token: string;
  appId?: string;
  appSecret?: string;
  encodingAesKey?: string;
  /** The key before the last rotation: messages WeChat encrypted with it are still read. */
  previousEncodingAesKey?: string;
}

export interface WechatSettings {
  accounts: WechatAccount[];
  apiBase: string;
  /** `kefu`: our own agents take over; `wechat`: WeChat's agent system (transfer_customer_service). */
  handoffTarget: 'kefu' | 'wechat';
}

const EnvSchema = z.object({
  WECHAT_TOKEN: AccountFields.shape.token.optional(),
  WECHAT_APP_ID: appId.optional(),
  WECHAT_APP_SECRET: z.string().min(1).max(128).optional(),
  WECHAT_ENCODING_AES_KEY: aesKey.optional(),
  WECHAT_PREVIOUS_ENCODING_AES_KEY: aesKey.optional(),
  WECHAT_API_BASE: z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL').default(DEFAULT_API_BASE),
  WECHAT_HANDOFF_TARGET: z.enum(['kefu', 'wechat']).default('kefu'),
  /** JSON array of further accounts: [{"name","token","appId","appSecret","encodingAesKey","previousEncodingAesKey"}]. */
  WECHAT_ACCOUNTS: z.string().optional(),
});

/** Rules zod cannot express field by field; returns problems as `[path, message]`. */
function accountProblems(a: Omit<WechatAccount, 'name'>, path: (field: string) => string): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  // Safe mode checks the appid inside every decrypted message, and the API needs it too.
  if (a.encodingAesKey && !a.appId) problems.push([path('appId'), 'is required when an EncodingAESKey is set']);
  if (a.appSecret && !a.appId) problems.push([path('appId'), 'is required when an AppSecret is set']);
  if (a.previousEncodingAesKey && !a.encodingAesKey) problems.push([path('previousEncodingAesKey'), 'needs the current EncodingAESKey too']);
  return problems;
}

const fail = (problems: Array<[string, string]>): never => {
  throw new ConfigError(`invalid configuration:\n${problems.map(([p, m]) => `  ${p}: ${m}`).join('\n')}`);
};

/**
 * The channel's settings from environment-shaped values (the parsed config or process.env;
 * empty strings count as unset). Null when no account is configured: the channel is off.
 * Throws ConfigError naming each bad variable.
 */
export function wechatSettingsFrom(env: Readonly<Record<string, unknown>>): WechatSettings | null {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('WECHAT_') && v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) fail(parsed.error.issues.map((i) => [i.path.join('.'), i.message]));
  const e = parsed.data!;
  const accounts: WechatAccount[] = [];
  const problems: Array<[string, string]> = [];
  if (e.WECHAT_TOKEN) {
    const account = {
      name: DEFAULT_ACCOUNT, token: e.WECHAT_TOKEN, appId: e.WECHAT_APP_ID, appSecret: e.WECHAT_APP_SECRET,
      encodingAesKey: e.WECHAT_ENCODING_AES_KEY, previousEncodingAesKey: e.WECHAT_PREVIOUS_ENCODING_AES_KEY,
    };
    const names: Record<string, string> = { appId: 'WECHAT_APP_ID', previousEncodingAesKey: 'WECHAT_PREVIOUS_ENCODING_AES_KEY' };
    problems.push(...accountProblems(account, (field) => names[field] ?? field));
    accounts.push(account);
  } else {
    for (const name of ['WECHAT_APP_ID', 'WECHAT_APP_SECRET', 'WECHAT_ENCODING_AES_KEY'] as const) {
      if (e[name]) problems.push([name, 'is set but WECHAT_TOKEN is not (the default account needs its Token)']);
    }
  }
  if (e.WECHAT_ACCOUNTS) {
    let list: unknown;
    try {
      list = JSON.parse(e.WECHAT_ACCOUNTS);
    } catch {
      fail([['WECHAT_ACCOUNTS', 'must be a JSON array of accounts']]);
    }
    const named = z.array(NamedAccount).min(1).safeParse(list);
    if (!named.success) fail(named.error.issues.map((i) => [`WECHAT_ACCOUNTS${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`, i.message]));
    named.data!.forEach((account, i) => {
      problems.push(...accountProblems(account, (field) => `WECHAT_ACCOUNTS[${i}].${field}`));
      if (account.name === DEFAULT_ACCOUNT || accounts.some((a) => a.name === account.name)) {
        problems.push([`WECHAT_ACCOUNTS[${i}].name`, `'${account.name}' is used twice (or is the reserved name '${DEFAULT_ACCOUNT}')`]);
      }
      accounts.push(account);
    });
  }
  if (problems.length > 0) fail(problems);
  if (accounts.length === 0) return null;
  return Object.freeze({ accounts, apiBase: e.WECHAT_API_BASE.replace(/\/+$/, ''), handoffTarget: e.WECHAT_HANDOFF_TARGET });
}
