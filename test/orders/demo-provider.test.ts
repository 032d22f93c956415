/** The demo shop on real databases (SQLite and PostgreSQL), and the runtime's turn with effects over it. */
import { engine } from '../../dialogs/engine.js';
import type { OrderDraft } from '../../dialogs/orders.js';
import { demoOrderProvider, runTurn } from '../../src/orders/index.js';
import { demoCatalogue } from '../../dialogs/catalogue/index.js';
import { openDb, type Db } from '../../src/storage/db.js';
import * as store from '../../src/store/index.js';
import { ev, stateAfter } from '../dialogs/support/events.js';
import { usePostgres } from '../support/postgres.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 3, 2, 0, 0); // 2025-03-03 10:00 in Beijing

const draft = (over: Partial<OrderDraft> = {}): OrderDraft => ({
  lines: [{ productId: 'desk-e2', name: '双电机升降桌 E2 Pro', quantity: 2, unitPrice: 2699 }],
  contact: { name: '张三', phone: '13800138000', address: '上海市浦东新区张江路1号' }, total: 5398, currency: 'CNY', ...over,
});

const pgServer = usePostgres();

const backends = [
  { name: 'sqlite', open: async () => openDb({ databaseUrl: 'sqlite::memory:', dataDir: '/tmp' }) },
  { name: 'postgres', open: async () => openDb({ databaseUrl: await pgServer()!.createDatabase('orders_demo'), dataDir: '/tmp' }) },
];

describe.each(backends)('the demo shop on $name', (backend) => {
  let db: Db;
  let customerId: string;
  let otherCustomerId: string;
  let clock = T0;

  beforeAll(async () => {
    if (backend.name === 'postgres' && !pgServer()) return;
    db = await backend.open();
    expect(await db.migrate()).toContain('002-orders');
    customerId = (await store.resolveIdentity(db.kysely, { channel: 'webchat', externalId: 'a', now: T0 })).customerId;
    otherCustomerId = (await store.resolveIdentity(db.kysely, { channel: 'webchat', externalId: 'b', now: T0 })).customerId;
  });
  afterAll(async () => {
    await db?.close();
  });

  const shop = () => demoOrderProvider(db.kysely, { now: () => clock, catalogue: demoCatalogue });

  test('places an order with a KF number of the Beijing day, once per idempotency key', async () => {
    clock = T0;
    const first = await shop().placeOrder(draft(), { customerId, idempotencyKey: 'm1' });
    expect(first).toMatchObject({ ok: true, value: { total: 5398, shipWithinDays: 2 } });
    if (!first.ok) throw new Error('not placed');
    expect(first.value.orderNo).toMatch(/^KF20250303\d{6}$/);
    const again = await shop().placeOrder(draft(), { customerId, idempotencyKey: 'm1' });
    expect(again).toEqual(first);
    const rows = await db.kysely.selectFrom('orders' as never).selectAll().execute();
    expect(rows).toHaveLength(1);
  });

  test.each<[string, Partial<OrderDraft>, RegExp]>([
    ['a total that does not add up', { total: 1 }, /total/],
    ['a changed price', { lines: [{ productId: 'desk-e2', name: 'x', quantity: 1, unitPrice: 99 }], total: 99 }, /price/],
    ['an unknown product', { lines: [{ productId: 'sofa-9', name: 'x', quantity: 1, unitPrice: 99 }], total: 99 }, /unknown product/],
    ['no lines', { lines: [], total: 0 }, /no lines/],
  ])('refuses %s', async (_name, over, message) => {
    const outcome = await shop().placeOrder(draft(over), { customerId, idempotencyKey: `bad-${_name}` });
    expect(outcome).toMatchObject({ ok: false, error: 'rejected', message: expect.stringMatching(message) });
  });

  test('shipping follows the order over the days, and only for its own customer', async () => {
    clock = T0;
    const placed = await shop().placeOrder(draft(), { customerId, idempotencyKey: 'm2' });
    if (!placed.ok) throw new Error('not placed');
    const orderNo = placed.value.orderNo;
    const look = (at: number, who = customerId) => { clock = at; return shop().shipping(orderNo.toLowerCase(), { customerId: who, idempotencyKey: 'x' }); };
    expect(await look(T0 + 3_600_000)).toEqual({ ok: true, value: { orderNo, status: 'processing', date: '2025-03-08' } });
    expect(await look(T0 + 2 * DAY)).toMatchObject({ ok: true, value: { status: 'shipped', carrier: expect.any(String), trackingNo: expect.stringMatching(/^DPK/), date: '2025-03-08' } });
    expect(await look(T0 + 6 * DAY)).toEqual({ ok: true, value: { orderNo, status: 'delivered', date: '2025-03-07' } });
    expect(await look(T0, otherCustomerId)).toEqual({ ok: false, error: 'not_found' });
    expect(await shop().shipping('KF000', { customerId, idempotencyKey: 'x' })).toEqual({ ok: false, error: 'not_found' });
  });

  test('the runtime turn: "确认" places the order inside the transaction and the reply carries its number', async () => {
    clock = T0;
    const state = stateAfter(engine, [
      ev('我想买一张升降桌', { intent: 'purchase' }), ev('好的'), ev('1张'), ev('张三 13800138000 上海市浦东新区张江路1号'),
    ]);
    const result = await db.kysely.transaction().execute((q) =>
      runTurn(engine, state, ev('确认'), demoOrderProvider(q, { now: () => clock, catalogue: demoCatalogue }), { customerId, idempotencyKey: 'msg-42' }));
    expect(result.actions).toEqual([{ type: 'reply', template: 'order.placed', vars: { orderNo: expect.stringMatching(/^KF2025030/), total: '¥2,699', shipDays: 2 } }]);
    // Then "where is it?" in the next turn needs no number.
    const next = await runTurn(engine, result.state, ev('我的订单到哪了', { intent: 'shipping' }), shop(), { customerId, idempotencyKey: 'msg-43' });
    expect(next.actions).toEqual([expect.objectContaining({ type: 'reply', template: 'shipping.processing' })]);
  });

  test('a provider that throws counts as unavailable: the customer is told, the draft kept', async () => {
    const broken = { placeOrder: () => Promise.reject(new Error('boom')), shipping: () => Promise.reject(new Error('boom')) };
    const errors: unknown[] = [];
    const state = stateAfter(engine, [ev('我要买一把K5', { intent: 'purchase' }), ev('张三 13800138000 上海市浦东新区张江路1号')]);
    const result = await runTurn(engine, state, ev('确认'), broken, { customerId, idempotencyKey: 'm9' }, (e) => errors.push(e));
    expect(result.actions).toEqual([{ type: 'reply', template: 'order.unavailable' }]);
    expect(result.state.step).toBe('confirm');
    expect(errors).toHaveLength(1);
  });
});
