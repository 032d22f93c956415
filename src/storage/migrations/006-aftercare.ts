import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/** After a conversation: satisfaction surveys and scheduled follow-ups (revisits). */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.createTable('surveys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().unique().references('conversations.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('thread_key', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addColumn('rating', 'integer')
    .addColumn('comment', 'text')
    .addColumn('answered_at', 'bigint')
    .execute();
  await db.schema.createIndex('surveys_thread').on('surveys').columns(['channel', 'thread_key', 'sent_at']).execute();

  await db.schema.createTable('follow_ups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text')
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('outcome', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('done_at', 'bigint')
    .execute();
  await db.schema.createIndex('follow_ups_due').on('follow_ups').columns(['status', 'due_at']).execute();
}
