/** Building dialog events by hand for the transition tables, a scripted shop, and running a table row. */
import type { DialogState } from '../../../src/contract.js';
import type { Effect } from '../../../dialogs/effects.js';
import type { EffectResult, PlacedOrder, ShippingInfo } from '../../../dialogs/orders.js';
import type { Action, DialogEvent, EventUnderstanding } from '../../../dialogs/types.js';

export const NOW = Date.UTC(2025, 2, 3, 2, 0, 0);

type Grade = EventUnderstanding['grade'];
const NO_GRADE: Grade = { severity: 'none', category: null, form: null, nature: null, reasons: [] };

export interface EventOptions {
  intent?: string;
  confidence?: number;
  language?: 'zh' | 'en';
  grade?: Partial<Grade>;
  faq?: DialogEvent['faq'];
  tier?: 'standard' | 'vip';
  kind?: DialogEvent['kind'];
  event?: string;
  public?: boolean;
  attachments?: Array<{ kind: string }>;
  result?: EffectResult;
}

/** A customer message with the understanding given (defaults: intent other, confident, Chinese). */
export function ev(text: string, o: EventOptions = {}): DialogEvent {
  const complaint = o.intent === 'complaint';
  return {
    kind: o.kind ?? 'text', text, channel: 'webchat', public: o.public ?? false,
    ...(o.event ? { event: o.event } : {}),
    understanding: {
      intent: o.intent ?? 'other', confidence: o.confidence ?? 0.9,
      language: o.language ?? (/[\u4e00-\u9fff]/.test(text) || text === '' ? 'zh' : 'en'),
      grade: { ...NO_GRADE, ...(complaint ? { severity: 'general', category: 'product', form: 'passive', nature: 'criticism' } : {}), ...o.grade },
    },
    faq: o.faq ?? null,
    customer: { tier: o.tier ?? 'standard', firstContact: false },
    ...(o.attachments ? { attachments: o.attachments } : {}),
    ...(o.result ? { result: o.result } : {}),
    now: NOW,
  };
}

export const idle = (): DialogEvent => ev('', { kind: 'event', event: 'idle' });

/** A scripted shop: places orders KF0001, KF0002... and knows the shipping of the orders it was given. */
export class ScriptedShop {
  placed: PlacedOrder[] = [];
  lookups: string[] = [];
  constructor(public shipments: Record<string, ShippingInfo> = {}, public failing: 'none' | 'unavailable' | 'rejected' = 'none') {}

  perform = (effect: Effect): EffectResult => {
    if (effect.type === 'place_order') {
      if (this.failing !== 'none') return { action: 'place_order', outcome: { ok: false, error: this.failing } };
      const order = { orderNo: `KF${String(this.placed.length + 1).padStart(8, '0')}`, total: effect.order.total, shipWithinDays: 2 };
      this.placed.push(order);
      this.shipments[order.orderNo] = { orderNo: order.orderNo, status: 'processing', date: '2025-03-08' };
      return { action: 'place_order', outcome: { ok: true, value: order } };
    }
    this.lookups.push(effect.orderNo);
    const info = this.shipments[effect.orderNo];
    return { action: 'lookup_shipping', orderNo: effect.orderNo, outcome: info ? { ok: true, value: info } : { ok: false, error: 'not_found' } };
  };
}

export const replies = (actions: Action[]): string[] => actions.flatMap((a) => (a.type === 'reply' ? [a.template] : []));
export const ofType = <T extends Action['type']>(actions: Action[], type: T) =>
  actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);

/** One row of a transition table: from the state left by `given` (or `state`), `when` leads to `expect`. */
export interface Row {
  name: string;
  given?: DialogEvent[];
  state?: DialogState | null;
  when: DialogEvent;
  dialog?: import('../../../dialogs/types.js').Dialog;
  expect: {
    flow?: string;
    step?: string;
    ask?: string | null;
    /** Template ids of the replies, in order. */
    replies?: string[];
    /** Types of the other actions, in order. */
    actions?: string[];
    check?: (result: import('../../../dialogs/types.js').DialogResult) => void;
  };
}

/** Run `given` from a fresh conversation (effects are left unresolved: their actions show, their results do not come). */
export function stateAfter(dialog: import('../../../dialogs/types.js').Dialog, given: DialogEvent[], start: DialogState | null = null): DialogState | null {
  let state = start;
  for (const event of given) state = dialog(state, event).state;
  return state;
}

export function runRow(row: Row, fallbackDialog: import('../../../dialogs/types.js').Dialog): void {
  const dialog = row.dialog ?? fallbackDialog;
  const before = row.state !== undefined ? row.state : stateAfter(dialog, row.given ?? []);
  const frozen = before === null ? null : deepFreeze(structuredClone(before));
  const result = dialog(frozen, row.when);
  const { expect: e } = row;
  if (e.flow !== undefined) expect(result.state.flow).toBe(e.flow);
  if (e.step !== undefined) expect(result.state.step).toBe(e.step);
  if (e.ask !== undefined) expect(result.state.data.ask).toBe(e.ask);
  if (e.replies !== undefined) expect(replies(result.actions)).toEqual(e.replies);
  if (e.actions !== undefined) expect(result.actions.filter((a) => a.type !== 'reply').map((a) => a.type)).toEqual(e.actions);
  // Serialisable: what is stored is exactly what comes back.
  expect(JSON.parse(JSON.stringify(result.state))).toEqual(result.state);
  e.check?.(result);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value as object)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
