/**
 * The dialog contract: `(state, event) -> { state, actions }`. Pure: no I/O, no clock, no
 * randomness; actions are data that the runtime carries out (src/pipeline/actions.ts).
 *
 * Two kinds of action are *effects* (`place_order`, `lookup_shipping`): the runtime performs
 * them through an `OrderProvider` and calls the dialog again at once with an event of kind
 * `result` carrying the outcome (see effects.ts and README.md).
 */
import type { DialogState, Severity } from '../src/contract.js';
import type { EffectResult, OrderDraft } from './orders.js';

export interface EventUnderstanding {
  intent: string;
  confidence: number;
  language: 'zh' | 'en';
  grade: { severity: Severity; category: string | null; form: string | null; nature: string | null; reasons: string[] };
  /** The text as the NLU matched it (Simplified, half-width, lower-case); src/nlu supplies it. */
  normalized?: string;
}

export interface DialogEvent {
  /**
   * `text` / `media`: the customer wrote. `event`: a platform or runtime event (subscribe,
   * CLICK..., and from the runtime: `idle` after the customer fell silent, `no_agent` when a
   * hand-over found nobody). `result`: the outcome of an effect the dialog asked for.
   */
  kind: 'text' | 'media' | 'event' | 'result';
  text: string;
  /** Platform event name for kind 'event' (subscribe, CLICK, idle, no_agent...) and its key. */
  event?: string;
  key?: string;
  channel: string;
  public: boolean;
  understanding: EventUnderstanding;
  faq: { id: string; answer: string; score: number } | null;
  customer: { tier: 'standard' | 'vip'; firstContact: boolean };
  /** What came with a `media` message (only the kinds matter to the dialog: photos of a fault). */
  attachments?: Array<{ kind: string }>;
  /** For kind 'result': what the effect returned. */
  result?: EffectResult;
  /** Milliseconds since epoch, supplied by the runtime so the dialog stays pure. */
  now: number;
}

export type Priority = 'critical' | 'serious' | 'vip' | 'normal';

export type Action =
  | { type: 'reply'; template: string; vars?: Record<string, string | number>; choices?: string[] }
  | { type: 'handoff'; reason: string; priority: Priority }
  | { type: 'open_case'; severity: Severity; category: string | null; form: string | null; nature: string | null; reasons: string[]; subject: string }
  | { type: 'schedule_follow_up'; afterMs: number; note: string }
  | { type: 'set_attribute'; key: string; value: string | number | boolean }
  /** Effect: place this order through the OrderProvider; the outcome comes back as a `result` event. */
  | { type: 'place_order'; order: OrderDraft }
  /** Effect: look up where an order is; the outcome comes back as a `result` event. */
  | { type: 'lookup_shipping'; orderNo: string };

export interface DialogResult {
  state: DialogState;
  actions: Action[];
}

export type Dialog = (state: DialogState | null, event: DialogEvent) => DialogResult;
