/**
 * The WeChat channel's own queries (the shared ones are in src/store): built once with
 * `prepared`, because the webhook runs them for every message.
 */
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../src/storage/db.js';
import { prepared, preparedWrite } from '../../src/storage/prepared.js';
import type { Database } from '../../src/storage/schema.js';
import type { Q } from '../../src/store/index.js';

/**
 * Marks one outbox entry sent for the passive reply, in one statement, only if it is still
 * pending and no older entry of its conversation is unsent (pending, or leased by the
 * dispatcher): what `headOfConversation` + `takeForImmediateDelivery` check in two.
 */
const takeIfOldest = preparedWrite<{ id: string; conversationId: string; now: number }>((db, arg) => db.updateTable('outbox')
  .set({ status: 'sent', attempts: 1, updated_at: arg('now') })
  .where('id', '=', arg('id')).where('status', '=', 'pending')
  .where(({ not, exists, selectFrom }) => not(exists(selectFrom('outbox as older').select(sql<number>`1`.as('one'))
    .where('older.conversation_id', '=', arg('conversationId')).where('older.status', 'in', ['pending', 'sending'])
    .whereRef('older.seq', '<', 'outbox.seq')))));

/** True when the entry was taken: nothing older waits, and nobody else had it. */
export async function takeOutboxIfOldest(q: Q, entry: { id: string; conversationId: string }, now: number): Promise<boolean> {
  return (await takeIfOldest(q, { id: entry.id, conversationId: entry.conversationId, now })).changes === 1;
}

/**
 * A short write the webhook does for each message. On SQLite it joins the group commit (one
 * commit shared with the messages being stored); on PostgreSQL every statement it runs is
 * atomic by itself, so no transaction (two more round trips) is wrapped around it.
 */
export function writeSoon<T>(db: Pick<Db, 'kysely' | 'dialect' | 'write'>, job: (q: Q) => Promise<T>): Promise<T> {
  return db.dialect === 'sqlite' ? db.write(job) : job(db.kysely);
}

// The quota table (migration 008-wechat-quota) is this channel's alone: typed here.
interface QuotaTable {
  channel: string;
  thread_key: string;
  kind: string;
  expires_at: number;
  remaining: number;
  updated_at: number;
}
const quotaTable = (db: Kysely<Database>) => db as unknown as Kysely<{ wechat_quota: QuotaTable }>;

export interface QuotaRow {
  kind: string;
  expiresAt: number;
  remaining: number;
}

/** A customer on a channel: `wechat` or `wecom` (the same rule, one table). */
export type QuotaKey = { channel: string; threadKey: string };
type Window = QuotaKey & { kind: string; expiresAt: number; remaining: number; now: number };
const insertWindow = (db: Kysely<Database>, arg: <K extends keyof Window & string>(name: K) => Window[K]) => quotaTable(db).insertInto('wechat_quota')
  .values({ channel: arg('channel'), thread_key: arg('threadKey'), kind: arg('kind'), expires_at: arg('expiresAt'), remaining: arg('remaining'), updated_at: arg('now') });
const replaceWindow = prepared<Window, never>((db, arg) => insertWindow(db, arg)
  .onConflict((oc) => oc.columns(['channel', 'thread_key', 'kind']).doUpdateSet({ expires_at: arg('expiresAt'), remaining: arg('remaining'), updated_at: arg('now') })));
const addWindow = prepared<Window, never>((db, arg) => insertWindow(db, arg).onConflict((oc) => oc.columns(['channel', 'thread_key', 'kind']).doNothing()));
const windowsOf = prepared<QuotaKey, { kind: string; expires_at: number; remaining: number }>((db, arg) => quotaTable(db)
  .selectFrom('wechat_quota').select(['kind', 'expires_at', 'remaining']).where('channel', '=', arg('channel')).where('thread_key', '=', arg('threadKey')));
const spend = preparedWrite<QuotaKey & { kind: string; now: number }>((db, arg) => quotaTable(db).updateTable('wechat_quota')
  .set((eb) => ({ remaining: eb('remaining', '-', 1), updated_at: arg('now') }))
  .where('channel', '=', arg('channel')).where('thread_key', '=', arg('threadKey')).where('kind', '=', arg('kind')).where('remaining', '>', 0).where('expires_at', '>', arg('now')));
const giveBack = preparedWrite<QuotaKey & { kind: string; max: number; now: number }>((db, arg) => quotaTable(db).updateTable('wechat_quota')
  .set((eb) => ({ remaining: eb('remaining', '+', 1), updated_at: arg('now') }))
  .where('channel', '=', arg('channel')).where('thread_key', '=', arg('threadKey')).where('kind', '=', arg('kind')).where('remaining', '<', arg('max')).where('expires_at', '>', arg('now')));
const useUp = preparedWrite<QuotaKey & { now: number }>((db, arg) => quotaTable(db).updateTable('wechat_quota')
  .set({ remaining: 0, updated_at: arg('now') }).where('channel', '=', arg('channel')).where('thread_key', '=', arg('threadKey')));

/** A window the customer opened: replaces the one of the same kind (a new message starts over). */
export async function openQuotaWindow(q: Q, w: Window): Promise<void> {
  await replaceWindow(q, w);
}

export async function quotaWindows(q: Q, key: QuotaKey): Promise<QuotaRow[]> {
  return (await windowsOf(q, key)).map((r) => ({ kind: r.kind, expiresAt: Number(r.expires_at), remaining: Number(r.remaining) }));
}

/** One message from this window, if it is open and not used up (atomic: nodes cannot both spend the last). */
export async function spendQuota(q: Q, key: QuotaKey, kind: string, now: number): Promise<boolean> {
  return (await spend(q, { ...key, kind, now })).changes === 1;
}

/** One message back to this window (a send that WeChat never accepted), up to its allowance. */
export async function refundQuota(q: Q, key: QuotaKey, kind: string, max: number, now: number): Promise<boolean> {
  return (await giveBack(q, { ...key, kind, max, now })).changes === 1;
}

/** Nothing left in any window; a customer without one gets `fallback` with nothing left. */
export async function useUpQuota(q: Q, key: QuotaKey, now: number, fallback: { kind: string; expiresAt: number }): Promise<void> {
  if ((await useUp(q, { ...key, now })).changes > 0) return;
  await addWindow(q, { ...key, kind: fallback.kind, expiresAt: fallback.expiresAt, remaining: 0, now });
}

/** Forget a channel's windows closed before `before`. */
export async function pruneQuota(q: Q, channel: string, before: number): Promise<number> {
  const result = await quotaTable(q).deleteFrom('wechat_quota').where('channel', '=', channel).where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
