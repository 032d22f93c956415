/**
 * The WeChat channel's own queries (the shared ones are in src/store): built once with
 * `prepared`, because the webhook runs them for every message.
 */
import { sql } from 'kysely';
import { prepared } from '../../src/storage/prepared.js';
import type { Q } from '../../src/store/index.js';

/**
 * Marks one outbox entry sent for the passive reply, in one statement, only if it is still
 * pending and no older entry of its conversation is unsent (pending, or leased by the
 * dispatcher): what `headOfConversation` + `takeForImmediateDelivery` check in two.
 */
const takeIfOldest = prepared<{ id: string; conversationId: string; now: number }, { id: string }>((db, arg) => db.updateTable('outbox')
  .set({ status: 'sent', attempts: 1, updated_at: arg('now') })
  .where('id', '=', arg('id')).where('status', '=', 'pending')
  .where(({ not, exists, selectFrom }) => not(exists(selectFrom('outbox as older').select(sql<number>`1`.as('one'))
    .where('older.conversation_id', '=', arg('conversationId')).where('older.status', 'in', ['pending', 'sending'])
    .whereRef('older.seq', '<', 'outbox.seq'))))
  .returning('id'));

/** True when the entry was taken: nothing older waits, and nobody else had it. */
export async function takeOutboxIfOldest(q: Q, entry: { id: string; conversationId: string }, now: number): Promise<boolean> {
  return (await takeIfOldest(q, { id: entry.id, conversationId: entry.conversationId, now })).length === 1;
}
