/** Every transition of the five-step complaint flow and of the hand-over policy, as tables (pure, fast). */
import { createDialog, engine } from '../../dialogs/engine.js';
import { ev, ofType, runRow, type Row } from './support/events.js';

const grumble = ev('椅子坏了', { intent: 'complaint' });
const detailed = ev('你们的椅子质量太差了，才用一个月扶手就断了', { intent: 'complaint' });
const withEverything = ev('你们的椅子质量太差了，才用一个月扶手就断了，订单号KF20250001', { intent: 'complaint', kind: 'media', attachments: [{ kind: 'image' }] });
const serious = ev('我要投诉，桌子送来就坏了，第三次了，必须赔偿', {
  intent: 'complaint', grade: { severity: 'serious', form: 'venting', reasons: ['repeated contact', 'demands compensation'] },
});
const critical = ev('再不解决我就找记者曝光，还要打12315', {
  intent: 'complaint', grade: { severity: 'critical', category: 'service', form: 'extreme', reasons: ['media: journalist', 'regulator: 12315'] },
});
const lateDelivery = ev('说好三天送到，等了一个礼拜还没到，订单号KF20250001', { intent: 'complaint', grade: { category: 'service' } });
const hi = ev('你好', { intent: 'greeting' });
const toProposal = [withEverything];
const noSeriousAuthority = createDialog({ authority: { serious: [] } });

