import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Public Weibo posts that mention the account (channels/weibo): their grade and where each
 * stands (new, acknowledged, handed_over, ignored), for the console's triage view, and the
 * public reply, claimed before it is posted so a post is never answered twice.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.createTable('weibo_posts')
    // `status:<id>` / `comment:<id>`: the inbound message's channel_message_id.
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status_id', 'text', (c) => c.notNull())
    .addColumn('author_uid', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('link', 'text', (c) => c.notNull())
    .addColumn('posted_at', 'bigint', (c) => c.notNull())
    .addColumn('conversation_id', 'text')
    // The grade: intent, severity (none/general/serious/critical), category, form, nature, reasons (JSON).
    .addColumn('triage_kind', 'text')
    .addColumn('intent', 'text')
    .addColumn('severity', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('category', 'text')
    .addColumn('form', 'text')
    .addColumn('nature', 'text')
    .addColumn('reasons', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('priority', 'text', (c) => c.notNull().defaultTo('normal'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('new'))
    .addColumn('triaged_at', 'bigint')
    // The public reply: queued (outbox), claimed by a send, posted (Weibo's comment id).
    .addColumn('reply_text', 'text')
    .addColumn('reply_queued_at', 'bigint')
    .addColumn('reply_claimed_at', 'bigint')
    .addColumn('reply_id', 'text')
    .addColumn('replied_at', 'bigint')
    .addColumn('reply_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('weibo_posts_triage').on('weibo_posts').columns(['severity', 'state', 'posted_at']).execute();
}
