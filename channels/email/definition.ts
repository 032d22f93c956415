/**
 * The e-mail channel: its settings, read from the environment and validated once, and what
 * it can show. IMAP in (imapflow), SMTP out (nodemailer).
 */
import { z } from 'zod';
import { ConfigError } from '../../src/config.js';
import type { ChannelCapabilities } from '../types.js';

export const emailCapabilities: ChannelCapabilities = {
  // A mail has no practical length limit; never split one reply into several mails.
  maxTextLength: 100_000,
  // No buttons in a mail: choices become a numbered list (the bot seldom speaks by mail anyway).
  choices: false,
  passiveReplyWindowMs: 0,
  localDelivery: false,
};

export type ProcessedAction = { kind: 'seen' } | { kind: 'move'; folder: string };

export interface EmailSettings {
  imap: { host: string; port: number; secure: boolean; user: string; password: string };
  mailboxes: string[];
  processed: ProcessedAction;
  /** Poll this often even with IDLE (a missed notification costs at most this long); the only way without IDLE. */
  pollMs: number;
  smtpUrl: string;
  /** Our sender address (`Name <support@shop.example>` or a bare address). */
  from: string;
  replyTo?: string;
  brand: { name: string; signature: string; logoUrl?: string };
  maxAttachmentBytes: number;
  /** Automatic replies to one address in 24 hours, at most. */
  autoRepliesPerDay: number;
  /** FAQ confidence at or above which the automatic reply is the FAQ answer instead of the acknowledgement. */
  faqConfidence: number;
}

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const positiveInt = z.coerce.number().int().positive();

const EnvSchema = z.object({
  IMAP_URL: z.string().regex(/^imaps?:\/\/[^@/]+@[^/]+/, 'must look like imap://user:password@host:port or imaps://...').optional(),
  IMAP_HOST: z.string().min(1).optional(),
  IMAP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  IMAP_USER: z.string().min(1).optional(),
  IMAP_PASSWORD: z.string().min(1).optional(),
  IMAP_TLS: bool.optional(),
  IMAP_MAILBOXES: z.string().default('INBOX'),
  IMAP_PROCESSED: z.string().regex(/^(seen|move:.+)$/, 'must be `seen` or `move:Folder`').default('seen'),
  IMAP_POLL_MS: positiveInt.min(1000).default(60_000),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().regex(/[^@\s<]+@[^@\s>]+/, 'must contain an e-mail address').optional(),
  MAIL_REPLY_TO: z.string().regex(/[^@\s<]+@[^@\s>]+/, 'must contain an e-mail address').optional(),
  MAIL_BRAND_NAME: z.string().min(1).max(100).default('Kefu'),
  MAIL_SIGNATURE: z.string().max(2000).default(''),
  MAIL_LOGO_URL: z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
  MAIL_MAX_ATTACHMENT_BYTES: positiveInt.default(10 * 1024 * 1024),
  MAIL_AUTO_REPLIES_PER_DAY: positiveInt.max(1000).default(5),
  MAIL_FAQ_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.6),
});

const fail = (problems: Array<[string, string]>): never => {
  throw new ConfigError(`invalid configuration:\n${problems.map(([p, m]) => `  ${p}: ${m}`).join('\n')}`);
};

function imapFrom(e: z.infer<typeof EnvSchema>): EmailSettings['imap'] {
  if (e.IMAP_URL) {
    const url = new URL(e.IMAP_URL);
    const secure = url.protocol === 'imaps:';
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    if (!user || !password) fail([['IMAP_URL', 'must carry the user and the password (imap://user:password@host:port)']]);
    return { host: url.hostname, port: url.port ? Number(url.port) : secure ? 993 : 143, secure, user, password };
  }
  const missing = (['IMAP_HOST', 'IMAP_USER', 'IMAP_PASSWORD'] as const).filter((k) => !e[k]);
  if (missing.length > 0) fail(missing.map((k) => [k, 'is required when IMAP_URL is not set']));
  const secure = e.IMAP_TLS ?? e.IMAP_PORT === 993;
  return { host: e.IMAP_HOST!, port: e.IMAP_PORT ?? (secure ? 993 : 143), secure, user: e.IMAP_USER!, password: e.IMAP_PASSWORD! };
}

/**
 * The channel's settings from environment-shaped values (the parsed config or process.env;
 * empty strings count as unset). Null when neither IMAP_URL nor IMAP_HOST is set: the
 * channel is off. Throws ConfigError naming each bad variable.
 */
export function emailSettingsFrom(env: Readonly<Record<string, unknown>>): EmailSettings | null {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => /^(IMAP|SMTP|MAIL)_/.test(k) && v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) fail(parsed.error.issues.map((i) => [i.path.join('.'), i.message]));
  const e = parsed.data!;
  if (!e.IMAP_URL && !e.IMAP_HOST) return null;
  const imap = imapFrom(e);
  const problems: Array<[string, string]> = [];
  if (!e.SMTP_URL) problems.push(['SMTP_URL', 'is required when IMAP is configured (acknowledgements and agent replies go out by SMTP)']);
  if (!e.MAIL_FROM && !imap.user.includes('@')) problems.push(['MAIL_FROM', 'is required (IMAP_USER is not an e-mail address to fall back on)']);
  const mailboxes = e.IMAP_MAILBOXES.split(',').map((s) => s.trim()).filter(Boolean);
  if (mailboxes.length === 0) problems.push(['IMAP_MAILBOXES', 'must name at least one mailbox']);
  const processed: ProcessedAction = e.IMAP_PROCESSED === 'seen' ? { kind: 'seen' } : { kind: 'move', folder: e.IMAP_PROCESSED.slice(5).trim() };
  if (processed.kind === 'move' && mailboxes.includes(processed.folder)) {
    problems.push(['IMAP_PROCESSED', `moves mail into '${processed.folder}', which is also watched in IMAP_MAILBOXES`]);
  }
  if (problems.length > 0) fail(problems);
  return Object.freeze({
    imap, mailboxes, processed, pollMs: e.IMAP_POLL_MS, smtpUrl: e.SMTP_URL!,
    from: e.MAIL_FROM ?? imap.user, replyTo: e.MAIL_REPLY_TO,
    brand: { name: e.MAIL_BRAND_NAME, signature: e.MAIL_SIGNATURE.replace(/\\n/g, '\n'), logoUrl: e.MAIL_LOGO_URL },
    maxAttachmentBytes: e.MAIL_MAX_ATTACHMENT_BYTES, autoRepliesPerDay: e.MAIL_AUTO_REPLIES_PER_DAY, faqConfidence: e.MAIL_FAQ_CONFIDENCE,
  });
}

/** The bare address inside `Name <addr>` (lower-cased), or the string itself. */
export function addressOf(value: string): string {
  const angle = /<([^>]+)>/.exec(value);
  return (angle?.[1] ?? value).trim().toLowerCase();
}

/** Addresses that are ours: never auto-answered (a loop with ourselves). */
export function ownAddresses(settings: EmailSettings): Set<string> {
  const own = new Set([addressOf(settings.from)]);
  if (settings.replyTo) own.add(addressOf(settings.replyTo));
  if (settings.imap.user.includes('@')) own.add(settings.imap.user.toLowerCase());
  return own;
}