const rows: Row[] = [
  // 1-2. Soothe and listen
  { name: 'a short grumble is soothed and the story asked for', state: null, when: grumble, expect: { flow: 'complaint', step: 'listen', ask: 'complaint_details', replies: ['complaint.soothe'] } },
  { name: 'an angry customer is soothed first', state: null, when: serious, expect: { step: 'listen', replies: ['complaint.soothe'] } },
  { name: 'a calm, detailed complaint asks once for what is missing', given: [hi], when: detailed, expect: { step: 'listen', replies: ['complaint.soothe.ask'], check: (r) => {
    expect(ofType(r.actions, 'reply')[0]!.vars!.missing).toBe('订单号和问题部位的照片');
  } } },
  { name: 'the details come: empathise, then propose', given: [detailed], when: ev('订单号KF20250001', { intent: 'order_confirm', confidence: 0.47 }), expect: { step: 'propose', ask: 'remedy', replies: ['complaint.empathise', 'complaint.propose'] } },
  { name: 'no interrogation: asked once, the bot goes on without the photo', given: [grumble], when: ev('没拍照片'), expect: { step: 'propose' } },
  { name: 'nothing missing and calm: empathise and propose at once', state: null, when: withEverything, expect: { step: 'propose', replies: ['complaint.empathise', 'complaint.propose'], check: (r) => {
    expect(ofType(r.actions, 'reply')[1]!.choices).toEqual(['为您换新', '安排上门维修', '退货退款']);
    expect(r.state.data.complaint).toMatchObject({ orderNo: 'KF20250001', photos: 1 });
  } } },
  { name: 'a service complaint is offered what fits it (a coupon), not a repair', state: null, when: lateDelivery, expect: { step: 'propose', check: (r) => expect(ofType(r.actions, 'reply')[1]!.choices).toEqual(['送您一张30元优惠券']) } },
  { name: 'a complaint mid-order leaves the sale for the complaint', given: [hi, ev('我想买一张升降桌', { intent: 'purchase' })], when: grumble, expect: { flow: 'complaint', step: 'listen' } },
  // 4. Agree within authority; 5. case and follow-up
  { name: 'a remedy picked by number: case, follow-up, a deadline the follow-up keeps', given: toProposal, when: ev('1'), expect: {
    flow: 'complaint', step: 'follow_up', ask: 'anything_else', replies: ['complaint.agreed'], actions: ['open_case', 'schedule_follow_up'], check: (r) => {
      const [opened] = ofType(r.actions, 'open_case');
      expect(opened).toMatchObject({ severity: 'general', category: 'product', subject: expect.stringContaining('[KF20250001]') });
      expect(opened!.reasons).toContain('remedy agreed: replace');
      expect(ofType(r.actions, 'schedule_follow_up')[0]!.afterMs).toBe(24 * 3_600_000);
      expect(ofType(r.actions, 'reply')[0]!.vars).toMatchObject({ remedy: '为您换新', hours: 24 });
      expect(r.state.data.complaints).toBe(1);
    },
  } },
  { name: 'a remedy named in words', given: toProposal, when: ev('上门维修吧', { intent: 'after_sales' }), expect: { step: 'follow_up', check: (r) => expect(r.state.data.complaint).toMatchObject({ remedy: 'repair', closed: true }) } },
  { name: '"ok" with several remedies on offer asks which', given: toProposal, when: ev('好的'), expect: { step: 'propose', replies: ['complaint.propose.which'] } },
  { name: '"ok" with a single remedy on offer agrees to it', given: [lateDelivery], when: ev('好的'), expect: { step: 'follow_up', replies: ['complaint.agreed'] } },
  { name: 'compensation is beyond the authority: a supervisor, no promise', given: toProposal, when: ev('我要赔偿', { intent: 'purchase' }), expect: { replies: ['complaint.beyond'], actions: ['open_case', 'handoff'] } },
  { name: 'a remedy not on offer is beyond the authority too', given: [lateDelivery], when: ev('我要退款'), expect: { replies: ['complaint.beyond'], actions: ['open_case', 'handoff'] } },
  { name: 'none of them: handed over, unresolved', given: toProposal, when: ev('都不行'), expect: { replies: ['complaint.handoff'], actions: ['open_case', 'handoff'] } },
  { name: 'leaving before agreeing: the case is still opened and followed up', given: [grumble], when: ev('算了，再见', { intent: 'farewell' }), expect: { flow: 'reception', step: 'farewell', replies: ['farewell'], actions: ['open_case', 'schedule_follow_up'] } },
  // Severity
  { name: 'serious, within authority: only the remedies allowed for serious', given: [serious], when: ev('订单号KF20250001，桌腿断了'), expect: { step: 'propose', check: (r) => expect(ofType(r.actions, 'reply')[1]!.choices).toEqual(['为您换新', '安排上门维修']) } },
  { name: 'serious, no authority: handed over right after the empathy step', dialog: noSeriousAuthority, given: [serious], when: ev('订单号KF20250001'), expect: {
    replies: ['complaint.empathise', 'complaint.handoff'], actions: ['open_case', 'handoff'], check: (r) => {
      expect(ofType(r.actions, 'handoff')[0]!.priority).toBe('serious');
      expect(ofType(r.actions, 'open_case')[0]!.severity).toBe('serious');
    },
  } },
  { name: 'serious and unresolved: priority serious', given: [serious, ev('订单号KF20250001')], when: ev('不行'), expect: { actions: ['open_case', 'handoff'], check: (r) => expect(ofType(r.actions, 'handoff')[0]!.priority).toBe('serious') } },
  { name: 'a complaint that grows serious while listening is graded up', given: [detailed], when: ev('已经第三次了，必须赔偿', { intent: 'complaint', grade: { severity: 'serious', reasons: ['repeated contact'] } }), expect: { check: (r) => expect(r.state.data.complaint).toMatchObject({ severity: 'serious' }) } },
  { name: 'critical: a holding reply, a case, a supervisor now', state: null, when: critical, expect: {
    flow: 'complaint', step: 'soothe', replies: ['complaint.critical'], actions: ['open_case', 'handoff'], check: (r) => {
      expect(ofType(r.actions, 'handoff')[0]!.priority).toBe('critical');
      expect(ofType(r.actions, 'open_case')[0]).toMatchObject({ severity: 'critical', reasons: expect.arrayContaining(['regulator: 12315']) });
      expect(r.state.data.handover).toEqual({ reason: 'critical', priority: 'critical' });
    },
  } },
  { name: 'critical in the middle of an order', given: [hi, ev('我想买一张升降桌', { intent: 'purchase' }), ev('好的')], when: critical, expect: { replies: ['complaint.critical'], actions: ['open_case', 'handoff'] } },
  { name: 'critical while listening to a general complaint', given: [grumble], when: critical, expect: { replies: ['complaint.critical'], check: (r) => expect(ofType(r.actions, 'open_case')[0]!.severity).toBe('critical') } },
  { name: 'a second complaint in the conversation is a new episode', given: [withEverything, ev('1'), ev('谢谢', { intent: 'farewell' })], when: grumble, expect: { flow: 'complaint', step: 'listen', check: (r) => expect(r.state.data.complaints).toBe(1) } },
];

