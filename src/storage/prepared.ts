/**
 * Queries built once. Kysely builds, validates and compiles a query object on every call,
 * which costs more than SQLite takes to run our small indexed queries. A hot query is
 * written here once, with named placeholders where its values go; it is compiled by Kysely
 * (so the SQL is still Kysely's, for whichever dialect runs it) the first time it runs on
 * that dialect, and afterwards only the values are swapped in.
 *
 *   const byId = prepared<{ id: string }, CustomerRow>((db, arg) =>
 *     db.selectFrom('customers').selectAll().where('id', '=', arg('id')));
 *   const rows = await byId(q, { id });
 *
 * A placeholder stands for one scalar value (not a list: `in` lists vary in length).
 */
import type SqliteDatabase from 'better-sqlite3';
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema.js';

type Args = Record<string, unknown>;

/** Marks a placeholder among a compiled query's parameters; never sent to a database. */
const MARK = '\u0000kefu-arg:';

interface Plan<R> {
  compiled: CompiledQuery<R>;
  /** Per parameter: the argument's name, or a constant Kysely put there itself. */
  slots: Array<{ arg: string } | { value: unknown }>;
}

export type PreparedQuery<A extends Args, R> = (q: Kysely<Database>, args: A) => Promise<R[]>;

/** SQLite connections by their Kysely adapter (one per Kysely instance, shared by its transactions). */
const sqliteByAdapter = new WeakMap<object, SqliteDatabase.Database>();

/**
 * Inside a transaction on SQLite, prepared queries run on the connection's cached statement
 * directly: the transaction holds the one connection already, and Kysely's way there (its
 * connection provider, mutex and result plumbing, several promise hops) cost more than the
 * statement itself. Outside a transaction they go through Kysely, which serialises them
 * with the transactions on that connection (a direct read could see uncommitted rows).
 */
export function runPreparedDirectly(kysely: Kysely<Database>, database: SqliteDatabase.Database): void {
  sqliteByAdapter.set(kysely.getExecutor().adapter, database);
}

export function prepared<A extends Args, R>(
  build: (db: Kysely<Database>, arg: <K extends keyof A & string>(name: K) => A[K]) => Compilable<R>,
): PreparedQuery<A, R> {
  // One plan per dialect (keyed by its adapter's class): SQLite and PostgreSQL differ in SQL.
  const plans = new Map<unknown, Plan<R>>();
  const planFor = (q: Kysely<Database>): Plan<R> => {
    const dialect = q.getExecutor().adapter.constructor;
    let plan = plans.get(dialect);
    if (!plan) {
      const compiled = build(q, (name) => `${MARK}${name}` as never).compile();
      const slots = compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? { arg: p.slice(MARK.length) } : { value: p }));
      plan = { compiled, slots };
      plans.set(dialect, plan);
    }
    return plan;
  };
  return async (q, args) => {
    const { compiled, slots } = planFor(q);
    const parameters = slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
    const sqlite = q.isTransaction ? sqliteByAdapter.get(q.getExecutor().adapter) : undefined;
    if (sqlite) {
      const statement = sqlite.prepare(compiled.sql);
      if (statement.reader) return statement.all(parameters) as R[];
      statement.run(parameters);
      return [];
    }
    const result = await q.executeQuery<R>({ ...compiled, parameters });
    return result.rows;
  };
}
