/**
 * Configuration: one zod schema over the environment, parsed once at start and frozen.
 * A bad value stops the start with a message naming the variable; never a silent fallback.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const url = z.string().url();

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Empty: SQLite under DATA_DIR. `postgres://...`: PostgreSQL. `sqlite:PATH` or `sqlite::memory:` also work. */
  DATABASE_URL: z.string().regex(/^(postgres(ql)?:\/\/|sqlite:)/, 'must start with postgres://, postgresql:// or sqlite:').optional(),
  DATABASE_POOL_SIZE: positiveInt.max(100).default(10),
  /** Several nodes: hub notifications and console frames go through this Redis (pub/sub). Unset: one node. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  /** The pub/sub channel; deployments sharing one Redis use different ones. */
  REDIS_CHANNEL: z.string().min(1).max(200).default('kefu:hub'),
  /** While Redis is unreachable, long-polls, web chat sockets and consoles read again this often. */
  REDIS_RECHECK_MS: positiveInt.min(100).default(2000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest request body accepted, in bytes (webhooks and API). */
  BODY_LIMIT_BYTES: positiveInt.max(50 * 1024 * 1024).default(1024 * 1024),
  /** Languages: the bot answers in the customer's language, else this one. */
  DEFAULT_LOCALE: z.enum(['zh-CN', 'zh-TW', 'en']).default('zh-CN'),
  /** Extra FAQ files (JSON, comma-separated) loaded after the demo FAQ. */
  FAQ_FILES: z.string().default(''),
  FAQ_DEMO: bool.default(true),
  WEBCHAT_MAX_TEXT: positiveInt.max(20000).default(4000),
  /** Allowed origins for the embeddable widget (comma-separated, `*` for any site). */
  WEBCHAT_ALLOWED_ORIGINS: z.string().default('*'),
  OUTBOX_MAX_ATTEMPTS: positiveInt.max(100).default(8),
  OUTBOX_POLL_MS: positiveInt.default(1000),
  /** How long a send may take before the entry is tried again (by this or another process). */
  OUTBOX_LEASE_MS: positiveInt.default(30000),
  /** Optional OpenAI-compatible endpoint for a second opinion on low-confidence turns. */
  OPENAI_BASE_URL: url.optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: positiveInt.max(30000).default(1500),
  /** `on`: ask OPENAI_BASE_URL about messages the local model is unsure of. */
  NLU_SECOND_OPINION: z.enum(['on', 'off']).default('off'),
  /** Understand messages on a worker thread (src/nlu/pool.ts); `auto`: with two cores or more, while one is to spare. */
  NLU_WORKER: z.enum(['auto', 'on', 'off']).default('auto'),
  /** A shop's order API (src/orders/http-provider.ts); unset: the built-in demo shop. */
  ORDER_API_URL: url.optional(),
  ORDER_API_TOKEN: z.string().optional(),
  ORDER_API_TIMEOUT_MS: positiveInt.max(30000).default(3000),

  /** Creates the `admin` agent with this password at first start (when no agent exists). */
  KEFU_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  /** First-response targets per severity, in minutes. */
  SLA_FIRST_RESPONSE_MINUTES: z.string().default('critical:5,serious:15,general:60,none:120'),
  /** Resolution targets per severity, in hours. */
  SLA_RESOLUTION_HOURS: z.string().default('critical:4,serious:24,general:72,none:72'),
  /** How often SLA breaches are looked for, in ms. */
  SLA_CHECK_MS: positiveInt.default(30000),
  /** Hours (server local time, set TZ) when follow-ups may go out: the seed texts' 12-13 and 16-19. */
  FOLLOW_UP_HOURS: z.string().regex(/^\d{1,2}-\d{1,2}(,\d{1,2}-\d{1,2})*$/, 'hour windows like 12-13,16-19').default('12-13,16-19'),
  FOLLOW_UP_CHECK_MS: positiveInt.default(60000),
  /** Tell a waiting customer their place in the queue (at most once a minute). */
  QUEUE_POSITION_MESSAGE: bool.default(true),
  /** A conversation queued this long with no agent goes back to the bot, which says so and schedules a call-back (0: never; critical ones always wait). */
  HANDOFF_TIMEOUT_SECONDS: z.coerce.number().int().min(0).default(300),
  /** A customer silent this long after the bot's last message gets a nudge (0: off). */
  IDLE_SECONDS: z.coerce.number().int().min(0).default(180),
  /** Channels where silent customers are nudged (live chat only: elsewhere a nudge costs quota or is intrusive). */
  IDLE_CHANNELS: z.string().default('webchat'),
  /** Send the console's session cookie with Secure (behind HTTPS). */
  COOKIE_SECURE: bool.default(false),

  // E-mail (channels/email: validated in detail by emailSettingsFrom). Off unless IMAP_URL or IMAP_HOST is set.
  IMAP_URL: z.string().optional(),
  IMAP_HOST: z.string().optional(),
  IMAP_PORT: z.string().optional(),
  IMAP_USER: z.string().optional(),
  IMAP_PASSWORD: z.string().optional(),
  IMAP_TLS: z.string().optional(),
  IMAP_MAILBOXES: z.string().optional(),
  IMAP_PROCESSED: z.string().optional(),
  IMAP_POLL_MS: z.string().optional(),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().optional(),
  MAIL_REPLY_TO: z.string().optional(),
  MAIL_BRAND_NAME: z.string().optional(),
  MAIL_SIGNATURE: z.string().optional(),
  MAIL_LOGO_URL: z.string().optional(),
  MAIL_MAX_ATTACHMENT_BYTES: z.string().optional(),
  MAIL_AUTO_REPLIES_PER_DAY: z.string().optional(),
  MAIL_FAQ_CONFIDENCE: z.string().optional(),

  // Weibo (channels/weibo: validated in detail by weiboSettingsFrom). Off unless WEIBO_ACCESS_TOKEN is set.
  WEIBO_ACCESS_TOKEN: z.string().optional(),
  WEIBO_APP_SECRET: z.string().optional(),
  WEIBO_APP_KEY: z.string().optional(),
  WEIBO_UID: z.string().optional(),
  WEIBO_API_BASE: z.string().optional(),
  WEIBO_DM_API_BASE: z.string().optional(),
  WEIBO_POLL_SECONDS: z.string().optional(),
  WEIBO_PUBLIC_POLICY: z.string().optional(),
  /** Bearer token for the Weibo triage API until agents use it through their own login. */
  KEFU_ADMIN_TOKEN: z.string().optional(),

  // WeChat official account (channels/wechat: validated in detail by wechatSettingsFrom).
  WECHAT_TOKEN: z.string().optional(),
  WECHAT_APP_ID: z.string().optional(),
  WECHAT_APP_SECRET: z.string().optional(),
  WECHAT_ENCODING_AES_KEY: z.string().optional(),
  WECHAT_PREVIOUS_ENCODING_AES_KEY: z.string().optional(),
  WECHAT_API_BASE: url.default('https://api.weixin.qq.com'),
  WECHAT_HANDOFF_TARGET: z.enum(['kefu', 'wechat']).default('kefu'),
  WECHAT_ACCOUNTS: z.string().optional(),
  // WeCom customer service (channels/wecom).
  WECOM_CORP_ID: z.string().optional(),
  WECOM_KF_SECRET: z.string().optional(),
  WECOM_TOKEN: z.string().optional(),
  WECOM_ENCODING_AES_KEY: z.string().optional(),
  WECOM_PREVIOUS_ENCODING_AES_KEY: z.string().optional(),
  WECOM_API_BASE: url.default('https://qyapi.weixin.qq.com'),
  WECOM_HANDOFF_TARGET: z.enum(['wecom', 'kefu']).default('wecom'),
  // Wechaty bot accounts (channels/wechaty: checked together by wechatySettingsFrom).
  WECHATY_ENABLED: bool.default(false),
  WECHATY_PUPPET: z.string().regex(/^(@[\w.-]+\/)?[\w.-]+$/, 'must be a puppet package name, e.g. wechaty-puppet-service').optional(),
  WECHATY_PUPPET_TOKEN: z.string().max(512).optional(),
  WECHATY_NAME: z.string().regex(/^[\w-][\w.-]{0,63}$/, 'letters, digits, _ . - (names the bot\'s session file under DATA_DIR)').default('kefu'),
  WECHATY_SEND_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
  WECHATY_SEND_JITTER_MS: z.coerce.number().int().min(0).max(600_000).default(500),
  WECHATY_ACCEPT_FRIENDS: z.enum(['all', 'none']).default('all'),
  WECHATY_FRIEND_ACCEPTS_PER_HOUR: positiveInt.max(1000).default(20),
  WECHATY_ACCEPT_ROOMS: z.enum(['all', 'none']).default('none'),
  WECHATY_MEDIA_MAX_BYTES: z.coerce.number().int().min(0).max(1024 ** 3).default(20 * 1024 * 1024),
  WECHATY_MEDIA_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  WECHATY_MEDIA_CONCURRENCY: positiveInt.max(64).default(4),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

export class ConfigError extends Error {}

/** Parse the environment (empty strings count as unset). Throws ConfigError naming each bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ConfigSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze({ ...result.data, DATA_DIR: resolve(result.data.DATA_DIR) });
}

/** Load `.env` from the working directory when present (real environment variables win). */
export async function loadEnvFile(cwd = process.cwd()): Promise<void> {
  const file = resolve(cwd, '.env');
  if (!existsSync(file)) return;
  const dotenv = await import('dotenv');
  dotenv.config({ path: file, quiet: true } as Parameters<typeof dotenv.config>[0]);
}

export const listOf = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);
