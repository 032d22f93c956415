/**
 * The runtime side of effects: drive one dialog turn (dialogs/effects.ts `turn`), carrying
 * out each `place_order` / `lookup_shipping` through an OrderProvider and feeding the
 * outcome back to the dialog, until it asks for nothing more. The pipeline calls this
 * instead of calling the dialog directly; the actions it returns contain no effects.
 */
import { turn, type Effect } from '../../dialogs/effects.js';
import type { EffectResult, OrderProvider, OrderRequestContext } from '../../dialogs/orders.js';
import type { Dialog, DialogEvent, DialogResult } from '../../dialogs/types.js';
import type { DialogState } from '../contract.js';

/** Carry out one effect. A provider that throws (a bug, or a broken network stack) counts as unavailable. */
export async function perform(orders: OrderProvider, effect: Effect, ctx: OrderRequestContext, onError?: (error: unknown) => void): Promise<EffectResult> {
  try {
    if (effect.type === 'place_order') return { action: 'place_order', outcome: await orders.placeOrder(effect.order, ctx) };
    return { action: 'lookup_shipping', orderNo: effect.orderNo, outcome: await orders.shipping(effect.orderNo, ctx) };
  } catch (error) {
    onError?.(error);
    const outcome = { ok: false as const, error: 'unavailable' as const, message: 'order provider failed' };
    return effect.type === 'place_order' ? { action: 'place_order', outcome } : { action: 'lookup_shipping', orderNo: effect.orderNo, outcome };
  }
}

export async function runTurn(
  dialog: Dialog, state: DialogState | null, event: DialogEvent, orders: OrderProvider,
  ctx: OrderRequestContext, onError?: (error: unknown) => void,
): Promise<DialogResult> {
  const steps = turn(dialog, state, event);
  let next = steps.next();
  // Each effect of the turn gets its own idempotency key: the message id, then :1, :2...
  for (let n = 0; !next.done; n++) {
    const key = n === 0 ? ctx.idempotencyKey : `${ctx.idempotencyKey}:${n}`;
    next = steps.next(await perform(orders, next.value, { ...ctx, idempotencyKey: key }, onError));
  }
  return next.value;
}
