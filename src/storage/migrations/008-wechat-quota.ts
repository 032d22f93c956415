import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * WeChat's customer-service allowance per customer (channels/wechat/quota.ts), shared by
 * every node on the database and kept across restarts: a customer's message opens 48 hours
 * for 5 messages, a follow or menu click one minute for 3. One row per customer and kind.
 * WeCom (channels/wecom) counts its 5-in-48-hours here too.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const table = db.schema.createTable('wechat_quota')
    /** `wechat` (official accounts) or `wecom` (WeChat customer service): the same rule. */
    .addColumn('channel', 'text', (c) => c.notNull())
    /** The conversation thread key: `<account original id>:<openid>` (WeCom: `<open_kfid>:<external_userid>`). */
    .addColumn('thread_key', 'text', (c) => c.notNull())
    /** `message` (48 h, 5) or `action` (1 min, 3). */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    /** Messages still allowed in this window; 0 once used up or after WeChat refused (45015/45047). */
    .addColumn('remaining', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('wechat_quota_pk', ['channel', 'thread_key', 'kind']);
  // Written for every customer message: on SQLite the rows live in the primary key's own
  // B-tree, one page less to write per message than a rowid table plus its key index.
  await (ctx.dialect === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table).execute();
  // Pruning windows long closed.
  await db.schema.createIndex('wechat_quota_expires').on('wechat_quota').column('expires_at').execute();
}
