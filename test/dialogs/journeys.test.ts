/**
 * Whole conversations through a real gateway (web chat API, pipeline, NLU, templates,
 * SQLite): `send('...').expectReply(...)`. The engine runs behind `withSyncEffects` and a
 * scripted shop, which is what the runtime does with an OrderProvider (src/orders/run-turn.ts).
 */
import { withSyncEffects } from '../../dialogs/effects.js';
import { engine } from '../../dialogs/engine.js';
import { openChat, type Chat } from '../support/conversation.js';
import { startGateway, type RunningGateway } from '../support/gateway.js';
import { ScriptedShop } from './support/events.js';

let running: RunningGateway;
const shop = new ScriptedShop({
  KF20250001: { orderNo: 'KF20250001', status: 'shipped', carrier: '德邦物流', trackingNo: 'DPK0001', date: '2025-03-05' },
});

beforeAll(async () => {
  // Silence while queued is checked strictly: no queue-position message either.
  running = await startGateway({ QUEUE_POSITION_MESSAGE: 'false' }, { dialog: withSyncEffects(engine, shop.perform) });
});
afterAll(async () => {
  await running.stop();
});

async function where(chat: Chat) {
  const row = await running.gateway.db.kysely.selectFrom('conversations').select(['id', 'status', 'flow', 'step', 'dialog_state'])
    .where('thread_key', '=', chat.sessionId).where('status', '<>', 'closed').executeTakeFirstOrThrow();
  return { ...row, data: JSON.parse(row.dialog_state ?? '{}').data as Record<string, any> };
}

async function caseOf(chat: Chat) {
  const { id } = await where(chat);
  return running.gateway.db.kysely.selectFrom('cases').selectAll().where('conversation_id', '=', id).executeTakeFirst();
}

/** Say something, expect the reply, note the step the conversation rests in. */
async function step(chat: Chat, steps: string[], text: string, reply: RegExp) {
  await chat.send(text).expectReply(reply);
  const { flow, step: s } = await where(chat);
  if (steps.at(-1) !== `${flow}/${s}`) steps.push(`${flow}/${s}`);
}

const EIGHT = ['greet', 'inquiry', 'recommend', 'objection', 'close', 'confirm', 'order', 'farewell'].map((s) => `reception/${s}`);

async function expectSilence(chat: Chat, text: string) {
  await chat.send(text).expectReply(/./, 1200).then(
    () => { throw new Error('the bot answered a conversation handed to a person'); },
    (error: Error) => expect(error.message).toMatch(/no reply/),
  );
}

async function idle(chat: Chat, n: number) {
  await running.gateway.pipeline.ingest({
    kind: 'event', event: 'idle', channel: 'webchat', channelMessageId: `${chat.sessionId}:idle-${n}`, threadKey: chat.sessionId,
    sender: { externalId: chat.sessionId }, receivedAt: Date.now(), raw: null, text: '',
  });
}

test('Chinese: all eight steps in order, from hello to goodbye', async () => {
  const chat = await openChat(running.url, 'zh-CN');
  const steps: string[] = [];
  await step(chat, steps, '你好', /欢迎光临/);
  await step(chat, steps, '我想给办公室添点家具', /哪一类/);
  await step(chat, steps, '升降桌', /推荐.*升降桌.*¥2,699/);
  await step(chat, steps, '有点贵，能优惠吗', /实在价/);
  await step(chat, steps, '好，就要这个', /需要几张/);
  await step(chat, steps, '1张', /收货人姓名、手机号和收货地址/);
  await step(chat, steps, '王五 13700001111 广州市天河区体育西路100号', /核对一下订单.*× 1张.*合计¥2,699.*收货人王五.*13700001111.*体育西路100号/);
  await step(chat, steps, '确认', /订单已提交，订单号KF\d+/);
  await step(chat, steps, '谢谢，再见', /感谢您的光临/);
  expect(steps).toEqual(EIGHT);
  expect((await where(chat)).status).toBe('bot');
});

