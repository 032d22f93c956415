/**
 * Which conversation a mail belongs to, in the order of channels.md: a case tag in the
 * subject (`[#K000123]`), our own Message-IDs in In-Reply-To/References (newest last), a
 * marker in the body, and the subject alone only for a sender already on that thread.
 * Two customers' mail is never merged by subject alone. The lookups are injected, so the
 * decision is a table test.
 */
import { createHash, createHmac } from 'node:crypto';

export interface ThreadLookups {
  /** The open thread of a case, by its number. */
  caseThread(caseNumber: string): Promise<{ threadKey: string } | undefined>;
  /** The thread a Message-ID (ours or a mail we received) was recorded in. */
  threadOfMessage(messageId: string): Promise<{ threadKey: string } | undefined>;
  /** Whether this address has written in (or is the customer of) this thread. */
  senderOnThread(threadKey: string, address: string): Promise<boolean>;
  /** An open thread of this sender whose subject reads the same. */
  threadBySubject(address: string, subjectKey: string): Promise<{ threadKey: string } | undefined>;
}

export type ThreadVia = 'tag' | 'references' | 'marker' | 'subject' | 'new';

export interface ThreadDecision {
  threadKey: string;
  via: ThreadVia;
  /** A tag that named a case but was not trusted (a stranger's mail, nothing else linking it). */
  refusedTag?: string;
}

const TAG = /\[#(K\d{6,})\]/gi;
const MARKER = /Kefu-Ref:\s*(K\d{6,})-([0-9a-f]{8})/gi;

export const caseTag = (caseNumber: string): string => `[#${caseNumber}]`;

export function tagsIn(subject: string): string[] {
  return [...subject.matchAll(TAG)].map((m) => m[1]!.toUpperCase());
}

/** The subject without reply/forward prefixes and our tags: the case's subject. */
export function baseSubject(subject: string): string {
  let s = subject.replace(TAG, ' ');
  for (;;) {
    const next = s.replace(/^\s*((re|fw|fwd|aw|sv|antw|答复|回复|转发|回覆|轉寄)\s*(\[\d+\])?\s*[:：]\s*)/i, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').trim();
}

/** The base subject lower-cased: for subject-only matching. */
export const subjectKey = (subject: string): string => baseSubject(subject).toLowerCase();

/** The reply subject: the customer's subject with `Re:` and our tag added once. */
export function replySubject(subject: string, caseNumber: string, prefix = 'Re: '): string {
  return `${prefix}${baseSubject(subject) || caseNumber} ${caseTag(caseNumber)}`;
}

/**
 * The body marker: the case number with a keyed digest, so a marker cannot be forged to
 * join someone else's case (case numbers are sequential and easy to guess).
 */
export function bodyMarker(caseNumber: string, secret: string): string {
  return `Kefu-Ref: ${caseNumber}-${markerDigest(caseNumber, secret)}`;
}

const markerDigest = (caseNumber: string, secret: string): string =>
  createHmac('sha256', secret).update(caseNumber.toUpperCase()).digest('hex').slice(0, 8);

export function markedCase(body: string, secret: string): string | undefined {
  for (const m of body.matchAll(MARKER)) {
    const number = m[1]!.toUpperCase();
    if (m[2]!.toLowerCase() === markerDigest(number, secret)) return number;
  }
  return undefined;
}

/** A new thread's key: its root Message-ID (hashed when absurdly long). */
export function newThreadKey(messageId: string): string {
  return messageId.length <= 400 ? `mid:${messageId}` : `mid:sha256:${createHash('sha256').update(messageId).digest('hex')}`;
}

export interface MailForThreading {
  messageId: string;
  sender: string | undefined;
  subject: string;
  inReplyTo: string[];
  references: string[];
  /** The whole body, quotes included (the marker sits in the quoted part). */
  body: string;
}

export async function resolveThread(mail: MailForThreading, lookups: ThreadLookups, markerSecret: string): Promise<ThreadDecision> {
  // In-Reply-To names the parent; References is oldest first, so the newest known ancestor wins.
  let byReference: string | undefined;
  for (const id of [...mail.inReplyTo, ...[...mail.references].reverse()]) {
    byReference = (await lookups.threadOfMessage(id))?.threadKey;
    if (byReference) break;
  }
  const marked = markedCase(mail.body, markerSecret);
  const byMarker = marked ? (await lookups.caseThread(marked))?.threadKey : undefined;

  let refusedTag: string | undefined;
  for (const number of tagsIn(mail.subject)) {
    const thread = await lookups.caseThread(number);
    if (!thread) continue;
    // A tag is trusted from someone on the thread, or when the references or marker agree.
    const trusted = thread.threadKey === byReference || thread.threadKey === byMarker
      || (mail.sender !== undefined && await lookups.senderOnThread(thread.threadKey, mail.sender));
    if (trusted) return { threadKey: thread.threadKey, via: 'tag' };
    refusedTag ??= number;
  }
  const extra = refusedTag ? { refusedTag } : {};
  if (byReference) return { threadKey: byReference, via: 'references', ...extra };
  if (byMarker) return { threadKey: byMarker, via: 'marker', ...extra };
  const key = subjectKey(mail.subject);
  if (mail.sender && key.length >= 4) {
    const same = await lookups.threadBySubject(mail.sender, key);
    if (same) return { threadKey: same.threadKey, via: 'subject', ...extra };
  }
  return { threadKey: newThreadKey(mail.messageId), via: 'new', ...extra };
}
