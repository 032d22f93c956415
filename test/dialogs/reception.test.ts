/** Every transition of the eight-step reception flow, as a table over hand-built events (pure, fast). */
import { createDialog, engine } from '../../dialogs/engine.js';
import { ev, ofType, replies, runRow, stateAfter, type Row } from './support/events.js';

const hi = ev('你好', { intent: 'greeting' });
const wantDesk = ev('我想买一张升降桌', { intent: 'purchase' });
const ok = ev('好的', { intent: 'farewell' });
const one = ev('1张');
const contact = ev('张三 13800138000 上海市浦东新区张江路1号', { confidence: 0.3 });
const confirm = ev('确认', { intent: 'greeting', confidence: 0.7 });
const toRecommended = [hi, wantDesk];
const toQuantity = [...toRecommended, ok];
const toContact = [...toQuantity, one];
const toConfirm = [...toContact, contact];
const toPlacing = [...toConfirm, confirm];
const toTracking = [ev('我的快递到哪了', { intent: 'shipping' }), ev('KF20250001')];
const placed = (orderNo = 'KF20250301000001') => ev('', { kind: 'result', result: { action: 'place_order', outcome: { ok: true, value: { orderNo, total: 2699, shipWithinDays: 2 } } } });
const shipped = (status: 'processing' | 'shipped' | 'delivered' | 'cancelled') =>
  ev('', { kind: 'result', result: { action: 'lookup_shipping', orderNo: 'KF20250001', outcome: { ok: true, value: { orderNo: 'KF20250001', status, carrier: '德邦物流', trackingNo: 'DP1', date: '2025-03-05' } } } });
const lookupFailed = (error: 'not_found' | 'unavailable') => ev('', { kind: 'result', result: { action: 'lookup_shipping', orderNo: 'KF20250001', outcome: { ok: false, error } } });
const placeFailed = (error: 'rejected' | 'unavailable') => ev('', { kind: 'result', result: { action: 'place_order', outcome: { ok: false, error } } });
const productOf = (r: { state: { data: Record<string, unknown> } }) => (r.state.data.sale as { productId: string }).productId;