test('English: all eight steps in order', async () => {
  const chat = await openChat(running.url, 'en');
  const steps: string[] = [];
  await step(chat, steps, 'Hi there', /welcome/i);
  await step(chat, steps, 'I am furnishing a new office', /Which kind of office furniture/);
  await step(chat, steps, 'standing desks', /We recommend the E2 Pro dual-motor standing desk at ¥2,699/);
  await step(chat, steps, 'Hmm, that is a bit pricey. Any discount?', /fair price/);
  await step(chat, steps, 'OK, I will take it', /How many/);
  await step(chat, steps, 'one', /recipient's name/);
  await step(chat, steps, 'Anna Lee, 13700001111, 100 Tiyu West Road, Guangzhou', /Let us check your order: 1 x .*Anna Lee.*100 Tiyu West Road, Guangzhou/);
  await step(chat, steps, 'confirm', /Your order is placed: order number KF\d+/);
  await step(chat, steps, 'Thanks, bye', /Thank you for visiting/);
  expect(steps).toEqual(EIGHT);
});

test('entering mid-flow: a shipping question starts at step 7 (Chinese, then English)', async () => {
  const zh = await openChat(running.url, 'zh-CN');
  await zh.send('我的快递到哪了').expectReply(/请您提供订单号/);
  expect(await where(zh)).toMatchObject({ flow: 'reception', step: 'order' });
  await zh.send('KF20250001').expectReply(/KF20250001已由德邦物流发出，运单号DPK0001/);
  await zh.send('好的谢谢').expectReply(/感谢您的光临/);

  const en = await openChat(running.url, 'en');
  await en.send('Where is my order KF20250001?').expectReply(/Order KF20250001 has shipped .* tracking number DPK0001/);
});

test('a general complaint: soothed, heard, apologised to, remedied, followed up', async () => {
  const chat = await openChat(running.url, 'zh-CN');
  await chat.send('你们的椅子质量太差了，才用一个月就坏了').expectReply(/认真处理.*订单号/);
  await chat.send('订单号KF20250001，扶手断了').expectReply(/非常抱歉.*宝贵意见/);
  expect((await chat.nextReply())?.text).toMatch(/不如咱们这样处理：为您换新、安排上门维修或退货退款/);
  await chat.send('换新吧').expectReply(/已为您登记：为您换新.*24小时内联系您/);
  const state = await where(chat);
  expect(state).toMatchObject({ status: 'bot', flow: 'complaint', step: 'follow_up' });
  expect(state.data.complaints).toBe(1);
  expect(await caseOf(chat)).toMatchObject({ severity: 'general', category: 'product' });
  await chat.send('谢谢').expectReply(/感谢您的光临/);
});

test('a serious complaint: the bot offers only what it may, then a person with priority', async () => {
  const chat = await openChat(running.url, 'zh-CN');
  await chat.send('我要投诉，桌子送来就坏了，第三次了，必须赔偿').expectReply(/消消气/);
  await chat.send('订单号KF20250001，桌腿断了').expectReply(/非常抱歉/);
  expect((await chat.nextReply())?.text).toMatch(/为您换新或安排上门维修/);
  await chat.send('都不行，我要赔偿').expectReply(/请主管来为您办理/);
  expect(await where(chat)).toMatchObject({ status: 'queued', flow: 'complaint' });
  expect(await caseOf(chat)).toMatchObject({ severity: 'serious' });
  await expectSilence(chat, '人呢？');
});

test('a critical complaint (English): a holding reply, a case, a supervisor at once', async () => {
  const chat = await openChat(running.url, 'en');
  await chat.send('Hello').expectReply(/welcome/i);
  const reply = await chat.send('The desk caught fire yesterday, I am calling my lawyer').expectReply(/very seriously.*supervisor/);
  expect(reply.text).not.toMatch(/sorry|apolog|fault/i);
  expect((await where(chat)).status).toBe('queued');
  expect(await caseOf(chat)).toMatchObject({ severity: 'critical' });
  await expectSilence(chat, 'Hello??');
});

test('a request for a person in the middle of an order: queued, the order kept for the agent', async () => {
  const chat = await openChat(running.url, 'zh-CN');
  await chat.send('我要买一把K5').expectReply(/人体工学椅 K5 Pro 1把.*收货人姓名/);
  await chat.send('我要找人工客服').expectReply(/转接人工客服，您的订单信息/);
  const state = await where(chat);
  expect(state).toMatchObject({ status: 'queued', flow: 'reception', step: 'close' });
  expect(state.data.sale).toMatchObject({ productId: 'chair-k5', quantity: 1 });
  await expectSilence(chat, '还在吗');
});

test('a customer who goes silent: an open question, a choice, then goodbye', async () => {
  const chat = await openChat(running.url, 'zh-CN');
  await chat.send('我想买一张升降桌').expectReply(/为您推荐/);
  await idle(chat, 1);
  expect((await chat.nextReply())?.text).toMatch(/您还在吗/);
  await idle(chat, 2);
  expect((await chat.nextReply())?.text).toMatch(/现在下单，还是先看看其他款式/);
  await idle(chat, 3);
  expect((await chat.nextReply())?.text).toMatch(/随时留言/);
  expect(await where(chat)).toMatchObject({ status: 'bot', step: 'farewell' });
});

test('a second complaint in the same conversation reaches the grader as repeat contact', async () => {
  const chat = await openChat(running.url, 'zh-CN');
  await chat.send('你们的椅子质量太差了，才用一个月就坏了').expectReply(/订单号/);
  await chat.send('订单号KF20250001，扶手断了').expectReply(/非常抱歉/);
  await chat.nextReply();
  await chat.send('1').expectReply(/已为您登记/);
  await chat.send('另外安装师傅迟到了两个小时').expectReply(/./);
  const state = await where(chat);
  expect(state.data.complaints).toBe(1);
  expect(state.data.complaint).toMatchObject({ severity: 'serious', reasons: expect.arrayContaining([expect.stringMatching(/repeated contact: 1/)]) });
});
