/** The demo shop's table (migration 002-orders), as Kysely sees it. Kept here, beside its only user. */
export type OrdersTable = {
  id: string;
  order_no: string;
  customer_id: string;
  idempotency_key: string;
  /** JSON: OrderLine[]. */
  lines: string;
  /** JSON: OrderContact. */
  contact: string;
  total: number;
  currency: string;
  status: string;
  ship_within_days: number;
  created_at: number;
  updated_at: number;
};

// A type alias, not an interface: Kysely's `withTables` wants a plain record type.
export type OrdersDatabase = { orders: OrdersTable };
