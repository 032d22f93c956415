import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The demo shop's orders (src/orders/demo-provider.ts): what the bot places when no
 * ORDER_API_URL is configured. A real shop keeps its orders itself (src/orders/http-provider.ts).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_no', 'text', (c) => c.notNull().unique())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    // The inbound message that placed it: a retried message finds its order instead of placing another.
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('ship_within_days', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('orders_customer').on('orders').column('customer_id').execute();
}