const rows: Row[] = [
  // 1. Greet
  { name: 'a first hello is greeted', state: null, when: hi, expect: { flow: 'reception', step: 'greet', replies: ['greeting'] } },
  { name: 'a new follower is welcomed', state: null, when: ev('', { kind: 'event', event: 'subscribe' }), expect: { step: 'greet', replies: ['event_subscribe'] } },
  { name: 'a new friend of a bot account is welcomed as a friend, not as a follower', state: null, when: ev('你好', { kind: 'event', event: 'friend_added' }), expect: { step: 'greet', replies: ['event_friend_added'] } },
  { name: 'an unknown platform event changes nothing', given: [hi], when: ev('', { kind: 'event', event: 'CLICK' }), expect: { step: 'greet', replies: [], actions: [] } },
  // 2. Take the inquiry
  { name: 'furnishing an office: ask which kind (open question)', given: [hi], when: ev('我想给办公室添点家具', { confidence: 0.58 }), expect: { step: 'inquiry', ask: 'category', replies: ['inquiry.ask'] } },
  { name: 'a silent customer is asked a choice question', given: [hi, ev('嗯'), ev('哦')], when: ev('我想给办公室添点家具'), expect: { step: 'inquiry', replies: ['inquiry.ask.choice'] } },
  { name: 'a talkative customer gets the short question', given: [ev('你好，我们公司刚搬了新办公室，地方比以前大了不少，同事们一直说椅子坐得腰疼，老板让我来看看有没有合适的办公家具，顺便问问你们的情况', { intent: 'greeting' })], when: ev('我想给办公室添点家具'), expect: { replies: ['inquiry.ask.brief'] } },
  // 3. Recommend (FAB)
  { name: 'a category picked by number is recommended in FAB form', given: [hi, ev('我想给办公室添点家具')], when: ev('2'), expect: { step: 'recommend', ask: 'decision', replies: ['recommend.fab'], check: (r) => expect(productOf(r)).toBe('chair-k5') } },
  { name: 'a category named is recommended', given: [hi], when: ev('升降桌', { intent: 'product_inquiry', confidence: 0.53 }), expect: { step: 'recommend', check: (r) => {
    expect(productOf(r)).toBe('desk-e2');
    const vars = ofType(r.actions, 'reply')[0]!.vars!;
    expect(Object.keys(vars).sort()).toEqual(['advantage', 'benefit', 'feature', 'name', 'price']);
  } } },
  { name: 'buying a category enters at step 3', state: null, when: wantDesk, expect: { step: 'recommend', replies: ['recommend.fab'] } },
  { name: 'the cheapest on request', given: [hi], when: ev('最便宜的升降桌是哪款', { intent: 'recommendation' }), expect: { check: (r) => expect(productOf(r)).toBe('desk-e1') } },
  { name: 'an expert gets the specs (peer tone)', given: [ev('双电机和单电机的承重差多少？', { intent: 'product_inquiry' })], when: ev('升降桌', { intent: 'product_inquiry' }), expect: { replies: ['recommend.fab.peer'] } },
  { name: 'an indecisive customer gets two products to choose from', given: [hi], when: ev('想买把椅子，但不知道选哪个好', { intent: 'recommendation' }), expect: { step: 'recommend', ask: 'product', replies: ['recommend.fab.two'], check: (r) => expect(r.state.data.choices).toEqual(['chair-k5', 'chair-k3']) } },
  { name: '"see other models" recommends the next one', given: toRecommended, when: ev('看看其他款'), expect: { step: 'recommend', check: (r) => expect(productOf(r)).toBe('desk-e1') } },
  { name: 'a product question with an FAQ answer is answered, the step kept', given: toRecommended, when: ev('升降桌能升多高？', { intent: 'product_inquiry', faq: { id: 'demo-desk-height', answer: '62到127厘米', score: 0.9 } }), expect: { step: 'recommend', ask: 'decision', replies: ['faq_answer'] } },
  { name: 'a first message answered from the FAQ is greeted too', state: null, when: ev('运费怎么算', { intent: 'after_sales', faq: { id: 'demo-ship-fee', answer: '满399元免配送费', score: 0.9 } }), expect: { replies: ['greeting_faq_answer'] } },
  // 4. Objections
  { name: 'testing for a discount: firm but warm', given: toRecommended, when: ev('太贵了，能便宜点吗', { intent: 'objection' }), expect: { step: 'objection', ask: 'decision', replies: ['objection.testing'] } },
  { name: 'insisting: same price, a cheaper product offered', given: [...toRecommended, ev('太贵了，能便宜点吗', { intent: 'objection' })], when: ev('还是太贵了，最低多少', { intent: 'product_inquiry', confidence: 0.57 }), expect: {
    step: 'objection', ask: 'product', replies: ['objection.insisting'], check: (r) => {
      expect(r.state.data.choices).toEqual(['desk-e2', 'desk-e1']);
      expect(r.state.data.profile).toMatchObject({ price: 'insisting' });
    },
  } },
  { name: 'insisting on the cheapest model: the principle held, no cheaper one invented', given: [hi, ev('最便宜的升降桌是哪款', { intent: 'recommendation' }), ev('太贵了', { intent: 'objection' })], when: ev('再便宜100就买', { intent: 'objection' }), expect: { replies: ['objection.insisting.lowest'] } },
  { name: 'generous: thanked, the gift mentioned', given: toRecommended, when: ev('贵点没关系，只要质量好', { intent: 'other' }), expect: { step: 'objection', replies: ['objection.generous'], check: (r) => expect(ofType(r.actions, 'reply')[0]!.vars!.gift).toBe('桌下理线槽一个') } },
  { name: 'a doubt is answered with facts', given: toRecommended, when: ev('质量靠谱吗', { intent: 'objection' }), expect: { replies: ['objection.doubt'] } },
  { name: 'hesitation gets two choices', given: toRecommended, when: ev('我再考虑一下', { intent: 'objection' }), expect: { ask: 'product', replies: ['objection.undecided'] } },
  { name: '"no" to the recommendation gets two choices', given: toRecommended, when: ev('不要', { intent: 'other' }), expect: { ask: 'product', replies: ['objection.undecided'] } },
  { name: 'a price remark before any product leads to the range', given: [hi], when: ev('你们太贵了', { intent: 'objection' }), expect: { step: 'inquiry', ask: 'category', replies: ['objection.general'] } },
  // 5. Close
  { name: '"ok" to the recommendation closes: how many?', given: toRecommended, when: ok, expect: { step: 'close', ask: 'quantity', replies: ['close.quantity'] } },
  { name: 'an indecisive customer is asked one or two', given: [hi, ev('想买把椅子，但不知道选哪个好', { intent: 'recommendation' })], when: ev('第二个'), expect: { step: 'close', ask: 'quantity', replies: ['close.quantity.two'], check: (r) => expect(productOf(r)).toBe('chair-k3') } },
  { name: 'picking the cheaper product by number does not read "2" as a quantity', given: [...toRecommended, ev('太贵了', { intent: 'objection' }), ev('还是太贵了', { intent: 'objection' })], when: ev('2'), expect: { step: 'close', ask: 'quantity', check: (r) => expect(productOf(r)).toBe('desk-e1') } },
  { name: 'a quantity in the answer skips the question', given: toRecommended, when: ev('两张'), expect: { step: 'close', ask: 'contact', replies: ['close.contact'], check: (r) => expect((r.state.data.sale as { quantity: number }).quantity).toBe(2) } },
  { name: 'buying a named model goes straight to closing', state: null, when: ev('我要买一把K5', { intent: 'purchase' }), expect: { step: 'close', ask: 'contact', check: (r) => expect(productOf(r)).toBe('chair-k5') } },
  { name: 'how many: answered', given: toQuantity, when: one, expect: { step: 'close', ask: 'contact', replies: ['close.contact'] } },
  { name: 'contact details in part: only what is missing is asked', given: toContact, when: ev('电话13800138000'), expect: { ask: 'contact', replies: ['close.contact.missing'] } },
  { name: 'a question in between is answered, the question kept', given: toContact, when: ev('运费怎么算', { intent: 'after_sales', faq: { id: 'demo-ship-fee', answer: '满399元免配送费', score: 0.9 } }), expect: { step: 'close', ask: 'contact', replies: ['faq_answer'] } },
  { name: 'on a public post, details are asked in private', given: toRecommended, when: ev('好的', { public: true }), expect: { step: 'close', replies: ['close.private'] } },
  // 6. Confirm by restating
  { name: 'all details: the order is restated', given: toContact, when: contact, expect: { step: 'confirm', ask: 'confirm', replies: ['confirm.restate'], check: (r) => {
    expect(ofType(r.actions, 'reply')[0]!.vars).toMatchObject({ quantity: 1, total: '¥2,699', contactName: '张三', phone: '13800138000', address: '上海市浦东新区张江路1号' });
  } } },
  { name: 'a correction is applied and restated', given: toConfirm, when: ev('地址改成北京市朝阳区建国路88号', { intent: 'order_confirm' }), expect: { step: 'confirm', replies: ['confirm.restate'], check: (r) => expect(ofType(r.actions, 'reply')[0]!.vars!.address).toBe('北京市朝阳区建国路88号') } },
  { name: '"change" asks what', given: toConfirm, when: ev('修改'), expect: { step: 'confirm', ask: 'change', replies: ['confirm.change'] } },
  { name: 'the change, then the restatement', given: [...toConfirm, ev('修改')], when: ev('要3张'), expect: { step: 'confirm', ask: 'confirm', check: (r) => expect(ofType(r.actions, 'reply')[0]!.vars).toMatchObject({ quantity: 3, total: '¥8,097' }) } },
  // 7. Place the order, report shipping
  { name: '"confirm" places the order (an effect)', given: toConfirm, when: confirm, expect: { step: 'order', ask: null, replies: [], actions: ['place_order'], check: (r) => {
    expect(r.state.data.pending).toBe('place_order');
    expect(ofType(r.actions, 'place_order')[0]!.order).toEqual({ lines: [{ productId: 'desk-e2', name: '双电机升降桌 E2 Pro', quantity: 1, unitPrice: 2699 }], contact: { name: '张三', phone: '13800138000', address: '上海市浦东新区张江路1号' }, total: 2699, currency: 'CNY' });
  } } },
  { name: 'the order placed is reported', given: toPlacing, when: placed(), expect: { step: 'order', ask: 'anything_else', replies: ['order.placed'], check: (r) => expect((r.state.data.sale as { orderNo: string }).orderNo).toBe('KF20250301000001') } },
  { name: 'the shop unreachable: the draft kept, confirm again', given: toPlacing, when: placeFailed('unavailable'), expect: { step: 'confirm', ask: 'confirm', replies: ['order.unavailable'] } },
  { name: 'the shop refuses: a person takes over', given: toPlacing, when: placeFailed('rejected'), expect: { replies: ['order.rejected'], actions: ['handoff'] } },
  { name: 'a shipping question enters at step 7 and asks for the order number', state: null, when: ev('我的快递到哪了', { intent: 'shipping' }), expect: { flow: 'reception', step: 'order', ask: 'order_no', replies: ['shipping.ask_order'] } },
  { name: 'with the number, it is looked up', given: [ev('我的快递到哪了', { intent: 'shipping' })], when: ev('KF20250001'), expect: { step: 'order', actions: ['lookup_shipping'] } },
  { name: 'a number in the first message is looked up at once', state: null, when: ev('订单KF20250001什么时候到', { intent: 'shipping' }), expect: { actions: ['lookup_shipping'] } },
  { name: 'after ordering, "where is it" needs no number', given: [...toPlacing, placed()], when: ev('我的订单到哪了', { intent: 'shipping' }), expect: { check: (r) => expect(ofType(r.actions, 'lookup_shipping')[0]!.orderNo).toBe('KF20250301000001') } },
  { name: 'a general shipping question is answered from the FAQ', given: [hi], when: ev('一般几天能送到', { intent: 'shipping', faq: { id: 'demo-ship-time', answer: '3到6天', score: 0.9 } }), expect: { replies: ['faq_answer'] } },
  { name: 'shipped', given: toTracking, when: shipped('shipped'), expect: { ask: 'anything_else', replies: ['shipping.shipped'] } },
  { name: 'processing', given: toTracking, when: shipped('processing'), expect: { replies: ['shipping.processing'] } },
  { name: 'delivered', given: toTracking, when: shipped('delivered'), expect: { replies: ['shipping.delivered'] } },
  { name: 'cancelled', given: toTracking, when: shipped('cancelled'), expect: { replies: ['shipping.cancelled'] } },
  { name: 'an unknown order number: check it, ask again', given: toTracking, when: lookupFailed('not_found'), expect: { ask: 'order_no', replies: ['shipping.not_found'] } },
  { name: 'tracking unreachable', given: toTracking, when: lookupFailed('unavailable'), expect: { replies: ['shipping.unavailable'] } },
  // 8. Farewell
  { name: '"nothing else, thanks" says goodbye', given: [...toPlacing, placed()], when: ev('没有了，谢谢', { intent: 'farewell' }), expect: { step: 'farewell', replies: ['farewell'] } },
  { name: 'goodbye at any step', given: toRecommended, when: ev('谢谢，再见', { intent: 'farewell' }), expect: { step: 'farewell', replies: ['farewell'] } },
  { name: 'a bare "ok" with nothing pending asks whether there is more', given: [hi, ev('运费怎么算', { intent: 'after_sales', faq: { id: 'demo-ship-fee', answer: 'x', score: 0.9 } })], when: ok, expect: { ask: 'anything_else', replies: ['anything_else'] } },
  // English
  { name: 'English: the product name in English', state: null, when: ev('I want to buy a standing desk', { intent: 'purchase', language: 'en' }), expect: { step: 'recommend', check: (r) => {
    expect(r.state.data.lang).toBe('en');
    expect(ofType(r.actions, 'reply')[0]).toMatchObject({ vars: { name: 'E2 Pro dual-motor standing desk' }, choices: ['Order now', 'See other models'] });
  } } },
  { name: 'English: "1" keeps the conversation English', given: [ev('I want to buy a standing desk', { intent: 'purchase' }), ev('yes')], when: ev('1', { language: 'en' }), expect: { ask: 'contact', check: (r) => expect(r.state.data.lang).toBe('en') } },
];

