/** The agent API and the takeover state machine, over real HTTP against a started gateway. */
import { openChat } from '../support/conversation.js';
import { addAgent, loginAs } from '../support/agents.js';
import { http, startGateway, type RunningGateway } from '../support/gateway.js';

let running: RunningGateway;
let url: string;
let alice: string;
let bob: string;
let boss: string;

beforeAll(async () => {
  running = await startGateway({ KEFU_ADMIN_PASSWORD: 'admin-password-1' });
  url = running.url;
  await addAgent(running.gateway, 'alice', 'agent', { capacity: 2 });
  await addAgent(running.gateway, 'bob', 'agent');
  await addAgent(running.gateway, 'boss', 'supervisor');
  [alice, bob, boss] = await Promise.all([loginAs(url, 'alice'), loginAs(url, 'bob'), loginAs(url, 'boss')]);
});
afterAll(async () => {
  await running.stop();
});

async function queuedChat(text = '我要转人工') {
  const chat = await openChat(url);
  await chat.send('你好').expectReply(/./);
  await chat.send(text).expectReply(/./);
  const conversation = await running.gateway.db.kysely.selectFrom('conversations').select(['id', 'status'])
    .where('thread_key', '=', chat.sessionId).executeTakeFirstOrThrow();
  return { chat, id: conversation.id, status: conversation.status };
}

test('KEFU_ADMIN_PASSWORD created the admin, who can log in', async () => {
  const r = await http(`${url}/api/auth/login`, { body: { username: 'admin', password: 'admin-password-1' } });
  expect(r.status).toBe(200);
  expect(r.headers.get('set-cookie')).toMatch(/kefu_session=.+HttpOnly; SameSite=Strict/);
  const me = await http(`${url}/api/me`, { token: r.json.token });
  expect(me.json).toMatchObject({ username: 'admin', role: 'admin' });
});

test('no endpoint answers without a valid token; wrong role is 403', async () => {
  for (const path of ['/api/conversations', '/api/conversations/x', '/api/me', '/api/agents', '/api/canned-replies']) {
    const r = await http(`${url}${path}`);
    expect([path, r.status]).toEqual([path, 401]);
    expect(r.json.error.code).toBe('unauthorized');
    expect((await http(`${url}${path}`, { token: 'A'.repeat(43) })).status).toBe(401);
  }
  expect((await http(`${url}/api/conversations/x/claim`, { body: {} })).status).toBe(401);
  expect((await http(`${url}/api/agents`, { token: alice })).status).toBe(403);
  expect((await http(`${url}/api/agents`, { token: boss })).status).toBe(200);
});

test('repeated failed logins lock the account, even for the right password', async () => {
  await addAgent(running.gateway, 'carol', 'agent');
  for (let i = 0; i < 5; i++) {
    expect((await http(`${url}/api/auth/login`, { body: { username: 'carol', password: 'wrong-password' } })).status).toBe(401);
  }
  const locked = await http(`${url}/api/auth/login`, { body: { username: 'carol', password: 'carol-secret-pw' } });
  expect(locked.status).toBe(401);
  expect(locked.json.error.message).toMatch(/locked/);
  const audit = await running.gateway.db.kysely.selectFrom('audit_log').select('action').where('action', '=', 'login_locked').execute();
  expect(audit).toHaveLength(1);
});

test('a customer asks for a person: queued, claimed, answered on the channel, bot silent, closed', async () => {
  const { chat, id, status } = await queuedChat();
  expect(status).toBe('queued');
  const detail = await http(`${url}/api/conversations/${id}`, { token: alice });
  expect(detail.json).toMatchObject({ status: 'queued', flow: expect.any(String), step: expect.any(String), case: { number: expect.stringMatching(/^K\d{6}$/) } });
  expect(detail.json.customer.identities).toEqual([{ channel: 'webchat', externalId: chat.sessionId, name: null }]);

  // Messages need a claim first; the claim makes alice the owner.
  expect((await http(`${url}/api/conversations/${id}/messages`, { token: alice, body: { text: 'hi' } })).status).toBe(409);
  expect((await http(`${url}/api/conversations/${id}/claim`, { token: alice, body: {} })).json.conversation.status).toBe('human');
  // Bob cannot take, answer or close alice's conversation.
  expect((await http(`${url}/api/conversations/${id}/claim`, { token: bob, body: {} })).status).toBe(409);
  expect((await http(`${url}/api/conversations/${id}/messages`, { token: bob, body: { text: 'me too' } })).status).toBe(409);
  expect((await http(`${url}/api/conversations/${id}/close`, { token: bob, body: { resolution: 'x' } })).status).toBe(409);

  expect((await http(`${url}/api/conversations/${id}/messages`, { token: alice, body: { text: '您好，我是小艾，马上为您处理。' } })).status).toBe(202);
  const reply = await chat.nextReply();
  expect(reply).toEqual({ author: 'agent', text: '您好，我是小艾，马上为您处理。' });
  // The customer writes; the bot says nothing while a person holds the conversation.
  await chat.send('好的，谢谢').expectReply(/./, 1200).then(() => { throw new Error('someone answered'); }, (e: Error) => expect(e.message).toMatch(/no reply/));

  const closed = await http(`${url}/api/conversations/${id}/close`, { token: alice, body: { resolution: '已解答' } });
  expect(closed.json.conversation.status).toBe('closed');
  const after = await http(`${url}/api/conversations/${id}`, { token: boss });
  expect(after.json.case).toMatchObject({ status: 'resolved', resolution: '已解答', owner: expect.any(String), firstResponseAt: expect.any(Number) });
  expect(after.json.case.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['opened', 'hand_over', 'assign', 'close']));
});

