import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Who holds an outbox entry's lease: a random token written by the claim (`pending ->
 * sending`) and required by every update that ends or renews that claim, so a worker whose
 * lease expired while its send still ran (another node took the entry since) changes
 * nothing. Null whenever the entry is not `sending`. Entries left `sending` by an older
 * version have none: their lease expires and the next claim writes one.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('lease_token', 'text').execute();
}