describe('reception flow transitions', () => {
  test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => runRow(row, engine));
});

test('a dialog built with another catalogue recommends from it', () => {
  const catalogue = {
    currency: 'CNY' as const,
    categories: [{ id: 'lamp', name: { zh: '台灯', en: 'lamps' }, aliases: ['台灯', 'lamp'] }],
    products: [{ id: 'lamp-1', category: 'lamp', price: 199, aliases: [], name: { zh: '护眼台灯', en: 'eye-care lamp' }, unit: { zh: '盏', en: '' },
      feature: { zh: 'f', en: 'f' }, advantage: { zh: 'a', en: 'a' }, benefit: { zh: 'b', en: 'b' }, specs: { zh: 's', en: 's' }, assurance: { zh: 'x', en: 'x' }, gift: { zh: 'g', en: 'g' } }],
  };
  const dialog = createDialog({ ...createPolicy(), catalogue });
  const result = dialog(null, ev('我想买台灯', { intent: 'purchase' }));
  expect(productOf(result)).toBe('lamp-1');
});

function createPolicy() {
  // A resolved policy is accepted as is (a DialogPolicy carries its catalogue).
  return { authority: { general: [], serious: [] }, couponValue: 30, vip: 'never' as const, lowConfidence: 0.45, lowConfidenceTurns: 2, frustrationLimit: 3,
    followUpMs: { general: 1, serious: 1 }, idleNudges: 2 };
}

