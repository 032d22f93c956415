/**
 * The durable outbox: a reply is written here in the same transaction as the message, then
 * sent by the dispatcher. States: pending -> sending (a lease, held by a token) -> sent |
 * pending (retry with backoff) | dead (given up, kept for an agent to see); pending -> sent
 * directly when a channel delivers without the dispatcher (passive replies, web chat).
 */
import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import { prepared } from '../storage/prepared.js';
import type { Database, OutboxTable } from '../storage/schema.js';
import { newId, type Q } from './rows.js';

type OutboxValues = {
  id: string; message_id: string; conversation_id: string; channel: string; payload: string; status: string; attempts: number;
  next_attempt_at: number; last_error: string | null; created_at: number; updated_at: number;
};
const insertEntry = prepared<OutboxValues, never>((db, arg) => db.insertInto('outbox').values({
  id: arg('id'), message_id: arg('message_id'), conversation_id: arg('conversation_id'), channel: arg('channel'), payload: arg('payload'),
  status: arg('status'), attempts: arg('attempts'), next_attempt_at: arg('next_attempt_at'), last_error: arg('last_error'),
  created_at: arg('created_at'), updated_at: arg('updated_at'),
}));

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'dead';

export interface OutboxRow {
  id: string;
  seq: number;
  messageId: string;
  conversationId: string;
  channel: string;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export async function enqueueOutbox(
  q: Q, e: { messageId: string; conversationId: string; channel: string; payload: unknown; notBefore: number; now: number },
): Promise<string> {
  const id = newId();
  await insertEntry(q, {
    id, message_id: e.messageId, conversation_id: e.conversationId, channel: e.channel,
    payload: JSON.stringify(e.payload), status: 'pending', attempts: 0, next_attempt_at: e.notBefore,
    last_error: null, created_at: e.now, updated_at: e.now,
  });
  return id;
}

const open = ['pending', 'sending'] as const;

/** The oldest unsent entry of a conversation: entries of one conversation go out in order. */
const head = prepared<{ conversationId: string }, Selectable<OutboxTable>>((db, arg) => db.selectFrom('outbox').selectAll()
  .where('conversation_id', '=', arg('conversationId')).where('status', 'in', open)
  .orderBy('seq').limit(sql.lit(1)));

export async function headOfConversation(q: Q, conversationId: string): Promise<OutboxRow | undefined> {
  const [row] = await head(q, { conversationId });
  return row && {
    id: row.id, seq: row.seq, messageId: row.message_id, conversationId: row.conversation_id, channel: row.channel,
    payload: JSON.parse(row.payload), status: row.status as OutboxStatus, attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at, lastError: row.last_error,
  };
}

/** Of these conversations, the ones with an unsent entry (an indexed probe each). */
export async function withUnsent(q: Q, conversationIds: readonly string[]): Promise<string[]> {
  if (conversationIds.length === 0) return [];
  const rows = await q.selectFrom('outbox').select('conversation_id').distinct()
    .where('conversation_id', 'in', conversationIds).where('status', 'in', open).execute();
  return rows.map((r) => r.conversation_id);
}

/** Conversations with an entry due now (new, retry time reached, or a lease that expired). */
export async function dueConversations(q: Q, now: number, limit: number): Promise<string[]> {
  const rows = await q.selectFrom('outbox').select('conversation_id').distinct()
    .where('status', 'in', open).where('next_attempt_at', '<=', now).limit(limit).execute();
  return rows.map((r) => r.conversation_id);
}

/**
 * A claim on an entry. The token is written by the claim and required by every update that
 * renews or ends it, so a worker whose lease expired and was taken over (its send outlived
 * the lease) changes nothing: its update matches no row. Rules: src/README.md, "Outbox leases".
 */
export interface OutboxLease {
  id: string;
  token: string;
}

/** The entry is still `sending` under this claim. */
const heldBy = (lease: OutboxLease) => (eb: ExpressionBuilder<Database, 'outbox'>) =>
  eb.and([eb('id', '=', lease.id), eb('status', '=', 'sending'), eb('lease_token', '=', lease.token)]);

/** Take the lease on an entry; null when another worker or the passive path got it first. */
export async function claimOutbox(q: Q, id: string, now: number, leaseMs: number): Promise<OutboxLease | null> {
  const token = newId(now);
  const result = await q.updateTable('outbox')
    .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), next_attempt_at: now + leaseMs, lease_token: token, updated_at: now }))
    .where('id', '=', id).where('status', 'in', open).where('next_attempt_at', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? { id, token } : null;
}

