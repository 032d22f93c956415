/** The whole gateway on a real PostgreSQL server, over real sockets. */
import { openChat } from '../support/conversation.js';
import { http, startGateway, type RunningGateway } from '../support/gateway.js';
import { requirePostgres, startPostgres, type PgServer } from '../support/postgres.js';

let pg: PgServer | null;
let running: RunningGateway | undefined;

beforeAll(async () => {
  pg = await startPostgres();
  if (!requirePostgres(pg)) return;
  running = await startGateway({ DATABASE_URL: await pg.createDatabase('e2e') });
}, 120_000);
afterAll(async () => {
  await running?.stop();
  await pg?.stop();
});

test('a web chat customer is greeted and answered from the FAQ, on PostgreSQL', async () => {
  if (!running) return;
  expect(running.gateway.db.dialect).toBe('postgres');
  const chat = await openChat(running.url);
  await chat.send('你好').expectReply(/欢迎光临/);
  await chat.send('满多少包邮').expectReply(/运费|包邮|免/);
  // PostgreSQL cannot store NUL in text: it is dropped at the boundary, the rest is kept.
  await chat.send('你好\u0000呀').expectReply(/./);
  expect((await chat.transcript()).map((m) => m.text)).toContain('你好呀');
  expect((await http(`${running.url}/healthz`)).json).toEqual({ status: 'ok' });
});

test('duplicates sent at the same moment are stored once on PostgreSQL too', async () => {
  if (!running) return;
  const chat = await openChat(running.url);
  const send = () => http(`${running!.url}/api/webchat/sessions/${chat.sessionId}/messages`, { token: chat.token, body: { text: 'hello', clientMessageId: 'same' } });
  const results = await Promise.all([send(), send(), send(), send()]);
  expect(new Set(results.map((r) => r.json.messageId)).size).toBe(1);
  await running.gateway.pipeline.idle();
  const transcript = await chat.transcript();
  expect(transcript.map((m) => m.author)).toEqual(['customer', 'bot']);
});

test('health reports 503 when PostgreSQL goes away', async () => {
  if (!running || !pg) return;
  await pg.stop();
  pg = null;
  const r = await http(`${running.url}/healthz`);
  expect(r.status).toBe(503);
  expect(r.json.status).toBe('unavailable');
});
