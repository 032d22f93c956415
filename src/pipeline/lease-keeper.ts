/**
 * Keeps a worker's outbox lease while its send runs. A live worker renews the lease every
 * third of `leaseMs`, so a send slower than the lease (a slow platform, a long pacing wait)
 * is not taken over and sent a second time by another node: the lease only runs out when the
 * worker died, froze, or could not reach the database for a whole lease. A send still running
 * after `MAX_HOLD_LEASES` leases is presumed stuck: renewing stops and the lease runs out, so
 * another worker can take the entry (this one's late result is then stale, see outbox.ts).
 */
import type { Logger } from '../logger.js';
import * as store from '../store/index.js';

export const MAX_HOLD_LEASES = 10;

export interface LeaseKeeperOptions {
  leaseMs: number;
  now: () => number;
  logger: Logger;
}

/** Renews `lease` until the returned function is called (when the send returned). */
export function keepLease(q: store.Q, lease: store.OutboxLease, o: LeaseKeeperOptions): () => void {
  const startedAt = o.now();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const renew = async () => {
    const now = o.now();
    if (now - startedAt >= MAX_HOLD_LEASES * o.leaseMs) {
      o.logger.warn({ outboxId: lease.id, runningMs: now - startedAt }, 'outbox send still running: its lease is left to run out');
      return;
    }
    try {
      if (!(await store.renewLease(q, lease, now + o.leaseMs, now))) {
        // After `stopped` the send is over and its own update ended the lease: not lost.
        if (!stopped) o.logger.warn({ outboxId: lease.id }, 'outbox lease lost while sending: another worker holds the entry');
        return;
      }
    } catch (error) {
      // Tried again at the next tick; if the database stays away the lease runs out.
      if (!stopped) o.logger.warn({ err: error, outboxId: lease.id }, 'outbox lease renewal failed');
    }
    schedule();
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void renew(), Math.max(1, Math.floor(o.leaseMs / 3)));
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