/** Push the lease's end to `until` while the send runs; false once another worker holds the entry. */
export async function renewLease(q: Q, lease: OutboxLease, until: number, now: number): Promise<boolean> {
  const result = await q.updateTable('outbox').set({ next_attempt_at: until, updated_at: now }).where(heldBy(lease)).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Mark sent without a lease: used by channels that deliver inside the request (a passive
 * WeChat reply) or locally (web chat). Only a `pending` entry, which nobody holds: false if
 * it was already sent or a worker is sending it.
 */
export async function takeForImmediateDelivery(q: Q, id: string, now: number): Promise<boolean> {
  const result = await q.updateTable('outbox').set({ status: 'sent', attempts: 1, updated_at: now })
    .where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The holder's send went through. False: the lease was lost, nothing was changed. */
export async function markSent(q: Q, lease: OutboxLease, now: number): Promise<boolean> {
  const result = await q.updateTable('outbox').set({ status: 'sent', lease_token: null, updated_at: now, last_error: null })
    .where(heldBy(lease)).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * A worker that lost its lease was told by the channel that its send went through: record
 * it if nobody holds the entry now (pending again, or leased by a worker whose lease ran out
 * too), so it is not sent once more. An entry another worker holds is left to that worker.
 */
export async function markSentUnlessHeld(q: Q, id: string, now: number): Promise<boolean> {
  const result = await q.updateTable('outbox').set({ status: 'sent', lease_token: null, updated_at: now, last_error: null })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'sending'), eb('next_attempt_at', '<=', now)])]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Give a claimed entry back untried (the channel deferred it): pending again at `retryAt`,
 * and the claim's attempt is not counted. False: the lease was lost, nothing was changed.
 */
export async function deferOutbox(q: Q, lease: OutboxLease, e: { note: string; retryAt: number; now: number }): Promise<boolean> {
  const result = await q.updateTable('outbox').set((eb) => ({
    status: 'pending', attempts: eb('attempts', '-', 1), next_attempt_at: e.retryAt, last_error: e.note.slice(0, 1000), lease_token: null, updated_at: e.now,
  })).where(heldBy(lease)).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The holder's send failed: pending again at `retryAt`, or dead (null). False: the lease was lost, nothing was changed. */
export async function markFailed(
  q: Q, lease: OutboxLease, e: { error: string; retryAt: number | null; now: number },
): Promise<boolean> {
  const result = await q.updateTable('outbox').set({
    status: e.retryAt === null ? 'dead' : 'pending',
    next_attempt_at: e.retryAt ?? e.now,
    last_error: e.error.slice(0, 1000),
    lease_token: null,
    updated_at: e.now,
  }).where(heldBy(lease)).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function outboxDepth(q: Q): Promise<Record<OutboxStatus, number>> {
  const rows = await q.selectFrom('outbox').select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '!=', 'sent').groupBy('status').execute();
  const depth: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, dead: 0 };
  for (const r of rows) depth[r.status as OutboxStatus] = Number(r.n);
  return depth;
}

export async function getOutboxByMessage(q: Q, messageId: string): Promise<{ id: string; status: OutboxStatus; lastError: string | null } | undefined> {
  const row = await q.selectFrom('outbox').select(['id', 'status', 'last_error']).where('message_id', '=', messageId).executeTakeFirst();
  return row && { id: row.id, status: row.status as OutboxStatus, lastError: row.last_error };
}
