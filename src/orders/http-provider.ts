/**
 * An OrderProvider for a real shop, over HTTP (ORDER_API_URL). The shop's contract:
 *
 *   POST {base}/orders                         Idempotency-Key: <key>
 *     {customerId, lines:[{productId,name,quantity,unitPrice}], contact:{name,phone,address}, total, currency}
 *     201|200 {orderNo, total, shipWithinDays}   409|422|400 {message?}: refused (price, stock...)
 *   GET  {base}/orders/{orderNo}/shipping?customerId=<id>
 *     200 {orderNo, status: processing|shipped|delivered|cancelled, carrier?, trackingNo?, date?: YYYY-MM-DD}
 *     404: no such order for this customer
 *
 * Anything else (5xx, a timeout, a body that does not parse) is `unavailable`: expected
 * failures are values, so the dialog can tell the customer and keep the order for a retry.
 * Bearer token from ORDER_API_TOKEN when set. Calls run inside the message's transaction,
 * so the timeout is short (ORDER_API_TIMEOUT_MS, default 3 s).
 */
import { z } from 'zod';
import type { OrderDraft, OrderProvider, OrderRequestContext, Outcome, PlacedOrder, ShippingInfo } from '../../dialogs/orders.js';

export interface HttpShopOptions {
  baseUrl: string;
  token?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const Placed = z.object({ orderNo: z.string().min(1).max(64), total: z.number().nonnegative(), shipWithinDays: z.number().int().min(0).max(365) });
const Shipping = z.object({
  orderNo: z.string().min(1).max(64),
  status: z.enum(['processing', 'shipped', 'delivered', 'cancelled']),
  carrier: z.string().max(128).optional(),
  trackingNo: z.string().max(128).optional(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});
const Refusal = z.object({ message: z.string().max(500).optional() });

/** What came back: a status and body, or (`error`) nothing at all (timeout, refused connection). */
type Answer = { status: number; body: unknown; error?: undefined } | { status: 0; body?: undefined; error: string };

export function httpOrderProvider(options: HttpShopOptions): OrderProvider {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 3000;

  async function call(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    try {
      const response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed };
    } catch (error) {
      return { status: 0, error: error instanceof Error ? error.message : String(error) };
    }
  }

  const unavailable = (answer: Answer): { ok: false; error: 'unavailable'; message: string } =>
    ({ ok: false, error: 'unavailable', message: answer.error ?? `shop answered ${answer.status}` });

  return {
    async placeOrder(order: OrderDraft, ctx: OrderRequestContext): Promise<Outcome<PlacedOrder>> {
      const answer = await call('POST', '/orders', { customerId: ctx.customerId, ...order }, { 'idempotency-key': ctx.idempotencyKey });
      if (answer.status === 200 || answer.status === 201) {
        const placed = Placed.safeParse(answer.body);
        return placed.success ? { ok: true, value: placed.data } : { ok: false, error: 'unavailable', message: 'shop sent an order the gateway cannot read' };
      }
      if (answer.status === 400 || answer.status === 409 || answer.status === 422) {
        const refusal = Refusal.safeParse(answer.body ?? {});
        return { ok: false, error: 'rejected', message: refusal.success ? refusal.data.message : undefined };
      }
      return unavailable(answer);
    },

    async shipping(orderNo: string, ctx: OrderRequestContext): Promise<Outcome<ShippingInfo>> {
      const query = new URLSearchParams({ customerId: ctx.customerId });
      const answer = await call('GET', `/orders/${encodeURIComponent(orderNo)}/shipping?${query}`);
      if (answer.status === 404) return { ok: false, error: 'not_found' };
      if (answer.status === 200) {
        const info = Shipping.safeParse(answer.body);
        return info.success ? { ok: true, value: info.data } : { ok: false, error: 'unavailable', message: 'shop sent shipping the gateway cannot read' };
      }
      return unavailable(answer);
    },
  };
}
