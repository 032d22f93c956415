/**
 * Ordering and shipping, as the dialog sees them. The dialog never calls a shop: it returns
 * a `place_order` or `lookup_shipping` action, the runtime performs it through an
 * `OrderProvider` (src/orders/: a SQLite demo shop, or an HTTP shop at ORDER_API_URL) and
 * hands the outcome back as an event of kind `result`. Everything here is plain data.
 */

export interface OrderLine {
  productId: string;
  /** The product name in the customer's language, as restated to them. */
  name: string;
  quantity: number;
  /** Unit price in whole yuan (CNY), from the catalogue. */
  unitPrice: number;
}

export interface OrderContact {
  name: string;
  phone: string;
  address: string;
}

/** What the customer confirmed (step 6), exactly as restated to them. */
export interface OrderDraft {
  lines: OrderLine[];
  contact: OrderContact;
  /** Sum of the lines in whole yuan: the shop checks it and rejects a mismatch. */
  total: number;
  currency: 'CNY';
}

export interface PlacedOrder {
  orderNo: string;
  total: number;
  /** Working days from payment to dispatch for stock items (the shop's published promise). */
  shipWithinDays: number;
}

export type ShippingStatus = 'processing' | 'shipped' | 'delivered' | 'cancelled';

export interface ShippingInfo {
  orderNo: string;
  status: ShippingStatus;
  carrier?: string;
  trackingNo?: string;
  /** Expected (or, once delivered, actual) delivery day, `YYYY-MM-DD`, in the shop's time zone. */
  date?: string;
}

/**
 * Expected failures are values, not exceptions: `not_found` (no such order for this
 * customer), `rejected` (the shop refused the order: price changed, out of stock...),
 * `unavailable` (the shop could not be reached or answered nonsense).
 */
export type OrderFailure = { ok: false; error: 'not_found' | 'rejected' | 'unavailable'; message?: string };
export type Outcome<T> = { ok: true; value: T } | OrderFailure;

export interface OrderRequestContext {
  /** The customer the conversation belongs to: a shop only reveals that customer's orders. */
  customerId: string;
  /** Stable across retries of the same message (the inbound message id): placing twice is one order. */
  idempotencyKey: string;
}

export interface OrderProvider {
  placeOrder(order: OrderDraft, ctx: OrderRequestContext): Promise<Outcome<PlacedOrder>>;
  shipping(orderNo: string, ctx: OrderRequestContext): Promise<Outcome<ShippingInfo>>;
}

/** The outcome of an effect, as the dialog receives it in a `result` event. */
export type EffectResult =
  | { action: 'place_order'; outcome: Outcome<PlacedOrder> }
  | { action: 'lookup_shipping'; orderNo: string; outcome: Outcome<ShippingInfo> };
