/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever
 * commit pushes the write-ahead log past 1,000 pages: that commit copies the log into the
 * database file and fsyncs it, synchronously, on our one JavaScript thread. Measured on the
 * WeChat webhook at 500 messages/s, about one commit in twenty took 10-30 ms instead of a
 * quarter of a millisecond, and every request waiting behind it took as long.
 *
 * So the gateway's connection turns automatic checkpoints off, and a worker thread with its
 * own connection to the same file runs a PASSIVE checkpoint every `intervalMs`. PASSIVE
 * never blocks the writer or readers; once every frame is copied, the writer's next
 * transaction starts the log from the beginning again, so the log stays small.
 * If the worker cannot start or dies, the connection falls back to automatic checkpoints:
 * slower commits, never an ever-growing log.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

export interface CheckpointStats {
  /** Checkpoints run by the worker. */
  runs: number;
  /** Frames copied into the database file, in all. */
  framesCopied: number;
  /** Frames in the log at the last checkpoint (log, as SQLite reports it). */
  lastLogFrames: number;
}

/** The worker's code: CommonJS, evaluated (a file beside this one would not exist under the test transform). */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma('wal_autocheckpoint = 0');
let runs = 0, framesCopied = 0, lastLogFrames = 0, lastCopied = 0;
const tick = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    runs += 1;
    lastLogFrames = Math.max(0, r.log);
    // checkpointed counts frames copied so far in this log; a restarted log starts at 0 again.
    const copied = Math.max(0, r.checkpointed);
    framesCopied += copied >= lastCopied ? copied - lastCopied : copied;
    lastCopied = copied;
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'stats') { tick(); parentPort.postMessage({ stats: { runs, framesCopied, lastLogFrames } }); }
  if (m === 'stop') { clearInterval(timer); tick(); db.close(); parentPort.close(); }
});
`;

export class Checkpointer {
  private worker: Worker | null = null;
  private readonly waiting: Array<(stats: CheckpointStats) => void> = [];

  private constructor(private readonly database: SqliteDatabase.Database, private readonly onError: (message: string) => void) {}

  /** Take over checkpoints of `database` (a file in WAL mode); falls back to SQLite's own on any failure. */
  static start(database: SqliteDatabase.Database, file: string, options: { intervalMs?: number; onError?: (message: string) => void } = {}): Checkpointer {
    const self = new Checkpointer(database, options.onError ?? (() => undefined));
    try {
      const driver = createRequire(import.meta.url).resolve('better-sqlite3');
      // No inherited flags: `--input-type=module` would read the code as a module, without `require`.
      const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { driver, file, intervalMs: options.intervalMs ?? 200 } });
      worker.on('message', (m: { stats?: CheckpointStats; error?: string }) => {
        if (m.stats) {
          self.waiting.shift()?.(m.stats);
          if (self.waiting.length === 0) worker.unref();
        }
        if (m.error) self.onError(`WAL checkpoint failed: ${m.error}`);
      });
      worker.on('error', (error) => self.fallBack(`WAL checkpointer stopped: ${error.message}`));
      worker.on('exit', () => {
        if (self.worker) self.fallBack('WAL checkpointer exited');
      });
      // After the listeners (adding one holds the process open again): never keeps it alive.
      worker.unref();
      database.pragma('wal_autocheckpoint = 0');
      self.worker = worker;
    } catch (error) {
      self.fallBack(`WAL checkpointer could not start: ${(error as Error).message}`);
    }
    return self;
  }

  /** Runs a checkpoint now and reports the totals (tests, diagnostics); null when SQLite checkpoints by itself. */
  stats(): Promise<CheckpointStats | null> {
    const worker = this.worker;
    if (!worker) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      worker.ref(); // until the answer: the process must not end while a caller waits
      worker.postMessage('stats');
    });
  }

  /** Last checkpoint, then the worker ends. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    // Held open until it has finished: an unreferenced worker would let the process end first.
    worker.ref();
    let timer: NodeJS.Timeout | undefined;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    await Promise.race([exited, new Promise<void>((resolve) => { timer = setTimeout(resolve, 2000); })]);
    clearTimeout(timer);
    await worker.terminate();
  }

  private fallBack(message: string): void {
    this.worker = null;
    for (const resolve of this.waiting.splice(0)) resolve({ runs: 0, framesCopied: 0, lastLogFrames: 0 });
    try {
      if (this.database.open) this.database.pragma('wal_autocheckpoint = 1000');
    } catch {
      // The connection is closing: nothing to fall back for.
    }
    this.onError(message);
  }
}
