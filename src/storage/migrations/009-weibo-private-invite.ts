import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The private message Weibo allows after an @-mention (channels.md: one reply through
 * messages/reply.json), sent once after a public complaint is acknowledged (channels/weibo):
 * queued, claimed before it is sent (so it goes at most once), sent, or its error.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  for (const [name, type] of [
    ['invite_text', 'text'], ['invite_queued_at', 'bigint'], ['invite_claimed_at', 'bigint'], ['invite_sent_at', 'bigint'], ['invite_error', 'text'],
  ] as const) {
    await db.schema.alterTable('weibo_posts').addColumn(name, type).execute();
  }
  // "Invited this author lately?" (one invitation per author per day, whatever they post).
  await db.schema.createIndex('weibo_posts_invites').on('weibo_posts').columns(['author_uid', 'invite_queued_at']).execute();
}
