/**
 * Reception step 7 from the customer's side: "where is my order?". A customer may start
 * here (domain.md §2: a shipping question enters at step 7). Looking up is an effect: the bot
 * returns `lookup_shipping` and the runtime's OrderProvider answers with a `result` event.
 */
import type { Outcome, ShippingInfo } from '../orders.js';
import { reply } from '../templates.js';
import { extend, rest, type Ctx, type Turn } from '../turn.js';

/** Look the order up: the number given, else the order placed in this conversation, else ask for it. */
export function track(turn: Turn, ctx: Ctx, orderNo: string | null): Turn {
  const known = orderNo ?? turn.data.sale.orderNo;
  const data = { ...turn.data, greeted: true };
  if (!known) {
    return extend(rest('reception', 'order', { ...data, ask: 'order_no', choices: [] }, turn.actions), [reply('shipping.ask_order')]);
  }
  return extend(rest('reception', 'order', { ...data, ask: null, choices: [], pending: 'lookup_shipping' }, turn.actions), [
    { type: 'lookup_shipping', orderNo: known },
  ]);
}

export function onShipping(turn: Turn, _ctx: Ctx, orderNo: string, outcome: Outcome<ShippingInfo>): Turn {
  const data = { ...turn.data, pending: null };
  if (!outcome.ok) {
    if (outcome.error === 'not_found') {
      return extend(rest('reception', 'order', { ...data, ask: 'order_no', choices: [] }, turn.actions), [reply('shipping.not_found', { orderNo })]);
    }
    return extend(rest('reception', 'order', { ...data, ask: null, choices: [] }, turn.actions), [reply('shipping.unavailable', { orderNo })]);
  }
  const info = outcome.value;
  const date = info.date ?? '';
  const said = info.status === 'shipped'
    ? reply('shipping.shipped', { orderNo: info.orderNo, carrier: info.carrier ?? '', trackingNo: info.trackingNo ?? '', date })
    : info.status === 'delivered' ? reply('shipping.delivered', { orderNo: info.orderNo, date })
    : info.status === 'cancelled' ? reply('shipping.cancelled', { orderNo: info.orderNo })
    : reply('shipping.processing', { orderNo: info.orderNo, date });
  return extend(rest('reception', 'order', { ...data, sale: { ...data.sale, orderNo: info.orderNo }, ask: 'anything_else', choices: [] }, turn.actions), [said]);
}
