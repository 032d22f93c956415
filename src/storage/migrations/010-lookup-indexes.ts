import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Two lookups that scanned their whole table:
 *  - a conversation's oldest unsent outbox entry (the dispatcher's head, WeChat's passive
 *    take): without an index every pending entry of every conversation was read, which
 *    grows with a backlog (a platform outage) exactly when it hurts;
 *  - a conversation's cases (reopening, follow-ups, the console's history).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.createIndex('outbox_conversation_seq').on('outbox').columns(['conversation_id', 'seq']).execute();
  await db.schema.createIndex('cases_conversation').on('cases').columns(['conversation_id']).execute();
}