describe('reading corrections while confirming', () => {
  const toConfirm = [ev('我想买一张升降桌', { intent: 'purchase' }), ev('好的'), ev('1张'), ev('张三 13800138000 上海市浦东新区张江路1号')];
  test.each<[string, Record<string, string | number>]>([
    ['地址错了，改成北京市朝阳区建国路88号', { address: '北京市朝阳区建国路88号', phone: '13800138000' }],
    ['电话写错了，是13900001111', { phone: '13900001111', address: '上海市浦东新区张江路1号' }],
    ['名字写错了，收货人是李四', { contactName: '李四' }],
    ['不对，要两张', { quantity: 2, total: '¥5,398' }],
  ])('%s', (text, expected) => {
    const result = engine(stateAfterAll(toConfirm), ev(text, { intent: 'order_confirm' }));
    expect(replies(result.actions)).toEqual(['confirm.restate']);
    expect(ofType(result.actions, 'reply')[0]!.vars).toMatchObject(expected);
  });

  test('English: "wrong address, it should be 5 Main Street"', () => {
    const start = stateAfterAll([ev('I want to buy a standing desk', { intent: 'purchase' }), ev('yes'), ev('1'), ev('Anna Lee, 13700001111, 100 Tiyu West Road, Guangzhou')]);
    const result = engine(start, ev('wrong address, it should be 5 Main Street', { intent: 'order_confirm', confidence: 0.41 }));
    expect(ofType(result.actions, 'reply')[0]!.vars).toMatchObject({ address: '5 Main Street', contactName: 'Anna Lee' });
  });

  test('a mild complaint-like correction is still a correction', () => {
    const result = engine(stateAfterAll(toConfirm), ev('地址错了，改成北京市朝阳区建国路88号', { intent: 'complaint', confidence: 0.6 }));
    expect(result.state.flow).toBe('reception');
    expect(replies(result.actions)).toEqual(['confirm.restate']);
  });
});

