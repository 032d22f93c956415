/**
 * Group commit for SQLite: write jobs that arrive while a transaction is running are run
 * together in the next one, each inside its own savepoint, so a failing job rolls back
 * alone while the others commit. SQLite has one writer and a commit costs more than the
 * statements of a message, so sharing commits is what lets one process answer thousands
 * of messages a second. Callers see exactly the semantics of their own transaction: a job's
 * promise settles only after the commit that made it durable.
 */
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

type Job = {
  run: (q: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

// Built once: a tagged `sql` template is parsed and compiled again on every call.
const SAVEPOINT = CompiledQuery.raw('savepoint job');
const RELEASE = CompiledQuery.raw('release job');
const ROLLBACK_TO = CompiledQuery.raw('rollback to job');

export class GroupCommit {
  private readonly waiting: Job[] = [];
  private busy = false;

  constructor(private readonly kysely: Kysely<Database>, private readonly maxJobs = 256) {}

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
          await q.executeQuery(SAVEPOINT);
          try {
            const value = await job.run(q);
            await q.executeQuery(RELEASE);
            outcomes.push({ ok: true, value });
          } catch (error) {
            await q.executeQuery(ROLLBACK_TO);
            await q.executeQuery(RELEASE);
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
