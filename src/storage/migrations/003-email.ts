import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The e-mail channel (channels/email): which thread each Message-ID belongs to (ours and the
 * customers', for threading replies), and what was decided about each inbound mail's
 * automatic reply (at most once per case, a per-address rate limit, idempotent on restart).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.createTable('email_messages')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('thread_key', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    /** The sender of an inbound mail (lower-case), null for ours. */
    .addColumn('sender', 'text')
    /** Where a reply to it goes (Reply-To, else From), null for ours. */
    .addColumn('reply_to', 'text')
    .addColumn('subject_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('email_messages_thread').on('email_messages').columns(['thread_key', 'sender']).execute();
  await db.schema.createIndex('email_messages_subject').on('email_messages').columns(['sender', 'subject_key']).execute();

  await db.schema.createTable('email_auto_replies')
    /** The stored inbound message (messages.id) the decision is about. */
    .addColumn('inbound_id', 'text', (c) => c.primaryKey())
    .addColumn('case_number', 'text')
    .addColumn('recipient', 'text')
    /** ack | faq | none:<reason> */
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('email_auto_replies_case').on('email_auto_replies').columns(['case_number', 'decision']).execute();
  await db.schema.createIndex('email_auto_replies_recipient').on('email_auto_replies').columns(['recipient', 'created_at']).execute();
}