const handoffRows: Row[] = [
  { name: 'asked for a person', given: [hi], when: ev('转人工', { intent: 'human', confidence: 0.98 }), expect: { replies: ['handoff'], actions: ['handoff'], check: (r) => expect(ofType(r.actions, 'handoff')[0]!.priority).toBe('normal') } },
  { name: 'asked for a person in the middle of an order: the order is kept for the agent', given: [ev('我要买一把K5', { intent: 'purchase' })], when: ev('我要找人工客服', { intent: 'human' }), expect: {
    flow: 'reception', step: 'close', replies: ['handoff.in_order'], actions: ['handoff'], check: (r) => {
      expect(ofType(r.actions, 'handoff')[0]!.reason).toContain('reception/close');
      expect((r.state.data.sale as { productId: string }).productId).toBe('chair-k5');
    },
  } },
  { name: '"转人工" inside a complaint (labelled complaint) hands over with the case', given: [serious], when: ev('转人工', { intent: 'complaint', grade: { severity: 'serious' } }), expect: { replies: ['complaint.handoff'], actions: ['open_case', 'handoff'], check: (r) => expect(ofType(r.actions, 'handoff')[0]!.priority).toBe('serious') } },
  { name: 'an unsure "human" reading of a message is not a request', given: [ev('我要买一把K5', { intent: 'purchase' })], when: ev('收货人李四，电话13912345678', { intent: 'human', confidence: 0.57 }), expect: { step: 'close', ask: 'contact', actions: [] } },
  { name: 'two turns not understood in a row', given: [hi, ev('火星上的天气怎么样')], when: ev('量子力学是什么'), expect: { replies: ['handoff.low_confidence'], actions: ['handoff'] } },
  { name: 'one turn not understood is only a question back', given: [hi], when: ev('火星上的天气怎么样'), expect: { replies: ['fallback'], actions: [] } },
  { name: 'a low-confidence guess is not acted on', given: [hi], when: ev('嗯那个', { intent: 'purchase', confidence: 0.2 }), expect: { replies: ['fallback'] } },
  { name: 'the same question twice', given: [ev('运费怎么算', { intent: 'after_sales', faq: { id: 'demo-ship-fee', answer: 'x', score: 0.9 } })], when: ev('运费怎么算？', { intent: 'after_sales', faq: { id: 'demo-ship-fee', answer: 'x', score: 0.9 } }), expect: { replies: ['handoff.repeat'], actions: ['handoff'] } },
  { name: 'rising frustration', given: [hi, ev('升降桌', { intent: 'product_inquiry' }), ev('到底能不能好好回答！！', { confidence: 0.3 })], when: ev('听不懂吗？？！', { confidence: 0.3 }), expect: { replies: ['handoff.frustration'], actions: ['handoff'] } },
  { name: 'VIP with a complaint (default policy): their person, priority vip', state: null, when: ev('椅子坏了', { intent: 'complaint', tier: 'vip' }), expect: { replies: ['complaint.vip'], actions: ['open_case', 'handoff'], check: (r) => expect(ofType(r.actions, 'handoff')[0]!.priority).toBe('vip') } },
  { name: 'VIP shopping (default policy): the bot serves', state: null, when: ev('我想买一张升降桌', { intent: 'purchase', tier: 'vip' }), expect: { step: 'recommend', actions: [] } },
  { name: 'VIP, policy "always": a person at once, once', dialog: createDialog({ vip: 'always' }), state: null, when: ev('你好', { intent: 'greeting', tier: 'vip' }), expect: { replies: ['handoff.vip'], actions: ['handoff'] } },
  { name: 'VIP, policy "never": served like anyone', dialog: createDialog({ vip: 'never' }), state: null, when: ev('椅子坏了', { intent: 'complaint', tier: 'vip' }), expect: { replies: ['complaint.soothe'], actions: [] } },
  { name: 'a VIP asking for a person gets priority vip', given: [hi], when: ev('转人工', { intent: 'human', tier: 'vip' }), expect: { check: (r) => expect(ofType(r.actions, 'handoff')[0]!.priority).toBe('vip') } },
];

describe('complaint flow transitions', () => {
  test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => runRow(row, engine));
});

describe('hand-over policy', () => {
  test.each(handoffRows.map((r) => [r.name, r] as const))('%s', (_name, row) => runRow(row, engine));
});

test('the bot never offers a remedy outside its authority, whatever the complaint', () => {
  const dialog = createDialog({ authority: { general: ['repair'], serious: [] } });
  for (const category of ['product', 'service', 'price', 'integrity']) {
    const result = dialog(null, ev('你们的东西有问题，订单号KF20250001，照片发您了', { intent: 'complaint', kind: 'media', attachments: [{ kind: 'image' }], grade: { category } }));
    for (const reply of ofType(result.actions, 'reply')) for (const choice of reply.choices ?? []) expect(choice).toBe('安排上门维修');
    const offered = (result.state.data.complaint as { offered: string[] }).offered;
    expect(offered.every((r) => r === 'repair')).toBe(true);
    if (offered.length === 0) expect(ofType(result.actions, 'handoff')).toHaveLength(1);
  }
});

test('words that merely contain 人工 are not a request for a person', () => {
  const result = engine(null, ev('安装要收人工费吗', { intent: 'after_sales', faq: { id: 'demo-install', answer: '城区免费安装', score: 0.9 } }));
  expect(ofType(result.actions, 'handoff')).toHaveLength(0);
});
