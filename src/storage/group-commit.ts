/**
 * Group commit for SQLite: write jobs that arrive while a transaction is running are run
 * together in the next one, each inside its own savepoint, so a failing job rolls back
 * alone while the others commit. SQLite has one writer and a commit costs more than the
 * statements of a message, so sharing commits is what lets one process answer thousands
 * of messages a second. Callers see exactly the semantics of their own transaction: a job's
 * promise settles only after the commit that made it durable.
 */
import type SqliteDatabase from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

type Job = {
  run: (q: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

/**
 * A job's savepoint, run on the connection itself: the batch's transaction holds the one
 * connection already (as prepared.ts's queries in a transaction do), and Kysely's way there
 * (its executor and a few promise hops, twice per job) cost more than the statements.
 */
class Savepoints {
  private readonly statements: Record<'open' | 'release' | 'rollback', SqliteDatabase.Statement>;

  constructor(connection: SqliteDatabase.Database) {
    this.statements = {
      open: connection.prepare('savepoint job'),
      release: connection.prepare('release job'),
      rollback: connection.prepare('rollback to job'),
    };
  }

  open(): void {
    this.statements.open.run();
  }

  release(): void {
    this.statements.release.run();
  }

  /** Undo the job's writes and leave its savepoint (the batch's transaction goes on). */
  rollback(): void {
    this.statements.rollback.run();
    this.statements.release.run();
  }
}

export class GroupCommit {
  private readonly waiting: Job[] = [];
  private busy = false;
  private readonly savepoints: Savepoints;

  /** `connection` is the SQLite connection under `kysely`. */
  constructor(private readonly kysely: Kysely<Database>, connection: SqliteDatabase.Database, private readonly maxJobs = 256) {
    this.savepoints = new Savepoints(connection);
  }

  run<T>(job: (q: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ run: job, resolve: resolve as (value: unknown) => void, reject });
      if (!this.busy) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.busy = true;
    // Let the jobs that arrive in this turn of the event loop join the batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const batch = this.waiting.splice(0, this.maxJobs);
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.kysely.transaction().execute(async (q) => {
        for (const job of batch) {
          if (batch.length === 1) {
            outcomes.push({ ok: true, value: await job.run(q) });
            continue;
          }
          this.savepoints.open();
          try {
            const value = await job.run(q);
            this.savepoints.release();
            outcomes.push({ ok: true, value });
          } catch (error) {
            this.savepoints.rollback();
            outcomes.push({ ok: false, error });
          }
        }
      });
      batch.forEach((job, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) job.resolve(outcome.value);
        else job.reject(outcome.error);
      });
    } catch (error) {
      // The commit itself failed (or a lone job threw): nothing of this batch is stored.
      for (const job of batch) job.reject(error);
    } finally {
      this.busy = false;
      if (this.waiting.length > 0) void this.flush();
    }
  }
}
