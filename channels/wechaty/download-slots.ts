/**
 * How many media downloads run at once (WECHATY_MEDIA_CONCURRENCY): a burst of files from
 * many customers would otherwise open as many streams from the puppet and as many files on
 * disk. Downloads beyond the limit wait for a slot in arrival order, at most `maxWaiting` of
 * them; beyond that a download is not started at all (the caller records it as skipped).
 */
export class DownloadSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number, readonly maxWaiting: number) {}

  /**
   * A slot: resolves with its release once one is free; null at once when `maxWaiting`
   * downloads wait already; rejects with the signal's reason when it aborts while waiting.
   */
  acquire(signal: AbortSignal): Promise<(() => void) | null> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.running < this.limit) return Promise.resolve(this.take());
    if (this.waiting.length >= this.maxWaiting) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const turn = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(this.take());
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(turn), 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(turn);
    });
  }

  /** Downloads running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private take(): () => void {
    this.running += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      this.waiting.shift()?.();
    };
  }
}
