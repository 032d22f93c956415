/**
 * The passive reply and WeChat's retries.
 *
 * WeChat waits 5 s for the webhook's answer, then drops the connection and sends the same
 * message again (three tries in all). A passive reply costs nothing (it is outside the
 * customer-service quota), but only one message fits in it, and nothing tells us whether
 * WeChat received it. So:
 *  - replies are taken from the outbox (`takeForImmediateDelivery`, atomic) only while the
 *    request's connection is open and inside our deadline, oldest first, as many as fit one
 *    text message; what is not taken stays for the dispatcher (customer-service API);
 *  - every copy of a message records how it ended ('replied', 'acknowledged' with `success`,
 *    or 'abandoned' when its connection was gone). A retry waits for the copy before it and
 *    answers passively only if that copy abandoned: a message is answered once, and a reply
 *    whose request timed out still reaches the customer through the retry.
 * The records are in memory: a retry that reaches another node answers `success` and the
 * dispatcher delivers the reply once the passive window has passed.
 */
import type { Handled } from '../../src/pipeline/pipeline.js';
import * as store from '../../src/store/index.js';
import type { Q } from '../../src/store/index.js';
import { fitsOneMessage, joinReplies } from './outbound.js';

export type Outcome = 'replied' | 'acknowledged' | 'abandoned';

interface Inflight {
  handled: Promise<Handled>;
  /** How the latest copy ended (each copy chains its own outcome here). */
  last: Promise<Outcome>;
}

/** WeChat's three tries span about 15 s; records live a little longer. */
const RECORD_TTL_MS = 30_000;
const MAX_RECORDS = 20_000;

export class InflightMessages {
  private readonly records = new Map<string, Inflight>();

  /** The first copy: remember its handling; settle `outcome` when it has answered. */
  first(key: string, handled: Promise<Handled>): (outcome: Outcome) => void {
    let settle: (outcome: Outcome) => void = () => undefined;
    const last = new Promise<Outcome>((resolve) => {
      settle = resolve;
    });
    if (this.records.size >= MAX_RECORDS) this.records.delete(this.records.keys().next().value as string);
    this.records.set(key, { handled, last });
    setTimeout(() => {
      if (this.records.get(key)?.last === last) this.records.delete(key);
    }, RECORD_TTL_MS).unref();
    return settle;
  }

  /**
   * A retry: resolves to the first copy's handling if every copy before this one abandoned
   * (then this one should answer), or null (answer `success`). `settle` records this copy.
   */
  async retry(key: string, waitMs: number): Promise<{ handled: Promise<Handled> | null; settle: (outcome: Outcome) => void }> {
    const record = this.records.get(key);
    if (!record) return { handled: null, settle: () => undefined };
    const previous = record.last;
    let settle: (outcome: Outcome) => void = () => undefined;
    record.last = new Promise<Outcome>((resolve) => {
      settle = resolve;
    });
    const before = await withTimeout(previous, waitMs);
    // Still undecided at our deadline: the earlier copy may yet reply; never risk two.
    if (before !== 'abandoned') {
      settle(before ?? 'acknowledged');
      return { handled: null, settle: () => undefined };
    }
    return { handled: record.handled, settle };
  }
}

/** The value, or undefined when `ms` passes first (a rejection counts as no value). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms <= 0) return Promise.race([promise.catch(() => undefined), Promise.resolve(undefined)]);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then((value) => resolve(value), () => resolve(undefined)).finally(() => clearTimeout(timer));
  });
}

/**
 * Take the conversation's unsent outbox entries, oldest first, while they fit one text
 * message together, and return their texts. Stops at an entry the dispatcher is sending
 * (its lease), so nothing overtakes an older reply. Newer entries may be left behind (they
 * go by API, still in order): after `lastId` (this message's last reply) it stops looking.
 */
export async function takeReplies(q: Q, conversationId: string, maxTextLength: number, now: number, lastId?: string): Promise<string[]> {
  const taken: string[] = [];
  for (;;) {
    const head = await store.headOfConversation(q, conversationId);
    if (!head || head.status !== 'pending') break;
    const text = (head.payload as { text?: unknown }).text;
    if (typeof text !== 'string' || !fitsOneMessage(joinReplies([...taken, text]), maxTextLength)) break;
    if (!(await store.takeForImmediateDelivery(q, head.id, now))) break;
    taken.push(text);
    if (head.id === lastId) break;
  }
  return taken;
}
