/**
 * One list of migrations for both dialects, in order, registered statically (no file
 * globbing, so the list is readable here and works the same from src/ and dist/).
 */
import type { ColumnDataType, ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import * as init from './001-init.js';
import * as orders from './002-orders.js';
import * as email from './003-email.js';
import * as weibo from './004-weibo.js';
import * as workspace from './005-workspace.js';
import * as aftercare from './006-aftercare.js';
import * as emailBounces from './007-email-bounces.js';
import * as wechatQuota from './008-wechat-quota.js';
import * as weiboPrivateInvite from './009-weibo-private-invite.js';
import * as lookupIndexes from './010-lookup-indexes.js';
import * as wechatyFriendRequests from './011-wechaty-friend-requests.js';
import * as outboxLeaseToken from './012-outbox-lease-token.js';

export type DialectName = 'sqlite' | 'postgres';

export interface MigrationContext {
  dialect: DialectName;
  /** An auto-incrementing integer primary key, spelled the way each dialect wants it. */
  serialPk: { type: ColumnDataType; apply: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder };
}

type Step = { up: (db: Kysely<unknown>, ctx: MigrationContext) => Promise<void> };

const steps: Record<string, Step> = {
  '001-init': init,
  '002-orders': orders,
  '003-email': email,
  '004-weibo': weibo,
  '005-workspace': workspace,
  '006-aftercare': aftercare,
  '007-email-bounces': emailBounces,
  '008-wechat-quota': wechatQuota,
  '009-weibo-private-invite': weiboPrivateInvite,
  '010-lookup-indexes': lookupIndexes,
  '011-wechaty-friend-requests': wechatyFriendRequests,
  '012-outbox-lease-token': outboxLeaseToken,
};

export function migrationProvider(dialect: DialectName): MigrationProvider {
  const ctx: MigrationContext = {
    dialect,
    serialPk: dialect === 'postgres'
      ? { type: 'bigserial', apply: (c) => c.primaryKey() }
      : { type: 'integer', apply: (c) => c.primaryKey().autoIncrement() },
  };
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return Object.fromEntries(
        Object.entries(steps).map(([name, step]) => [name, { up: (db: Kysely<unknown>) => step.up(db, ctx) }]),
      );
    },
  };
}
