/**
 * Outbound pacing for one bot account: sends go out one at a time, first come first served,
 * with at least `intervalMs` (plus 0..`jitterMs`) between the end of one and the start of
 * the next. An account that fires messages in quick succession looks like a spam bot to
 * WeChat and risks being restricted.
 *
 * The queue is bounded by time: a send that would wait longer than `maxWaitMs` is refused at
 * once, and the outbox dispatcher tries it again later (nothing is lost; it only waits in the
 * database instead of in memory, where a lease running out would have it sent twice).
 */
export interface PacerOptions {
  intervalMs: number;
  jitterMs: number;
  maxWaitMs: number;
  now?: () => number;
  random?: () => number;
}

/** `full`: refused because the queue is full (try again later), not because the pacer is closing. */
export type Paced<T> = { ran: true; value: T } | { ran: false; reason: string; full?: boolean };

/** Whatever the interval, never more than this many sends held in memory. */
const MAX_PENDING = 1000;

export class SendPacer {
  private tail: Promise<void> = Promise.resolve();
  /** Sends queued or under way. */
  private pending = 0;
  /** Earliest start of the next send. */
  private freeAt = 0;
  private closed = false;
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: PacerOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Runs `task` in its turn; refuses when the wait would be too long or the pacer is closed. */
  async run<T>(task: () => Promise<T>): Promise<Paced<T>> {
    if (this.closed) return { ran: false, reason: 'the channel is stopping' };
    // Worst case: the current pause, then a full step for every send ahead.
    const wait = Math.max(0, this.freeAt - this.now()) + this.pending * (this.options.intervalMs + this.options.jitterMs);
    if (this.pending >= MAX_PENDING || wait > this.options.maxWaitMs) {
      return { ran: false, full: true, reason: `pacing queue full (${this.pending} sends ahead, at least ${this.options.intervalMs} ms apart)` };
    }
    this.pending += 1;
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => {
      release = resolve;
    });
    try {
      await previous;
      // Timers may fire a millisecond early by the wall clock: wait until the time has come.
      while (!this.closed && this.freeAt > this.now()) await this.sleep(this.freeAt - this.now());
      if (this.closed) return { ran: false, reason: 'the channel is stopping' };
      return { ran: true, value: await task() };
    } finally {
      this.freeAt = this.now() + this.options.intervalMs + Math.floor(this.random() * (this.options.jitterMs + 1));
      this.pending -= 1;
      release();
    }
  }

  /** Refuses new sends and lets the waiting ones go at once (refused); one under way finishes. */
  close(): void {
    this.closed = true;
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.sleepers.clear();
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }
}
