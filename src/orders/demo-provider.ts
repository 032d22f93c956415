/**
 * The built-in demo shop: orders are stored in the gateway's own database (table `orders`,
 * migration 002) and their shipping is simulated from their age, so the whole reception
 * flow (place the order, then "where is it?") works out of the box. It runs on the query
 * runner it is given: inside the message's transaction, so an order and the reply that
 * announces it are committed together.
 */
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { productById, type Catalogue } from '../../dialogs/catalogue/index.js';
import type { OrderDraft, OrderProvider, OrderRequestContext, Outcome, PlacedOrder, ShippingInfo } from '../../dialogs/orders.js';
import { newId, type Q } from '../store/index.js';
import type { OrdersDatabase } from './schema.js';

export interface DemoShopOptions {
  now?: () => number;
  /** When given, every line is checked against it (unknown product or changed price: rejected). */
  catalogue?: Catalogue;
  /** Days from payment to dispatch for stock items (the published promise, faq/demo.json). */
  shipWithinDays?: number;
}

const DAY = 86_400_000;
/** The shop's calendar is Beijing time (UTC+8, no daylight saving). */
const beijingDate = (ms: number): string => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

export function demoOrderProvider(q: Q, options: DemoShopOptions = {}): OrderProvider {
  // Built on first use: most turns place and look up nothing, and a typed view is a new Kysely instance.
  let typed: Kysely<OrdersDatabase> | undefined;
  const orders = (): Kysely<OrdersDatabase> => (typed ??= q.withTables<OrdersDatabase>());
  const now = options.now ?? Date.now;
  const shipWithinDays = options.shipWithinDays ?? 2;

  function check(order: OrderDraft): string | null {
    if (order.lines.length === 0) return 'no lines';
    const sum = order.lines.reduce((s, l) => s + l.unitPrice * l.quantity, 0);
    if (sum !== order.total) return `total ${order.total} does not match the lines (${sum})`;
    for (const line of order.lines) {
      if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > 99) return `bad quantity for ${line.productId}`;
      if (!options.catalogue) continue;
      const product = productById(options.catalogue, line.productId);
      if (!product) return `unknown product ${line.productId}`;
      if (product.price !== line.unitPrice) return `price of ${line.productId} is ${product.price}, not ${line.unitPrice}`;
    }
    return null;
  }

  return {
    async placeOrder(order: OrderDraft, ctx: OrderRequestContext): Promise<Outcome<PlacedOrder>> {
      const existing = await orders().selectFrom('orders').select(['order_no', 'total', 'ship_within_days'])
        .where('idempotency_key', '=', ctx.idempotencyKey).executeTakeFirst();
      if (existing) return { ok: true, value: { orderNo: existing.order_no, total: existing.total, shipWithinDays: existing.ship_within_days } };
      const problem = check(order);
      if (problem) return { ok: false, error: 'rejected', message: problem };
      const at = now();
      // KF + Beijing date + 6 random digits; drawn again in the unlikely case it is taken
      // (a failed insert would abort a PostgreSQL transaction, so look first).
      let orderNo = '';
      for (let tries = 0; tries < 5 && !orderNo; tries++) {
        const candidate = `KF${beijingDate(at).replace(/-/g, '')}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
        const taken = await orders().selectFrom('orders').select('id').where('order_no', '=', candidate).executeTakeFirst();
        if (!taken) orderNo = candidate;
      }
      if (!orderNo) return { ok: false, error: 'unavailable', message: 'no free order number' };
      await orders().insertInto('orders').values({
        id: newId(at), order_no: orderNo, customer_id: ctx.customerId, idempotency_key: ctx.idempotencyKey,
        lines: JSON.stringify(order.lines), contact: JSON.stringify(order.contact), total: order.total, currency: order.currency,
        status: 'processing', ship_within_days: shipWithinDays, created_at: at, updated_at: at,
      }).execute();
      return { ok: true, value: { orderNo, total: order.total, shipWithinDays } };
    },

    async shipping(orderNo: string, ctx: OrderRequestContext): Promise<Outcome<ShippingInfo>> {
      // Only the customer's own orders: an order number is not a password.
      const row = await orders().selectFrom('orders').select(['order_no', 'status', 'created_at'])
        .where('order_no', '=', orderNo.toUpperCase()).where('customer_id', '=', ctx.customerId).executeTakeFirst();
      if (!row) return { ok: false, error: 'not_found' };
      if (row.status === 'cancelled') return { ok: true, value: { orderNo: row.order_no, status: 'cancelled' } };
      // Simulated: prepared on the first day, on the road until the fourth, then delivered.
      const age = now() - Number(row.created_at);
      const eta = beijingDate(Number(row.created_at) + 5 * DAY);
      if (age < DAY) return { ok: true, value: { orderNo: row.order_no, status: 'processing', date: eta } };
      if (age < 4 * DAY) {
        return { ok: true, value: { orderNo: row.order_no, status: 'shipped', carrier: '德邦物流 Deppon', trackingNo: `DPK${row.order_no.slice(-8)}`, date: eta } };
      }
      return { ok: true, value: { orderNo: row.order_no, status: 'delivered', date: beijingDate(Number(row.created_at) + 4 * DAY) } };
    },
  };
}
