/**
 * Effects: the two actions whose outcome the dialog needs (`place_order`, `lookup_shipping`).
 * One turn of conversation is "call the dialog; for each effect it asks for, perform it and
 * call the dialog again with a `result` event" until no effect is left. That loop is written
 * once, here, as a generator: the runtime drives it asynchronously with a real OrderProvider
 * (src/orders/run-turn.ts), tests drive it synchronously with a scripted shop (`runTurnSync`).
 * The loop itself is pure: it only calls the dialog.
 */
import type { DialogState } from '../src/contract.js';
import type { EffectResult } from './orders.js';
import type { Action, Dialog, DialogEvent, DialogResult } from './types.js';

export type Effect = Extract<Action, { type: 'place_order' | 'lookup_shipping' }>;

export const isEffect = (action: Action): action is Effect => action.type === 'place_order' || action.type === 'lookup_shipping';

/** A dialog that keeps asking for effects is a bug: stop it rather than loop. */
export const MAX_EFFECTS_PER_TURN = 4;

/** The event that carries an effect's outcome: the triggering event's context, no text. */
export function resultEvent(from: DialogEvent, result: EffectResult): DialogEvent {
  return { ...from, kind: 'result', text: '', event: undefined, key: undefined, faq: null, attachments: undefined, result };
}

/**
 * Yields each effect, expects its result back, returns the final state and every
 * non-effect action in order (what `runActions` carries out).
 */
export function* turn(dialog: Dialog, state: DialogState | null, event: DialogEvent): Generator<Effect, DialogResult, EffectResult> {
  const actions: Action[] = [];
  const pending: Effect[] = [];
  let current = state;
  const absorb = (result: DialogResult) => {
    current = result.state;
    for (const action of result.actions) (isEffect(action) ? pending : actions).push(action);
  };
  absorb(dialog(current, event));
  for (let performed = 0; pending.length > 0; performed++) {
    if (performed >= MAX_EFFECTS_PER_TURN) throw new Error(`the dialog asked for more than ${MAX_EFFECTS_PER_TURN} effects in one turn`);
    const outcome: EffectResult = yield pending.shift()!;
    absorb(dialog(current, resultEvent(event, outcome)));
  }
  return { state: current!, actions };
}

/** Drive a turn with a synchronous performer (tests, scripted shops). */
export function runTurnSync(dialog: Dialog, state: DialogState | null, event: DialogEvent, perform: (effect: Effect) => EffectResult): DialogResult {
  const steps = turn(dialog, state, event);
  let next = steps.next();
  while (!next.done) next = steps.next(perform(next.value));
  return next.value;
}

/** A dialog with its effects resolved synchronously: what a test plugs into a real gateway. */
export const withSyncEffects = (dialog: Dialog, perform: (effect: Effect) => EffectResult): Dialog =>
  (state, event) => runTurnSync(dialog, state, event, perform);
