/**
 * The e-mail channel's own tables (src/storage/migrations/003-email.ts, 007-email-bounces.ts):
 * Message-ID -> thread, the automatic-reply decision per inbound mail, the suppression list. Plain functions over a Kysely runner.
 */
import { randomBytes } from 'node:crypto';
import type { Q } from '../../src/store/index.js';
import { getCheckpoint, setCheckpoint } from '../../src/store/checkpoints.js';
import type { ThreadLookups } from './threading.js';

type EmailTables = {
  email_messages: { message_id: string; thread_key: string; direction: string; sender: string | null; reply_to: string | null; subject_key: string; created_at: number };
  email_auto_replies: { inbound_id: string; case_number: string | null; recipient: string | null; decision: string; created_at: number };
  email_suppressions: { address: string; status: string; diagnostic: string | null; bounce_id: string; case_number: string | null; created_at: number };
};

const tables = (q: Q) => q.withTables<EmailTables>();

export async function recordMessage(
  q: Q, m: { messageId: string; threadKey: string; direction: 'in' | 'out'; sender: string | null; replyTo: string | null; subjectKey: string; now: number },
): Promise<void> {
  await tables(q).insertInto('email_messages').values({
    message_id: m.messageId, thread_key: m.threadKey, direction: m.direction, sender: m.sender, reply_to: m.replyTo, subject_key: m.subjectKey.slice(0, 500), created_at: m.now,
  }).onConflict((oc) => oc.column('message_id').doNothing()).execute();
}

export async function decisionFor(q: Q, inboundId: string): Promise<string | undefined> {
  const row = await tables(q).selectFrom('email_auto_replies').select('decision').where('inbound_id', '=', inboundId).executeTakeFirst();
  return row?.decision;
}

export async function recordDecision(
  q: Q, d: { inboundId: string; caseNumber: string | null; recipient: string | null; decision: string; now: number },
): Promise<void> {
  await tables(q).insertInto('email_auto_replies').values({
    inbound_id: d.inboundId, case_number: d.caseNumber, recipient: d.recipient, decision: d.decision, created_at: d.now,
  }).onConflict((oc) => oc.column('inbound_id').doNothing()).execute();
}

