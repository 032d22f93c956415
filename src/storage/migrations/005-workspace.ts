import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The agent workspace: agents and their sessions, the audit log, the queue fields of a
 * conversation, case ownership/SLA fields and the case timeline.
 */
export async function up(db: Kysely<unknown>, { serialPk }: MigrationContext): Promise<void> {
  await db.schema.createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('groups', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('capacity', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('presence', 'text', (c) => c.notNull().defaultTo('offline'))
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createTable('agent_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createTable('audit_log')
    .addColumn('seq', serialPk.type, (c) => serialPk.apply(c))
    .addColumn('agent_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // The queue: why and how urgently a conversation waits for a person, and for which group.
  await db.schema.alterTable('conversations').addColumn('priority', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('queued_at', 'bigint').execute();
  await db.schema.alterTable('conversations').addColumn('handoff_reason', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('group_name', 'text').execute();
  await db.schema.createIndex('conversations_queue').on('conversations').columns(['status', 'queued_at']).execute();
  await db.schema.createIndex('conversations_assignee').on('conversations').columns(['assignee_id', 'status']).execute();

  await db.schema.alterTable('cases').addColumn('first_response_due', 'bigint').execute();
  await db.schema.alterTable('cases').addColumn('resolution_due', 'bigint').execute();
  await db.schema.alterTable('cases').addColumn('first_response_at', 'bigint').execute();
  await db.schema.alterTable('cases').addColumn('resolved_at', 'bigint').execute();
  await db.schema.alterTable('cases').addColumn('resolution', 'text').execute();
  await db.schema.alterTable('cases').addColumn('sla_breached', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema.createTable('case_events')
    .addColumn('seq', serialPk.type, (c) => serialPk.apply(c))
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor', 'text')
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_events_case').on('case_events').columns(['case_id', 'seq']).execute();
}
