import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The e-mail channel's suppression list: an address that bounced for good (a 5.x.x
 * delivery-status report of our own mail) gets no more automatic mail (channels/email).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.createTable('email_suppressions')
    /** Lower-case address. */
    .addColumn('address', 'text', (c) => c.primaryKey())
    /** The enhanced status code of the bounce (5.1.1...). */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('diagnostic', 'text')
    /** The stored bounce (messages.id) and the case it was recorded against. */
    .addColumn('bounce_id', 'text', (c) => c.notNull())
    .addColumn('case_number', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
