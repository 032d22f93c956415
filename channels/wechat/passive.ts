/**
 * The passive reply and WeChat's retries.
 *
 * WeChat waits 5 s for the webhook's answer, then drops the connection and sends the same
 * message again (three tries in all). A passive reply costs nothing (it is outside the
 * customer-service quota), but only one message fits in it, and nothing tells us whether
 * WeChat received it. So:
 *  - replies are taken from the outbox (a conditional update, atomic) only while the
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
import { takeOutboxIfOldest } from './store.js';

export type Outcome = 'replied' | 'acknowledged' | 'abandoned';

interface Inflight {
  handled: Promise<Handled>;
  /** How the latest copy ended (each copy chains its own outcome here). */
  last: Promise<Outcome>;
  expiresAt: number;
}

/** WeChat's three tries span about 15 s; records live a little longer. */
const RECORD_TTL_MS = 30_000;
const MAX_RECORDS = 20_000;

export class InflightMessages {
  /** In arrival order, so expiry order too (one TTL): the oldest are swept from the front. */
  private readonly records = new Map<string, Inflight>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The first copy: remember its handling; settle `outcome` when it has answered. */
  first(key: string, handled: Promise<Handled>): (outcome: Outcome) => void {
    const now = this.now();
    // Swept here rather than by a timer per message: no timer objects to keep for 30 s.
    for (const [old, record] of this.records) {
      if (record.expiresAt > now && this.records.size < MAX_RECORDS) break;
      this.records.delete(old);
    }
    let settle: (outcome: Outcome) => void = () => undefined;
    const last = new Promise<Outcome>((resolve) => {
      settle = resolve;
    });
    this.records.delete(key);
    this.records.set(key, { handled, last, expiresAt: now + RECORD_TTL_MS });
    return settle;
  }

  /**
   * A retry: resolves to the first copy's handling if every copy before this one abandoned
   * (then this one should answer), or null (answer `success`). `settle` records this copy.
   */
  async retry(key: string, waitMs: number): Promise<{ handled: Promise<Handled> | null; settle: (outcome: Outcome) => void }> {
    const record = this.records.get(key);
    if (!record || record.expiresAt <= this.now()) return { handled: null, settle: () => undefined };
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
 * message together, and return their texts. Nothing overtakes an older reply: an entry is
 * taken only when no older one of the conversation is unsent (pending, or leased by the
 * dispatcher). Newer entries may be left behind (they go by API, still in order).
 *
 * Usually the oldest unsent entries are this message's own replies (`own`, known from the
 * pipeline's outcome): each is taken by one conditional UPDATE. Otherwise (something older
 * waits: an earlier reply whose request timed out, an agent's message) the conversation's
 * head is read and taken entry by entry, up to this message's last reply.
 * `q` is the webhook's write (store.ts `writeSoon`): on SQLite the takes share the group commit.
 */
export async function takeReplies(
  q: Q, conversationId: string, own: ReadonlyArray<{ outboxId: string | null; text: string }>, maxTextLength: number, now: number,
): Promise<string[]> {
  const taken: string[] = [];
  for (const reply of own) {
    if (!fitsOneMessage(joinReplies([...taken, reply.text]), maxTextLength)) break;
    if (reply.outboxId === null || !(await takeOutboxIfOldest(q, { id: reply.outboxId, conversationId }, now))) break;
    taken.push(reply.text);
  }
  return taken.length > 0 ? taken : takeOldestFirst(q, conversationId, maxTextLength, now, own.at(-1)?.outboxId ?? undefined);
}

/** The general case: the head of the conversation's outbox, entry by entry, up to `lastId`. */
async function takeOldestFirst(q: Q, conversationId: string, maxTextLength: number, now: number, lastId?: string): Promise<string[]> {
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
