/** After the service: survey on close, its answer, follow-ups at acceptable hours, reports, SLA alerts. */
import WebSocket from 'ws';
import { nextAcceptable, parseRating, parseWindows, scheduleFollowUp } from '../../src/handoff/aftercare.js';
import * as store from '../../src/store/index.js';
import { addAgent, loginAs } from '../support/agents.js';
import { openChat } from '../support/conversation.js';
import { http, startGateway, type RunningGateway } from '../support/gateway.js';

let running: RunningGateway;
let url: string;
let alice: string;
let boss: string;

beforeAll(async () => {
  // A zero-minute first-response target makes every unanswered case breach at once.
  running = await startGateway({ SLA_FIRST_RESPONSE_MINUTES: 'critical:0,serious:0,general:0,none:0', SLA_CHECK_MS: '200' });
  url = running.url;
  await addAgent(running.gateway, 'alice', 'agent');
  await addAgent(running.gateway, 'boss', 'supervisor');
  [alice, boss] = await Promise.all([loginAs(url, 'alice'), loginAs(url, 'boss')]);
});
afterAll(async () => {
  await running.stop();
});

describe('ratings and hour windows', () => {
  test.each([
    ['5', { rating: 5, comment: null }], ['4分 很满意', { rating: 4, comment: '很满意' }], ['３', { rating: 3, comment: null }],
    ['1 star, too slow', { rating: 1, comment: 'too slow' }], ['好的', null], ['6', null], ['10', null], ['我要退货', null],
  ])('%s', (text, expected) => expect(parseRating(text)).toEqual(expected));

  test('follow-ups move to the next acceptable window', () => {
    const windows = parseWindows('12-13,16-19');
    const at = (h: number, m = 0, day = 23) => new Date(2026, 10, day, h, m).getTime();
    expect(nextAcceptable(at(9), windows)).toBe(at(12));
    expect(nextAcceptable(at(12, 30), windows)).toBe(at(12, 30));
    expect(nextAcceptable(at(14), windows)).toBe(at(16));
    expect(nextAcceptable(at(20), windows)).toBe(at(12, 0, 24));
    expect(() => parseWindows('19-16')).toThrow(/hour window/);
  });
});

test('a person closes: the customer is asked for a rating, answers it, and the report counts it', async () => {
  const chat = await openChat(url);
  await chat.send('你好').expectReply(/./);
  await chat.send('我要转人工').expectReply(/./);
  const { id } = await running.gateway.db.kysely.selectFrom('conversations').select('id').where('thread_key', '=', chat.sessionId).executeTakeFirstOrThrow();
  await http(`${url}/api/conversations/${id}/claim`, { token: alice, body: {} });
  await http(`${url}/api/conversations/${id}/messages`, { token: alice, body: { text: '已为您处理好了。' } });
  expect(await chat.nextReply()).toEqual({ author: 'agent', text: '已为您处理好了。' });
  await http(`${url}/api/conversations/${id}/close`, { token: alice, body: { resolution: 'done' } });
  const survey = await chat.nextReply();
  expect(survey).toMatchObject({ author: 'system', text: expect.stringMatching(/1-5/) });

  await chat.send('5 很满意，谢谢').expectReply(/评价/);
  const conversations = await running.gateway.db.kysely.selectFrom('conversations').select(['id', 'status']).where('thread_key', '=', chat.sessionId).execute();
  expect(conversations).toEqual([{ id, status: 'closed' }]); // the answer opened nothing new
  const row = await running.gateway.db.kysely.selectFrom('surveys').select(['rating', 'comment']).where('conversation_id', '=', id).executeTakeFirstOrThrow();
  expect(row).toEqual({ rating: 5, comment: '很满意，谢谢' });
  const caseRow = await running.gateway.db.kysely.selectFrom('cases').select('status').where('conversation_id', '=', id).executeTakeFirstOrThrow();
  expect(caseRow.status).toBe('closed'); // the customer accepted the result

  // Anything else afterwards is a new conversation with the bot.
  await chat.send('你好').expectReply(/./);
  expect((await running.gateway.db.kysely.selectFrom('conversations').select('id').where('thread_key', '=', chat.sessionId).execute()).length).toBe(2);

  const report = await http(`${url}/api/reports`, { token: boss });
  expect(report.status).toBe(200);
  expect(report.json.satisfaction).toMatchObject({ sent: 1, answered: 1, average: 5, distribution: { 5: 1 } });
  expect(report.json.firstResponseSeconds.count).toBeGreaterThanOrEqual(1);
  expect(report.json.agents).toEqual(expect.arrayContaining([expect.objectContaining({ agent: 'alice', cases: 1, satisfaction: 5 })]));
  expect((await http(`${url}/api/reports`, { token: alice })).status).toBe(403);
  expect((await http(`${url}/api/reports?from=10&to=5`, { token: boss })).status).toBe(400);
});

test('a due follow-up goes out on the customer\'s channel, unless they refused it', async () => {
  const chat = await openChat(url);
  await chat.send('你好').expectReply(/./);
  const conversation = (await store.findOpenConversation(running.gateway.db.kysely, 'webchat', chat.sessionId))!;
  await running.gateway.db.write((q) => scheduleFollowUp(q, conversation, 'check the repair', Date.now() - 1000, Date.now()));
  expect(await running.gateway.workspace.runDueFollowUps()).toBe(1);
  expect(await chat.nextReply()).toMatchObject({ author: 'system', text: expect.stringMatching(/回访/) });

  const refused = await http(`${url}/api/customers/${conversation.customerId}/preferences`, { method: 'PUT', token: alice, body: { optedOut: ['webchat'] } });
  expect(refused.json.contactPreferences.optedOut).toEqual(['webchat']);
  await running.gateway.db.write((q) => scheduleFollowUp(q, conversation, 'again', Date.now() - 1000, Date.now()));
  await running.gateway.workspace.runDueFollowUps();
  expect(await chat.nextReply(800)).toBeNull();
  const rows = await running.gateway.db.kysely.selectFrom('follow_ups').select(['status', 'outcome']).where('conversation_id', '=', conversation.id).orderBy('created_at').execute();
  expect(rows.map((r) => r.status)).toEqual(['done', 'skipped']);
});

test('supervisors are alerted on the live feed when a case breaches its SLA', async () => {
  const frames: Array<{ type: string; number?: string }> = [];
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/console/stream`);
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  await new Promise((resolve) => ws.on('open', resolve));
  ws.send(JSON.stringify({ type: 'auth', token: boss }));
  const chat = await openChat(url);
  await chat.send('我要转人工').expectReply(/./);
  const deadline = Date.now() + 5000;
  while (!frames.some((f) => f.type === 'sla_breach') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  ws.close();
  expect(frames.find((f) => f.type === 'sla_breach')).toMatchObject({ number: expect.stringMatching(/^K\d{6}$/) });
});