const stateAfterAll = (events: Parameters<typeof stateAfter>[1]) => stateAfter(engine, events);

describe('questions the FAQ answers, whatever the NLU calls them', () => {
  const fee = { id: 'demo-ship-fee', answer: '满399元免配送费', score: 0.9 };
  test.each<[string, string, Parameters<typeof stateAfter>[1]]>([
    ['满多少包邮', 'objection', []],
    ['怎么付款', 'purchase', [ev('我想买一张升降桌', { intent: 'purchase' })]],
    ['满多少包邮', 'objection', [ev('我想买一张升降桌', { intent: 'purchase' }), ev('好的')]],
  ])('%s (%s) is answered and the pending question kept', (text, intent, given) => {
    const before = stateAfterAll(given);
    const result = engine(before, ev(text, { intent, faq: fee }));
    expect(replies(result.actions)[0]).toMatch(/faq_answer/);
    expect(result.state.data.ask).toBe(before?.data.ask ?? null);
  });

  test('a price objection about the product on the table is not sent to the FAQ', () => {
    const result = engine(stateAfterAll([ev('我想买一张升降桌', { intent: 'purchase' })]), ev('太贵了，能便宜点吗', { intent: 'objection', faq: { id: 'demo-bulk', answer: '满20件批量价', score: 0.4 } }));
    expect(replies(result.actions)).toEqual(['objection.testing']);
  });
});

test('naming the product and the quantity at once: "K3，两把"', () => {
  const state = stateAfterAll([ev('想买把椅子，但不知道选哪个好', { intent: 'recommendation' })]);
  const result = engine(state, ev('K3，两把'));
  expect(result.state.data.sale).toMatchObject({ productId: 'chair-k3', quantity: 2 });
  expect(replies(result.actions)).toEqual(['close.contact']);
});
