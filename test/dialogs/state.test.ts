/** Versioned state, migration of old or unknown state, runtime events (idle, no_agent), effects, purity. */
import { withSyncEffects, runTurnSync, MAX_EFFECTS_PER_TURN } from '../../dialogs/effects.js';
import { dialogLanguage, engine, ENGINE_VERSION } from '../../dialogs/engine.js';
import type { DialogState } from '../../src/contract.js';
import type { Dialog } from '../../dialogs/types.js';
import { ev, idle, ofType, replies, runRow, ScriptedShop, stateAfter, type Row } from './support/events.js';

const hi = ev('你好', { intent: 'greeting' });
const recommended = [hi, ev('我想买一张升降桌', { intent: 'purchase' })];

const eventRows: Row[] = [
  // A silent customer: open question, then a choice question, then goodbye.
  { name: 'idle once: an open question', given: recommended, when: idle(), expect: { step: 'recommend', replies: ['idle.open'], check: (r) => expect(r.state.data.profile).toMatchObject({ style: 'silent' }) } },
  { name: 'idle twice: a choice question', given: [...recommended, idle()], when: idle(), expect: { ask: 'decision', replies: ['idle.choice'] } },
  { name: 'idle twice with no product yet: the categories to choose from', given: [hi, idle()], when: idle(), expect: { ask: 'category', replies: ['inquiry.ask.choice'] } },
  { name: 'idle three times: a polite goodbye', given: [...recommended, idle(), idle()], when: idle(), expect: { step: 'farewell', replies: ['idle.farewell'] } },
  { name: 'idle after goodbye: nothing', given: [...recommended, idle(), idle(), idle()], when: idle(), expect: { replies: [], actions: [] } },
  { name: 'idle before anything was said: nothing', state: null, when: idle(), expect: { replies: [] } },
  { name: 'idle while a person has the conversation: nothing', given: [hi, ev('转人工', { intent: 'human' })], when: idle(), expect: { replies: [], actions: [] } },
  { name: 'a message after idling starts the count again', given: [...recommended, idle(), idle(), ev('运费怎么算', { intent: 'after_sales', faq: { id: 'f', answer: 'x', score: 1 } })], when: idle(), expect: { replies: ['idle.open'] } },
  { name: 'idle in a complaint: asked, then the case is opened anyway', given: [ev('椅子坏了', { intent: 'complaint' }), idle(), idle()], when: idle(), expect: { step: 'farewell', actions: ['open_case', 'schedule_follow_up'] } },
  // No agent came: the bot has the conversation back.
  { name: 'no agent available: say so, take details, schedule the call back', given: [hi, ev('转人工', { intent: 'human' })], when: ev('', { kind: 'event', event: 'no_agent' }), expect: {
    replies: ['no_agent'], actions: ['schedule_follow_up'], check: (r) => expect(r.state.data.handover).toBeNull(),
  } },
  { name: 'back with the bot, the order in progress continues', given: [ev('我要买一把K5', { intent: 'purchase' }), ev('我要找人工客服', { intent: 'human' }), ev('', { kind: 'event', event: 'no_agent' })], when: ev('张三 13800138000 上海市浦东新区张江路1号'), expect: { step: 'confirm', replies: ['confirm.restate'] } },
];

describe('runtime events', () => {
  test.each(eventRows.map((r) => [r.name, r] as const))('%s', (_name, row) => runRow(row, engine));
});

