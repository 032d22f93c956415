/**
 * Understanding on a worker thread (src/nlu/pool.ts): the worker's answer is exactly the
 * main thread's, each text gets its own answer when many travel in one batch, and a pool
 * without a worker answers null (the pipeline then understands the text itself).
 */
import { loadNlu } from '../../src/nlu/index.js';
import { handOverPays, NluPool } from '../../src/nlu/pool.js';

const nlu = loadNlu();
let pool: NluPool;

beforeAll(async () => {
  pool = new NluPool({ load: {}, onlyWhenItPays: false });
  expect(await pool.whenReady()).toBe(true);
});
afterAll(async () => {
  await pool.close();
});

const cases: Array<[string, { channel?: string; public?: boolean }]> = [
  ['你好', { channel: 'webchat', public: false }],
  ['运费怎么收？', { channel: 'webchat', public: false }],
  ['請問下單後幾天能到貨', { channel: 'wechat', public: false }],
  ['桌子腿断了，再不处理我就去12315投诉', { channel: 'webchat', public: false }],
  ['@某某家具 甲醛超标，孩子住院了', { channel: 'weibo', public: true }],
  ['Where is my order? It has been two weeks.', { channel: 'email', public: false }],
  ['Thanks!\n\nOn Mon, someone wrote:\n> 你们的桌子质量太差了，我要曝光', { channel: 'email', public: false }],
  ['', { channel: 'webchat', public: false }],
];

test.each(cases)('the worker understands %j as the main thread does', async (text, ctx) => {
  expect(await pool.analyse(text, ctx)).toEqual({ understanding: nlu.understand(text, ctx), faq: nlu.faq.ask(text) });
});

test('many texts in one batch each get their own answer', async () => {
  const texts = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? `第${i}号订单什么时候发货` : i % 3 === 1 ? `I want to return order ${i}` : `投诉${i}次了还没人管`));
  const results = await Promise.all(texts.map((text) => pool.analyse(text, { channel: 'webchat' })));
  results.forEach((result, i) => {
    expect(result).not.toBeNull();
    expect(result!.understanding.normalized).toBe(nlu.understand(texts[i]!, { channel: 'webchat' }).normalized);
  });
});

test('a closed pool answers null at once, so the caller understands the text itself', async () => {
  const other = new NluPool({ load: {}, onlyWhenItPays: false });
  expect(await other.whenReady()).toBe(true);
  const inFlight = other.analyse('你好', {});
  await other.close();
  expect([null, expect.anything()]).toContainEqual(await inFlight);
  expect(await other.analyse('你好', {})).toBeNull();
});

test.each([
  [0.95, true], // the event loop is the bottleneck
  [0.3, false], // the loop is at ease: the round trip would only add latency
  [0.6, true],
  [0.59, false],
])('with the event loop busy %f of the time, handing over pays: %s', (busy, pays) => {
  expect(handOverPays(busy)).toBe(pays);
});
