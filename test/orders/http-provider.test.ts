/** The HTTP shop client against a local node:http shop: the contract, refusals and every way a shop can fail. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrderDraft } from '../../dialogs/orders.js';
import { httpOrderProvider } from '../../src/orders/http-provider.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let server: Server;
let base: string;
let handler: Handler;
const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => { seen.length = 0; });

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const order: OrderDraft = {
  lines: [{ productId: 'chair-k5', name: 'K5 Pro', quantity: 1, unitPrice: 1899 }],
  contact: { name: 'Anna Lee', phone: '13700001111', address: '100 Tiyu West Road' }, total: 1899, currency: 'CNY',
};
const ctx = { customerId: 'cust-1', idempotencyKey: 'msg-7' };
const shop = (timeoutMs = 1000) => httpOrderProvider({ baseUrl: base, token: 'secret', timeoutMs });

test('places an order: JSON body, idempotency key, bearer token', async () => {
  handler = (_req, _body, res) => json(res, 201, { orderNo: 'SHOP-991', total: 1899, shipWithinDays: 3 });
  expect(await shop().placeOrder(order, ctx)).toEqual({ ok: true, value: { orderNo: 'SHOP-991', total: 1899, shipWithinDays: 3 } });
  const [request] = seen;
  expect(request).toMatchObject({ method: 'POST', url: '/api/orders' });
  expect(request!.headers).toMatchObject({ 'idempotency-key': 'msg-7', authorization: 'Bearer secret', 'content-type': 'application/json' });
  expect(JSON.parse(request!.body)).toEqual({ customerId: 'cust-1', ...order });
});

test.each([400, 409, 422])('a %i refusal is "rejected", with the shop\'s message', async (status) => {
  handler = (_req, _body, res) => json(res, status, { message: 'out of stock' });
  expect(await shop().placeOrder(order, ctx)).toEqual({ ok: false, error: 'rejected', message: 'out of stock' });
});

test.each<[string, Handler]>([
  ['a server error', (_q, _b, res) => json(res, 503, { error: 'down' })],
  ['a body that is not an order', (_q, _b, res) => json(res, 201, { id: 5 })],
  ['a body that is not JSON', (_q, _b, res) => res.writeHead(200).end('<html>')],
  ['no answer in time', () => undefined],
])('%s is "unavailable"', async (_name, h) => {
  handler = h;
  const outcome = await shop(200).placeOrder(order, ctx);
  expect(outcome).toMatchObject({ ok: false, error: 'unavailable' });
});

test('a shop that cannot be reached is "unavailable"', async () => {
  const closed = httpOrderProvider({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 500 });
  expect(await closed.shipping('KF1', ctx)).toMatchObject({ ok: false, error: 'unavailable' });
});

test('shipping: the order number escaped, the customer passed along', async () => {
  handler = (_req, _body, res) => json(res, 200, { orderNo: 'A/1', status: 'shipped', carrier: 'SF', trackingNo: 'SF123', date: '2025-03-05' });
  expect(await shop().shipping('A/1', ctx)).toEqual({ ok: true, value: { orderNo: 'A/1', status: 'shipped', carrier: 'SF', trackingNo: 'SF123', date: '2025-03-05' } });
  expect(seen[0]).toMatchObject({ method: 'GET', url: '/api/orders/A%2F1/shipping?customerId=cust-1' });
});

test('shipping: 404 is "not_found", an unknown status "unavailable"', async () => {
  handler = (_req, _body, res) => json(res, 404, {});
  expect(await shop().shipping('KF9', ctx)).toEqual({ ok: false, error: 'not_found' });
  handler = (_req, _body, res) => json(res, 200, { orderNo: 'KF9', status: 'lost at sea' });
  expect(await shop().shipping('KF9', ctx)).toMatchObject({ ok: false, error: 'unavailable' });
});