/** Whether this case already had its automatic reply (acknowledgement or FAQ answer). */
export async function caseAutoReplied(q: Q, caseNumber: string): Promise<boolean> {
  const row = await tables(q).selectFrom('email_auto_replies').select('inbound_id')
    .where('case_number', '=', caseNumber).where('decision', 'in', ['ack', 'faq']).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function autoRepliesSince(q: Q, recipient: string, since: number): Promise<number> {
  const row = await tables(q).selectFrom('email_auto_replies').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('recipient', '=', recipient).where('decision', 'in', ['ack', 'faq']).where('created_at', '>=', since).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The newest answerable inbound mail of a thread (an agent's reply answers it), in arrival order. */
export async function lastInbound(q: Q, threadKey: string): Promise<{ messageId: string; replyTo: string } | undefined> {
  const row = await tables(q).selectFrom('email_messages')
    .innerJoin('messages', (j) => j.onRef('messages.channel_message_id', '=', 'email_messages.message_id').on('messages.channel', '=', 'email'))
    .select(['email_messages.message_id', 'email_messages.reply_to'])
    .where('email_messages.thread_key', '=', threadKey).where('email_messages.direction', '=', 'in').where('email_messages.reply_to', 'is not', null)
    .orderBy('messages.seq', 'desc').limit(1).executeTakeFirst();
  return row?.reply_to ? { messageId: row.message_id, replyTo: row.reply_to } : undefined;
}

/** Message-IDs of a thread, oldest first: the References of our next mail. */
export async function threadMessageIds(q: Q, threadKey: string, limit = 20): Promise<string[]> {
  const rows = await tables(q).selectFrom('email_messages').select('message_id')
    .where('thread_key', '=', threadKey).orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map((r) => r.message_id).reverse();
}

/** Whether we sent this Message-ID (a bounce of it is a bounce of our mail, not a forgery naming anyone). */
export async function isOurMessage(q: Q, messageId: string): Promise<boolean> {
  const row = await tables(q).selectFrom('email_messages').select('message_id')
    .where('message_id', '=', messageId).where('direction', '=', 'out').executeTakeFirst();
  return row !== undefined;
}

/** Whether this address wrote in this thread or was where its replies went: someone we may have mailed. */
export async function addressOnThread(q: Q, threadKey: string, address: string): Promise<boolean> {
  const row = await tables(q).selectFrom('email_messages').select('message_id').where('thread_key', '=', threadKey)
    .where((eb) => eb.or([eb('sender', '=', address), eb('reply_to', '=', address)])).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * The newest case of an earlier conversation on this thread: a reply to a closed conversation's
 * thread arrives in a new conversation on the same thread key (the pipeline opens one).
 */
export async function earlierCaseOnThread(q: Q, threadKey: string, conversationId: string): Promise<string | undefined> {
  const row = await q.selectFrom('cases').innerJoin('conversations', 'conversations.id', 'cases.conversation_id').select('cases.number')
    .where('conversations.channel', '=', 'email').where('conversations.thread_key', '=', threadKey).where('conversations.id', '!=', conversationId)
    .orderBy('cases.created_at', 'desc').limit(1).executeTakeFirst();
  return row?.number;
}

/** Put an address on the suppression list (the first hard bounce is kept). */
export async function suppress(
  q: Q, s: { address: string; status: string; diagnostic: string | null; bounceId: string; caseNumber: string | null; now: number },
): Promise<void> {
  await tables(q).insertInto('email_suppressions').values({
    address: s.address.toLowerCase(), status: s.status, diagnostic: s.diagnostic?.slice(0, 500) ?? null, bounce_id: s.bounceId, case_number: s.caseNumber, created_at: s.now,
  }).onConflict((oc) => oc.column('address').doNothing()).execute();
}

export async function isSuppressed(q: Q, address: string): Promise<boolean> {
  const row = await tables(q).selectFrom('email_suppressions').select('address').where('address', '=', address.toLowerCase()).executeTakeFirst();
  return row !== undefined;
}

/** A random key kept in the database: the body marker's digest (threading.ts) cannot be forged without it. */
export async function markerSecret(q: Q, now: number): Promise<string> {
  const name = 'email:marker-secret';
  const existing = await getCheckpoint(q, name);
  if (existing) return existing;
  await q.insertInto('checkpoints').values({ name, value: randomBytes(24).toString('hex'), updated_at: now })
    .onConflict((oc) => oc.column('name').doNothing()).execute();
  return (await getCheckpoint(q, name))!;
}

export interface UidCheckpoint { uidValidity: string; uid: number }

export async function getUidCheckpoint(q: Q, name: string): Promise<UidCheckpoint | undefined> {
  const value = await getCheckpoint(q, name);
  return value ? JSON.parse(value) as UidCheckpoint : undefined;
}

export async function setUidCheckpoint(q: Q, name: string, value: UidCheckpoint, now: number): Promise<void> {
  await setCheckpoint(q, name, JSON.stringify(value), now);
}

/** Threading lookups over the database (threading.ts decides, this only reads). */
export function threadLookups(q: Q): ThreadLookups {
  const openThread = async (threadKey: string) => {
    const row = await q.selectFrom('conversations').select('thread_key')
      .where('channel', '=', 'email').where('thread_key', '=', threadKey).where('status', '!=', 'closed').executeTakeFirst();
    return row ? { threadKey: row.thread_key } : undefined;
  };
  return {
    async caseThread(caseNumber) {
      const row = await q.selectFrom('cases').innerJoin('conversations', 'conversations.id', 'cases.conversation_id')
        .select('conversations.thread_key').where('cases.number', '=', caseNumber).where('conversations.channel', '=', 'email')
        .executeTakeFirst();
      // A closed conversation's thread key still leads there: the pipeline opens a new conversation on it.
      return row ? { threadKey: row.thread_key } : undefined;
    },
    async threadOfMessage(messageId) {
      const row = await tables(q).selectFrom('email_messages').select('thread_key').where('message_id', '=', messageId).executeTakeFirst();
      return row ? { threadKey: row.thread_key } : undefined;
    },
    async senderOnThread(threadKey, address) {
      const wrote = await tables(q).selectFrom('email_messages').select('message_id')
        .where('thread_key', '=', threadKey).where('sender', '=', address.toLowerCase()).limit(1).executeTakeFirst();
      if (wrote) return true;
      const customer = await q.selectFrom('conversations').innerJoin('identities', 'identities.customer_id', 'conversations.customer_id')
        .select('identities.id').where('conversations.channel', '=', 'email').where('conversations.thread_key', '=', threadKey)
        .where('identities.channel', '=', 'email').where('identities.external_id', '=', address.toLowerCase()).limit(1).executeTakeFirst();
      return customer !== undefined;
    },
    async threadBySubject(address, key) {
      const rows = await tables(q).selectFrom('email_messages').select('thread_key')
        .where('sender', '=', address.toLowerCase()).where('subject_key', '=', key).orderBy('created_at', 'desc').limit(5).execute();
      for (const row of rows) {
        const open = await openThread(row.thread_key);
        if (open) return open;
      }
      return undefined;
    },
  };
}
