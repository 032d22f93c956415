import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Friend requests a Wechaty bot account accepts (channels/wechaty/friends.ts), kept across
 * restarts: a request waiting for the hourly cap is resumed by the next start, in order, and
 * the accepts of the last hour still count against the cap. Claimed (`accepting`) before the
 * puppet is asked, so a request is accepted once.
 */
export async function up(db: Kysely<unknown>, { serialPk }: MigrationContext): Promise<void> {
  await db.schema.createTable('wechaty_friend_requests')
    // Arrival order: requests are accepted in it.
    .addColumn('seq', serialPk.type, (c) => serialPk.apply(c))
    /** WECHATY_NAME: one table for every bot account on the database. */
    .addColumn('bot', 'text', (c) => c.notNull())
    /** Wechaty's friendship id. */
    .addColumn('friendship_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    /** What the record says: contact (id, name) and the request's hello, as JSON. */
    .addColumn('facts', 'text', (c) => c.notNull())
    /** `friendship.toJSON()`, what `Friendship.fromJSON()` needs after a restart; null if it could not be read. */
    .addColumn('payload', 'text')
    /** `waiting`, `accepting` (claimed), `accepted`, `failed`, `expired`, `declined`, `unresumable`. */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    /** When the request took one of the hour's accepts (the cap counts these). */
    .addColumn('accepted_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('wechaty_friend_requests_id').unique().on('wechaty_friend_requests').columns(['bot', 'friendship_id']).execute();
  // The head of a bot's queue, and its accepts of the last hour.
  await db.schema.createIndex('wechaty_friend_requests_state').on('wechaty_friend_requests').columns(['bot', 'state', 'seq']).execute();
  await db.schema.createIndex('wechaty_friend_requests_accepted').on('wechaty_friend_requests').columns(['bot', 'accepted_at']).execute();
}
