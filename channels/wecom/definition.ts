/**
 * WeCom customer service (微信客服, "kf"): WeChat users talk to a customer-service account of
 * a WeCom corp. Settings and capabilities.
 */
import { z } from 'zod';
import { ConfigError } from '../../src/config.js';
import type { ChannelCapabilities } from '../types.js';

export const wecomCapabilities: ChannelCapabilities = {
  // Same 2048-byte cap on a text message as the official account: 600 Chinese characters
  // are 1,800 bytes (see channels/wechat/definition.ts).
  maxTextLength: 600,
  // kf has menu messages (msgmenu), not yet used: choices become a numbered list.
  choices: false,
  // No passive reply: the callback only says "there is something to fetch".
  passiveReplyWindowMs: 0,
  localDelivery: false,
};

export const DEFAULT_WECOM_API_BASE = 'https://qyapi.weixin.qq.com';

export interface WecomSettings {
  corpId: string;
  /** Secret of the app allowed to call the kf API (「微信客服 - 可调用接口的应用」). */
  secret: string;
  token: string;
  encodingAesKey: string;
  previousEncodingAesKey?: string;
  apiBase: string;
  /** `wecom`: hand-overs go to WeCom's agents (session state 2/3); `kefu`: our agents answer through the API. */
  handoffTarget: 'kefu' | 'wecom';
}

const aesKey = z.string().regex(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey of the callback settings');

const EnvSchema = z.object({
  WECOM_CORP_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the corp id (ww...)').optional(),
  WECOM_KF_SECRET: z.string().min(1).max(128).optional(),
  WECOM_TOKEN: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'must be the callback Token (letters and digits)').optional(),
  WECOM_ENCODING_AES_KEY: aesKey.optional(),
  WECOM_PREVIOUS_ENCODING_AES_KEY: aesKey.optional(),
  WECOM_API_BASE: z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL').default(DEFAULT_WECOM_API_BASE),
  WECOM_HANDOFF_TARGET: z.enum(['kefu', 'wecom']).default('wecom'),
});

/**
 * Settings from environment-shaped values; null when WECOM_CORP_ID is unset (channel off).
 * WeCom callbacks are always encrypted, so the Token and EncodingAESKey are required.
 */
export function wecomSettingsFrom(env: Readonly<Record<string, unknown>>): WecomSettings | null {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('WECOM_') && v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  const problems: Array<[string, string]> = parsed.success ? [] : parsed.error.issues.map((i) => [i.path.join('.'), i.message]);
  const e = parsed.success ? parsed.data : undefined;
  if (e && !e.WECOM_CORP_ID) {
    for (const name of ['WECOM_KF_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const) {
      if (e[name]) problems.push([name, 'is set but WECOM_CORP_ID is not']);
    }
  }
  if (e?.WECOM_CORP_ID) {
    for (const name of ['WECOM_KF_SECRET', 'WECOM_TOKEN', 'WECOM_ENCODING_AES_KEY'] as const) {
      if (!e[name]) problems.push([name, 'is required when WECOM_CORP_ID is set']);
    }
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.map(([p, m]) => `  ${p}: ${m}`).join('\n')}`);
  if (!e?.WECOM_CORP_ID) return null;
  return Object.freeze({
    corpId: e.WECOM_CORP_ID, secret: e.WECOM_KF_SECRET!, token: e.WECOM_TOKEN!, encodingAesKey: e.WECOM_ENCODING_AES_KEY!,
    previousEncodingAesKey: e.WECOM_PREVIOUS_ENCODING_AES_KEY, apiBase: e.WECOM_API_BASE.replace(/\/+$/, ''),
    handoffTarget: e.WECOM_HANDOFF_TARGET,
  });
}
