/**
 * Opens the store: SQLite (better-sqlite3, WAL) by default, PostgreSQL when DATABASE_URL
 * is a postgres:// URL. Both are driven through one Kysely query layer and one schema.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import { Checkpointer, type CheckpointStats } from './checkpointer.js';
import { GroupCommit } from './group-commit.js';
import { runPreparedDirectly } from './prepared.js';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrationProvider, type DialectName } from './migrations/index.js';

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  /**
   * Run a write transaction. On SQLite, jobs arriving together share one commit (see
   * group-commit.ts); on PostgreSQL each is its own transaction (several nodes lock
   * threads in their own order, and a shared transaction could deadlock across nodes).
   */
  write<T>(job: (q: Transaction<Database>) => Promise<T>): Promise<T>;
  migrate(): Promise<string[]>;
  ping(): Promise<boolean>;
  /** SQLite file: the background checkpointer's totals (null: PostgreSQL, memory, or SQLite checkpointing itself). */
  checkpoints(): Promise<CheckpointStats | null>;
  close(): Promise<void>;
}

// PostgreSQL sends bigint (int8) as text to protect precision; our bigints are epoch
// milliseconds and sequence numbers, far below 2^53, so numbers are safe and uniform.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function sqliteFileFor(databaseUrl: string | undefined, dataDir: string): string {
  if (!databaseUrl) return `${dataDir}/kefu.sqlite`;
  if (databaseUrl === 'sqlite::memory:') return ':memory:';
  return databaseUrl.replace(/^sqlite:(\/\/)?/, '');
}

/**
 * Kysely prepares every query anew; preparing costs more than running our small queries.
 * better-sqlite3 statements are reusable, so keep them by SQL text (Kysely only calls
 * `all`/`run`, never iterates two at once on one statement). Bounded: dynamic SQL (IN
 * lists of varying length) must not grow it forever.
 */
function withStatementCache(database: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = database.prepare.bind(database);
  // An own property shadows the prototype's method: no proxy in the way of every call.
  database.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepare(sql);
      if (cache.size >= 500) cache.delete(cache.keys().next().value as string);
      cache.set(sql, statement);
    }
    return statement;
  }) as typeof database.prepare;
  return database;
}

export function openDb(options: { databaseUrl?: string; dataDir: string; poolSize?: number; onWarning?: (message: string) => void }): Db {
  const url = options.databaseUrl;
  const dialect: DialectName = url && /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
  let kysely: Kysely<Database>;
  let checkpointer: Checkpointer | null = null;
  let group: GroupCommit | null = null;
  if (dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // A dropped connection must not crash the process: the query in flight fails (and is
    // answered as an error), the next one reconnects. /healthz reports the outage.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    const file = sqliteFileFor(url, options.dataDir);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const database = new SqliteDatabase(file);
    database.pragma('journal_mode = WAL');
    // NORMAL in WAL mode is durable across process crashes (only an OS crash can lose
    // the last commits) and avoids an fsync per message.
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    database.pragma('cache_size = -65536'); // 64 MiB of page cache
    database.pragma('temp_store = MEMORY');
    // Checkpoints in a worker thread, not inside a commit on the event loop (checkpointer.ts).
    if (file !== ':memory:') checkpointer = Checkpointer.start(database, file, { onError: options.onWarning });
    kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
    runPreparedDirectly(kysely, database);
    group = new GroupCommit(kysely, database);
  }
  return {
    kysely,
    dialect,
    write: (job) => (group ? group.run(job) : kysely.transaction().execute(job)),
    async migrate() {
      const migrator = new Migrator({ db: kysely, provider: migrationProvider(dialect) });
      const { error, results } = await migrator.migrateToLatest();
      if (error) throw error instanceof Error ? error : new Error(String(error));
      // Fresh statistics for the query planner (cheap: SQLite analyses only what needs it).
      if (dialect === 'sqlite') await sql`pragma optimize`.execute(kysely);
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    },
    async ping() {
      try {
        await sql`select 1`.execute(kysely);
        return true;
      } catch {
        return false;
      }
    },
    checkpoints: () => checkpointer?.stats() ?? Promise.resolve(null),
    async close() {
      await checkpointer?.stop();
      await kysely.destroy();
    },
  };
}
