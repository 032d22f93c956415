import { readFileSync } from 'node:fs';
import { analyze, FAQ_THRESHOLD, FaqIndex, loadFaqFile, parseFaq } from '../../src/nlu/faq.js';
import { DEMO_FAQ, loadNlu } from '../../src/nlu/index.js';
import { fromRoot } from '../../src/paths.js';

interface Query { id: string; text: string; faq: string | null }
const queries: Query[] = readFileSync(fromRoot('dialogs', 'nlu', 'faq-queries.jsonl'), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l) as Query);
const demo = new FaqIndex(loadFaqFile(DEMO_FAQ));

describe('the demo FAQ', () => {
  test('is valid, has unique ids, 30-50 entries in both languages', () => {
    const entries = loadFaqFile(DEMO_FAQ);
    expect(entries.length).toBeGreaterThanOrEqual(30);
    expect(entries.length).toBeLessThanOrEqual(50);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    expect(entries.some((e) => e.lang === 'en')).toBe(true);
    expect(entries.filter((e) => e.lang === 'zh').length).toBeGreaterThanOrEqual(30);
  });

  test('every calibration query names an existing entry', () => {
    const ids = new Set(loadFaqFile(DEMO_FAQ).map((e) => e.id));
    for (const q of queries) if (q.faq) expect(ids.has(q.faq)).toBe(true);
  });
});

describe('retrieval on the project\'s own held-out questions', () => {
  const answered = queries.map((q) => ({ q, hit: demo.ask(q.text) }));
  const inScope = answered.filter(({ q }) => q.faq);
  const outOfScope = answered.filter(({ q }) => !q.faq);

  test('top-1 accuracy on answerable questions >= 0.70', () => {
    expect(inScope.filter(({ q, hit }) => hit?.id === q.faq).length / inScope.length).toBeGreaterThanOrEqual(0.7);
  });

  test('out-of-scope questions answered null >= 0.85', () => {
    expect(outOfScope.filter(({ hit }) => hit === null).length / outOfScope.length).toBeGreaterThanOrEqual(0.85);
  });

  test('ranking puts the right entry first for >= 0.85 of answerable questions', () => {
    const ranked = inScope.filter(({ q }) => demo.rank(q.text, 1)[0]?.id === q.faq).length;
    expect(ranked / inScope.length).toBeGreaterThanOrEqual(0.85);
  });
});

describe('retrieval cases', () => {
  test.each([
    ['Chinese paraphrase', '买了才三天就降价 可以返还差额吗', 'demo-price'],
    ['Traditional Chinese', '訂單取消後錢多久退回來', 'demo-refund'],
    ['cross-language: English question, Chinese entry', 'How long is the warranty on an office chair?', 'demo-warranty'],
    ['cross-language: English question, Chinese entry (stairs)', 'No elevator and we are on the 5th floor, is carrying up extra?', 'demo-stairs'],
    ['cross-language: Chinese question, English entry', '可以寄到澳门吗', 'demo-overseas-en'],
    ['cross-language: Chinese question, English entry (pickup)', '我想自己开车去你们仓库提货', 'demo-pickup-en'],
  ])('%s', (_name, text, id) => {
    const hit = demo.ask(text);
    expect(hit?.id).toBe(id);
    expect(hit?.score).toBeGreaterThanOrEqual(FAQ_THRESHOLD);
  });

  test.each([
    '你们老板叫什么名字',
    'Do you sell laptops?',
    '你们招不招销售',
    '今天天气怎么样',
  ])('out of scope: %s -> null', (text) => {
    expect(demo.ask(text)).toBeNull();
  });

  // Chatty context (places, times, feelings, onomatopoeia, words no entry has) must not hide
  // an answer the base holds: unknown words are charged once, scene-setting words weigh less.
  test.each([
    ['context words around the question', '我们在老厂区 楼里只有步梯 文件柜抬到四层要不要加钱', 'demo-stairs'],
    ['a feeling and a sound', '转椅吱嘎吱嘎响个不停 听着真闹心', 'demo-chair-noise'],
    ['a long English question with unknown words', 'We just moved into a renovated loft, will your castors scratch the oak parquet?', 'demo-floor-en'],
    ['money coming back, worded loosely', '撤单了 钱多久能退回来', 'demo-refund'],
  ])('answers despite %s', (_name, text, id) => {
    expect(demo.ask(text)?.id).toBe(id);
  });

  test('scene-setting words (time, place, pronouns) weigh less than topic words', () => {
    const a = analyze('月底那里有没有门卫');
    expect(a.han.get('w:月底') ?? 1).toBeLessThan(1);
    expect(a.han.get('w:那里') ?? 1).toBeLessThan(1);
    expect(a.han.get('w:门卫')).toBe(1);
  });

  test('a decisive topic mentioned only in an answer does not make the entry about it', () => {
    const base = new FaqIndex(parseFaq([
      { id: 'presale', question: '预售商品多久发货？', answer: '预售商品按订单在工厂生产，付款后15天内发货。' },
      { id: 'warranty', question: '保修多久？', answer: '整椅保修三年。' },
    ]));
    expect(base.ask('预售的多久发货')?.id).toBe('presale');
    expect(base.ask('你们自己有工厂吗 在哪生产')).toBeNull();
  });

  test('a hit carries id, question, answer and a score in [0, 1]', () => {
    const hit = demo.ask('能开增值税专用发票吗');
    expect(hit).toMatchObject({ id: 'demo-vat' });
    expect(hit?.answer.length).toBeGreaterThan(10);
    expect(hit?.score).toBeGreaterThan(0);
    expect(hit?.score).toBeLessThanOrEqual(1);
  });

  test('an invalid knowledge base is rejected with its name', () => {
    expect(() => parseFaq([{ id: 'x' }], 'bad.json')).toThrow(/bad.json/);
  });

  test('loadNlu combines the demo FAQ and extra files; faqFiles alone excludes the demo', () => {
    expect(loadNlu({ eagerIntents: false }).faq.size).toBe(loadFaqFile(DEMO_FAQ).length);
    expect(loadNlu({ faqFiles: [DEMO_FAQ], includeDemoFaq: false, eagerIntents: false }).faq.size).toBe(loadFaqFile(DEMO_FAQ).length);
    expect(loadNlu({ faqFiles: [], includeDemoFaq: false, eagerIntents: false }).faq.ask('退款多久到')).toBeNull();
  });
});