test('transfer to another agent moves ownership; release gives it back to the bot', async () => {
  const { chat, id } = await queuedChat('能帮我转接一下人工客服吗');
  await http(`${url}/api/conversations/${id}/claim`, { token: alice, body: {} });
  const moved = await http(`${url}/api/conversations/${id}/transfer`, { token: alice, body: { agent: 'bob' } });
  expect(moved.status).toBe(200);
  const detail = await http(`${url}/api/conversations/${id}`, { token: bob });
  const bobId = (await http(`${url}/api/me`, { token: bob })).json.id;
  expect(detail.json).toMatchObject({ status: 'human', assignee: bobId, case: { owner: bobId } });
  expect((await http(`${url}/api/conversations/${id}/transfer`, { token: bob, body: { agent: 'nobody' } })).status).toBe(400);
  expect((await http(`${url}/api/conversations/${id}/release`, { token: bob, body: {} })).json.conversation.status).toBe('bot');
  await chat.send('你好').expectReply(/./);
});

test('automatic assignment: online agents get queued conversations, most urgent first, within capacity', async () => {
  const dave = await addAgent(running.gateway, 'dave', 'agent', { capacity: 1, groups: ['vip-desk'] });
  const token = await loginAs(url, 'dave');
  const normal = await queuedChat('转人工');
  const critical = await queuedChat('你们的椅子把我孩子的手夹伤了，已经去医院了，我要找记者曝光');
  const states = await running.gateway.db.kysely.selectFrom('conversations').select(['id', 'priority', 'status'])
    .where('id', 'in', [normal.id, critical.id]).execute();
  expect(states.find((s) => s.id === critical.id)?.priority).toBe('critical');
  // Dave comes online: routing runs and gives him the critical one (capacity 1).
  await http(`${url}/api/me/presence`, { method: 'PUT', token, body: { presence: 'online' } });
  await running.gateway.workspace.route();
  const after = await running.gateway.db.kysely.selectFrom('conversations').select(['id', 'status', 'assignee_id'])
    .where('id', 'in', [normal.id, critical.id]).execute();
  expect(after.find((s) => s.id === critical.id)).toMatchObject({ status: 'human', assignee_id: dave.id });
  expect(after.find((s) => s.id === normal.id)).toMatchObject({ status: 'queued' });
});

test('canned replies come from templates/canned', async () => {
  const r = await http(`${url}/api/canned-replies?locale=en`, { token: alice });
  expect(r.json.replies).toEqual(expect.arrayContaining([{ id: 'goodbye', text: expect.stringMatching(/thank/i) }]));
});

test('metrics show the queue', async () => {
  const m = await http(`${url}/metrics`);
  expect(m.text).toMatch(/kefu_queue_depth \d+/);
  expect(m.text).toMatch(/kefu_queue_oldest_wait_seconds \d/);
});

test('the case lifecycle: allowed steps only, approval by a supervisor', async () => {
  const { id } = await queuedChat('请帮我转人工处理退款');
  await http(`${url}/api/conversations/${id}/claim`, { token: alice, body: {} });
  const number = (await http(`${url}/api/conversations/${id}`, { token: alice })).json.case.number as string;
  const step = (token: string, status: string) => http(`${url}/api/cases/${number}/status`, { token, body: { status, note: 'test' } });
  expect((await step(alice, 'closed')).status).toBe(409);
  expect((await step(alice, 'pending_approval')).json).toEqual({ number, status: 'pending_approval' });
  expect((await step(alice, 'approved')).status).toBe(403);
  expect((await step(boss, 'approved')).json.status).toBe('approved');
  expect((await step(alice, 'replied')).json.status).toBe('replied');
  expect((await step(alice, 'nonsense')).status).toBe(400);
  expect((await http(`${url}/api/cases/K999999/status`, { token: alice, body: { status: 'resolved' } })).status).toBe(404);
  const timeline = (await http(`${url}/api/conversations/${id}`, { token: alice })).json.case.timeline.map((e: { kind: string }) => e.kind);
  expect(timeline).toEqual(expect.arrayContaining(['status:pending_approval', 'status:approved', 'status:replied']));
});

test('closing a conversation that never reached a person opens no case', async () => {
  const chat = await openChat(url);
  await chat.send('你好').expectReply(/./);
  const { id } = await running.gateway.db.kysely.selectFrom('conversations').select('id').where('thread_key', '=', chat.sessionId).executeTakeFirstOrThrow();
  expect((await http(`${url}/api/conversations/${id}/close`, { token: boss, body: { resolution: 'spam' } })).json.conversation.status).toBe('closed');
  expect((await http(`${url}/api/conversations/${id}`, { token: boss })).json.case).toBeNull();
});
