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

/** Compiles a query once per dialect (keyed by its adapter's class: SQLite and PostgreSQL differ in SQL). */
function planner<A extends Args, R>(
  build: (db: Kysely<Database>, arg: <K extends keyof A & string>(name: K) => A[K]) => Compilable<R>,
): (q: Kysely<Database>) => Plan<R> {
  const plans = new Map<unknown, Plan<R>>();
  return (q) => {
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
}

const valuesOf = (slots: Plan<unknown>['slots'], args: Args) => slots.map((s) => ('arg' in s ? args[s.arg] : s.value));

/** The SQLite connection to run on directly: inside a transaction only (see runPreparedDirectly). */
const directConnection = (q: Kysely<Database>) => (q.isTransaction ? sqliteByAdapter.get(q.getExecutor().adapter) : undefined);

export function prepared<A extends Args, R>(
  build: (db: Kysely<Database>, arg: <K extends keyof A & string>(name: K) => A[K]) => Compilable<R>,
): PreparedQuery<A, R> {
  const planFor = planner(build);
  return async (q, args) => {
    const { compiled, slots } = planFor(q);
    const parameters = valuesOf(slots, args);
    const sqlite = directConnection(q);
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

/** What a prepared write did: rows changed, and (asked for) the new row's `seq`. */
export interface Written {
  changes: number;
  seq?: number;
}

/** An insert or update (Kysely's builders); `seq` is asked for only of tables that have it. */
type Write = Compilable<unknown> & { returning(column: 'seq'): Compilable<unknown> };

/**
 * An insert or update built once (as `prepared`) whose caller needs only how many rows it
 * changed and, with `seq`, the new row's sequence number (the table's rowid). Directly on
 * SQLite that is the statement's own change count and last rowid: no RETURNING clause, whose
 * rows SQLite gathers separately and better-sqlite3 turns into objects (about a fifth of a
 * small insert's time). Elsewhere the `seq` comes by RETURNING, the count from the driver.
 */
export function preparedWrite<A extends Args>(
  build: (db: Kysely<Database>, arg: <K extends keyof A & string>(name: K) => A[K]) => Write,
  options: { seq?: boolean } = {},
): (q: Kysely<Database>, args: A) => Promise<Written> {
  const bare = planner<A, unknown>(build);
  const returning = planner<A, unknown>((db, arg) => build(db, arg).returning('seq'));
  return async (q, args) => {
    const sqlite = directConnection(q);
    if (sqlite) {
      const { compiled, slots } = bare(q);
      const info = sqlite.prepare(compiled.sql).run(valuesOf(slots, args));
      return options.seq && info.changes > 0 ? { changes: info.changes, seq: Number(info.lastInsertRowid) } : { changes: info.changes };
    }
    if (options.seq) {
      const { compiled, slots } = returning(q);
      const { rows } = await q.executeQuery<{ seq: number }>({ ...compiled, parameters: valuesOf(slots, args) });
      return rows[0] ? { changes: rows.length, seq: Number(rows[0].seq) } : { changes: 0 };
    }
    const { compiled, slots } = bare(q);
    const result = await q.executeQuery({ ...compiled, parameters: valuesOf(slots, args) });
    return { changes: Number(result.numAffectedRows ?? 0) };
  };
}