describe('state: versioned, and read whatever was stored', () => {
  const text = ev('我想买一张升降桌', { intent: 'purchase' });

  test('the state carries the engine version, flow and step', () => {
    const { state } = engine(null, hi);
    expect(state).toMatchObject({ version: ENGINE_VERSION, flow: 'reception', step: 'greet' });
  });

  test('the greeter of v1 (live conversations) continues without greeting again', () => {
    const old: DialogState = { version: 1, flow: 'reception', step: 'inquiry', data: { greeted: true } };
    const result = engine(old, ev('运费怎么算', { intent: 'after_sales', faq: { id: 'f', answer: 'x', score: 1 } }));
    expect(replies(result.actions)).toEqual(['faq_answer']);
    expect(result.state.version).toBe(ENGINE_VERSION);
  });

  test.each<[string, DialogState]>([
    ['an unknown flow', { version: ENGINE_VERSION, flow: 'survey', step: 'q3', data: { greeted: true, complaints: 2 } }],
    ['an unknown step', { version: ENGINE_VERSION, flow: 'reception', step: 'upsell', data: { greeted: true, complaints: 2 } }],
    ['a newer version', { version: 99, flow: 'reception', step: 'confirm', data: { greeted: true, complaints: 2, ask: 'confirm', pending: 'place_order' } }],
    ['damaged data', { version: ENGINE_VERSION, flow: 'reception', step: 'close', data: { greeted: 'yes', complaints: 2, sale: 5, profile: null, signals: [], ask: 'nonsense', choices: 'x' } }],
    ['a complaint flow that changed', { version: 1, flow: 'complaint', step: 'investigate', data: { complaints: 2, complaint: { severity: 'general', story: ['坏了'] } } }],
  ])('%s: handled, not crashed, what was learnt kept', (_name, stored) => {
    const result = engine(stored, text);
    expect(result.state.version).toBe(ENGINE_VERSION);
    expect(result.state.data.complaints).toBe(2);
    expect(replies(result.actions).length).toBeGreaterThan(0);
  });

  test('a pending question of another version is not assumed: "确认" does not place an order', () => {
    const stored: DialogState = { version: 99, flow: 'reception', step: 'confirm', data: { greeted: true, ask: 'confirm' } };
    const result = engine(stored, ev('确认'));
    expect(ofType(result.actions, 'place_order')).toHaveLength(0);
  });

  test('pure: the same state and event give the same result, and the input is not touched', () => {
    const state = stateAfter(engine, recommended);
    const copy = structuredClone(state);
    const event = ev('太贵了', { intent: 'objection' });
    expect(engine(state, event)).toEqual(engine(state, event));
    expect(state).toEqual(copy);
  });

  test('the dialog language is sticky and readable by the runtime', () => {
    const state = stateAfter(engine, [ev('I want to buy a standing desk', { intent: 'purchase' }), ev('1', { language: 'en' })]);
    expect(dialogLanguage(state)).toBe('en');
    expect(dialogLanguage(null)).toBeNull();
  });
});

describe('effects: performed by the runtime, their result fed back in the same turn', () => {
  const toConfirm = [...recommended, ev('好的'), ev('1张'), ev('张三 13800138000 上海市浦东新区张江路1号')];

  test('place_order is resolved within the turn; the actions left contain no effect', () => {
    const shop = new ScriptedShop();
    const state = stateAfter(engine, toConfirm);
    const result = runTurnSync(engine, state, ev('确认'), shop.perform);
    expect(result.actions.map((a) => a.type)).toEqual(['reply']);
    expect(replies(result.actions)).toEqual(['order.placed']);
    expect(shop.placed).toHaveLength(1);
    expect(result.state.data.pending).toBeNull();
  });

  test('a shipping lookup too', () => {
    const shop = new ScriptedShop({ KF1234567: { orderNo: 'KF1234567', status: 'shipped', carrier: 'SF', trackingNo: 'SF1', date: '2025-03-05' } });
    const result = withSyncEffects(engine, shop.perform)(null, ev('KF1234567到哪了', { intent: 'shipping' }));
    expect(replies(result.actions)).toEqual(['shipping.shipped']);
    expect(shop.lookups).toEqual(['KF1234567']);
  });

  test('a dialog that keeps asking for effects is stopped', () => {
    const greedy: Dialog = (state) => ({ state: state ?? { version: 1, flow: 'x', step: 'y', data: {} }, actions: [{ type: 'lookup_shipping', orderNo: 'KF1' }] });
    const shop = new ScriptedShop();
    expect(() => runTurnSync(greedy, null, hi, shop.perform)).toThrow(/more than/);
    expect(shop.lookups).toHaveLength(MAX_EFFECTS_PER_TURN);
  });
});
