/**
 * RFC 3834 and common practice: which mail must never get an automatic reply. The order
 * follows channels.md; reference implementations: Zammad `auto_response_check.rb`, osTicket
 * `isAutoReply`, FreeScout `FetchEmails.php`. Pure: a table test covers every rule.
 */
import type { ParsedMail } from './parse.js';

export type NoReplyReason =
  | 'bounce' | 'auto-submitted' | 'precedence' | 'list' | 'x-autoreply' | 'auto-response-suppress'
  | 'empty-return-path' | 'system-sender' | 'own-address' | 'no-sender';

const value = (mail: Pick<ParsedMail, 'headers'>, name: string): string | undefined => mail.headers.find(([k]) => k === name)?.[1];

/** Local parts that belong to mail systems, not people (RFC 3834 §3.1.8 and RFC 2142). */
export function isSystemAddress(address: string): boolean {
  const local = address.toLowerCase().split('@')[0] ?? '';
  return local === 'mailer-daemon' || local === 'postmaster' || local.endsWith('-request') || local.startsWith('owner-')
    || local === 'noreply' || local === 'no-reply' || local === 'do-not-reply' || local === 'donotreply';
}

/**
 * Why this mail must not be answered automatically, or null when it may be. Even when null,
 * the responder still answers at most once per case and per its rate limit.
 */
export function noReplyReason(mail: Pick<ParsedMail, 'headers' | 'from' | 'deliveryReport' | 'replyTo'>, own: ReadonlySet<string>): NoReplyReason | null {
  if (mail.deliveryReport) return 'bounce';
  // Any other machine report (RFC 6522): read receipts (RFC 8098), feedback reports.
  if (/^\s*multipart\/report\b/i.test(value(mail, 'content-type') ?? '')) return 'auto-submitted';
  const auto = value(mail, 'auto-submitted');
  // RFC 3834 §5: any value other than `no` (auto-replied, auto-generated, auto-notified...).
  if (auto !== undefined && auto.split(';')[0]!.trim().toLowerCase() !== 'no') return 'auto-submitted';
  const precedence = value(mail, 'precedence')?.trim().toLowerCase();
  if (precedence === 'bulk' || precedence === 'list' || precedence === 'junk' || precedence === 'auto_reply') return 'precedence';
  // RFC 2369 / 2919: List-Id, List-Unsubscribe, List-Post... all say "a list sent this".
  if (mail.headers.some(([k]) => k.startsWith('list-'))) return 'list';
  if (value(mail, 'x-autoreply') !== undefined || value(mail, 'x-autorespond') !== undefined || value(mail, 'x-autoresponder') !== undefined) return 'x-autoreply';
  const suppress = value(mail, 'x-auto-response-suppress')?.toLowerCase();
  if (suppress && /\b(all|autoreply|oof)\b/.test(suppress)) return 'auto-response-suppress';
  const returnPath = value(mail, 'return-path');
  if (returnPath !== undefined && /^\s*<?\s*>?\s*$/.test(returnPath)) return 'empty-return-path';
  if (!mail.from) return 'no-sender';
  const targets = [mail.from.address, ...mail.replyTo];
  if (targets.some(isSystemAddress)) return 'system-sender';
  if (targets.some((a) => own.has(a.toLowerCase()))) return 'own-address';
  return null;
}

/** How a no-reply mail reaches the pipeline: an event the dialog ignores, so nothing answers it. */
export function eventFor(reason: NoReplyReason): 'bounce' | 'auto_submitted' | 'bulk' | 'own_mail' {
  if (reason === 'bounce') return 'bounce';
  if (reason === 'precedence' || reason === 'list') return 'bulk';
  if (reason === 'own-address') return 'own_mail';
  return 'auto_submitted';
}
