import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANSWER_FEATURES, PAIR_FEATURES } from '../../src/nlu/faq-features.js';
import { analyze, FAQ_THRESHOLD, FaqIndex, loadFaqFile, parseFaq, topIndices } from '../../src/nlu/faq.js';
import { ANSWER_WEIGHTS, RANK_WEIGHTS } from '../../src/nlu/faq-model.js';
import { defaultOutOfScope, OutOfScopeModel, outOfScopeExamples, questionTerms } from '../../src/nlu/faq-oos.js';
import { groupParaphrases, projectParaphrases } from '../../src/nlu/faq-paraphrase.js';
import { DEMO_FAQ, loadNlu } from '../../src/nlu/index.js';
import { fromRoot } from '../../src/paths.js';

interface Query { id: string; text: string; faq: string | null; base?: string }
const read = (name: string): Query[] => readFileSync(fromRoot('dialogs', 'nlu', name), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l) as Query);
const queries = read('faq-queries.jsonl');
const sealed = read('faq-queries.sealed.jsonl');
const demo = new FaqIndex(loadFaqFile(DEMO_FAQ));
// The knowledge base the project is scored with, when ../shared/eval is beside the project.
const baseFile = join(fromRoot(), '..', 'shared', 'eval', 'faq-base.json');

function measure(index: FaqIndex, list: Query[]): { top1: number; rank1: number; nullRate: number } {
  const answered = list.map((q) => ({ q, hit: index.ask(q.text), first: index.rank(q.text, 1)[0]?.id }));
  const inScope = answered.filter(({ q }) => q.faq);
  const outOfScope = answered.filter(({ q }) => !q.faq);
  return {
    top1: inScope.filter(({ q, hit }) => hit?.id === q.faq).length / inScope.length,
    rank1: inScope.filter(({ q, first }) => first === q.faq).length / inScope.length,
    nullRate: outOfScope.filter(({ hit }) => hit === null).length / outOfScope.length,
  };
}

describe('the demo FAQ', () => {
  test('is valid, has unique ids, 30-50 entries in both languages', () => {
    const entries = loadFaqFile(DEMO_FAQ);
    expect(entries.length).toBeGreaterThanOrEqual(30);
    expect(entries.length).toBeLessThanOrEqual(50);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    expect(entries.some((e) => e.lang === 'en')).toBe(true);
    expect(entries.filter((e) => e.lang === 'zh').length).toBeGreaterThanOrEqual(30);
  });

  test('every calibration and sealed query names an existing entry', () => {
    const ids = new Set(loadFaqFile(DEMO_FAQ).map((e) => e.id));
    for (const q of [...queries, ...sealed.filter((h) => h.base === 'demo')]) if (q.faq) expect(ids.has(q.faq)).toBe(true);
  });
});

describe('the fitted model (src/nlu/faq-model.ts, from test/nlu/faq-fit.ts)', () => {
  test('has one weight per feature and a threshold in (0, 1)', () => {
    expect(RANK_WEIGHTS).toHaveLength(PAIR_FEATURES.length);
    expect(ANSWER_WEIGHTS).toHaveLength(ANSWER_FEATURES.length);
    expect(FAQ_THRESHOLD).toBeGreaterThan(0);
    expect(FAQ_THRESHOLD).toBeLessThan(1);
  });

  test('the shipped out-of-scope weights are what the project\'s questions train (faq-oos-weights.json is not stale)', () => {
    expect(defaultOutOfScope().toJson()).toEqual(OutOfScopeModel.train(outOfScopeExamples()).toJson());
  });

  test('the out-of-scope cues read a service the shop does not offer as such, whatever words it shares with an entry', () => {
    const oos = defaultOutOfScope();
    expect(oos.logit(questionTerms('能租几把办公椅吗 用一个月'))).toBeGreaterThan(oos.logit(questionTerms('办公椅保修几年')));
    expect(oos.logit(questionTerms('Are you hiring installers?'))).toBeGreaterThan(oos.logit(questionTerms('Do you install the desk?')));
  });

  test('the questions it was fitted on still give what the fit reported (the model file matches the code)', () => {
    const m = measure(demo, queries);
    expect(m.rank1).toBeGreaterThanOrEqual(0.88);
    expect(m.top1).toBeGreaterThanOrEqual(0.75);
    expect(m.nullRate).toBeGreaterThanOrEqual(0.85);
  });
});

// Sealed: dialogs/nlu/faq-queries.sealed.jsonl was written from the entries' meaning and
// committed before the method changed, and is never used to fit or tune it. The floors sit a
// little under the figures measured at the end of that work (faq/README.md), so a regression
// fails while noise does not.
describe('retrieval on sealed questions the model never saw', () => {
  // Measured once at the end: demo 0.951 / 0.937 / 0.932 (143 + 44), scoring base 0.967 / 0.947 / 0.915 (152 + 47).
  test('demo base: right entry first >= 0.93, top-1 >= 0.91, out-of-scope null >= 0.90', () => {
    const m = measure(demo, sealed.filter((q) => q.base === 'demo'));
    expect(m.rank1).toBeGreaterThanOrEqual(0.93);
    expect(m.top1).toBeGreaterThanOrEqual(0.91);
    expect(m.nullRate).toBeGreaterThanOrEqual(0.9);
  });

  (existsSync(baseFile) ? test : test.skip)('scoring base (../shared/eval/faq-base.json): right entry first >= 0.94, top-1 >= 0.92, null >= 0.89', () => {
    const m = measure(new FaqIndex(loadFaqFile(baseFile)), sealed.filter((q) => q.base === 'base'));
    expect(m.rank1).toBeGreaterThanOrEqual(0.94);
    expect(m.top1).toBeGreaterThanOrEqual(0.92);
    expect(m.nullRate).toBeGreaterThanOrEqual(0.89);
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

  // Chatty context (places, times, feelings, onomatopoeia, words no entry has) must not push
  // the right entry down: scene-setting words weigh less. (Whether it is then answered is the
  // calibrated answer model's call: a question full of unknown words may rightly be refused.)
  test.each([
    ['context words around the question', '我们在老厂区 楼里只有步梯 文件柜抬到四层要不要加钱', 'demo-stairs'],
    ['a feeling and a sound', '转椅吱嘎吱嘎响个不停 听着真闹心', 'demo-chair-noise'],
    ['a long English question with unknown words', 'We just moved into a renovated loft, will your castors scratch the oak parquet?', 'demo-floor-en'],
    ['money coming back, worded loosely', '撤单了 钱多久能退回来', 'demo-refund'],
  ])('ranks the right entry first despite %s', (_name, text, id) => {
    expect(demo.rank(text, 1)[0]?.id).toBe(id);
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

  test('Traditional Chinese, English and Simplified phrasings of one question find the same entry', () => {
    for (const text of ['發票什麼時候寄給我', 'When do I get my invoice?', '发票啥时候给我']) expect(demo.rank(text, 1)[0]?.id).toBe('demo-invoice');
  });

  test('English character trigrams catch a misspelt word (against an entry in English)', () => {
    expect(demo.rank('Can I see matrial samples first?', 1)[0]?.id).toBe('demo-samples-en');
    expect(demo.rank('When can I reach your servce team?', 1)[0]?.id).toBe('demo-hours-en');
  });

  test('the score is the answer probability: words the base does not know lower it', () => {
    const clear = demo.rank('积分可以抵钱吗', 1)[0];
    const unknown = demo.rank('积分可以换游戏机和电影票吗', 1)[0];
    expect(clear?.id).toBe('demo-points');
    expect(unknown?.id).toBe('demo-points');
    expect(unknown?.score ?? 1).toBeLessThan(clear?.score ?? 0);
  });

  test('scores fall with the rank', () => {
    const hits = demo.rank('能开增值税专用发票吗', 3);
    for (let i = 1; i < hits.length; i++) expect(hits[i]?.score ?? 0).toBeLessThanOrEqual(hits[i - 1]?.score ?? 0);
  });

  test('everyday English words (stopwords-iso) are filler, not unknown meaning', () => {
    const a = analyze('Is it actually possible to get the invoice?');
    expect(a.filler.has('w:actual') || a.filler.has('w:possibl')).toBe(true);
  });

  test('a hit carries id, question, answer and a score in [0, 1]', () => {
    const hit = demo.ask('能开增值税专用发票吗');
    expect(hit).toMatchObject({ id: 'demo-vat' });
    expect(hit?.answer.length).toBeGreaterThan(10);
    expect(hit?.score).toBeGreaterThan(0);
    expect(hit?.score).toBeLessThanOrEqual(1);
  });

  test('paraphrases attach only to the base they were written for, grouped by entry', () => {
    const questions = [{ text: '钱几天回来', faq: 'a' }, { text: '多久到', faq: 'b' }, { text: '招人吗', faq: null }, { text: '退款要多久', faq: 'a' }];
    expect(groupParaphrases(questions, new Set(['a', 'b', 'c']))).toEqual(new Map([['a', ['钱几天回来', '退款要多久']], ['b', ['多久到']]]));
    // A base that lacks one of the entries they name is another base: nothing attaches.
    expect(groupParaphrases(questions, new Set(['a', 'c'])).size).toBe(0);
    expect(projectParaphrases(new Set(['presale', 'warranty'])).size).toBe(0);
    expect(projectParaphrases(new Set(loadFaqFile(DEMO_FAQ).map((e) => e.id))).get('demo-refund')?.length).toBeGreaterThan(3);
  });

  test('a paraphrase teaches an entry a way of asking its own words lack', () => {
    const entries = parseFaq([
      { id: 'desk-error', question: '升降桌报错怎么办？', answer: '长按下降键复位。' },
      { id: 'desk-height', question: '升降桌能调多高？', answer: '高度范围62到127厘米。' },
      { id: 'noise', question: '椅子有异响怎么办？', answer: '拧紧螺丝。' },
    ]);
    const paraphrases = new Map([['desk-error', ['升降桌一直嘀嘀叫 停在半空']]]);
    const without = new FaqIndex(entries, FAQ_THRESHOLD, defaultOutOfScope(), new Map()).rank('桌子嘀嘀叫', 2);
    const withIt = new FaqIndex(entries, FAQ_THRESHOLD, defaultOutOfScope(), paraphrases).rank('桌子嘀嘀叫', 2);
    expect(withIt[0]?.id).toBe('desk-error');
    // Without it the two desk entries are a coin toss the answer model rightly doubts.
    expect((withIt[0]?.score ?? 0) - (withIt[1]?.score ?? 0)).toBeGreaterThan(0.2);
    expect((without[0]?.score ?? 1) - (without[1]?.score ?? 0)).toBeLessThan(0.05);
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

describe('topIndices (the ranker keeps the best few without sorting every entry)', () => {
  test.each([
    [[], 2, []],
    [[0.5], 2, [0]],
    [[1, 3, 2], 1, [1]],
    [[1, 3, 2], 2, [1, 2]],
    [[2, 2, 1, 2], 2, [0, 1]],
    [[-1, -3, -2, 5], 3, [3, 0, 2]],
  ])('%j, k=%i -> %j', (scores, k, want) => {
    expect(topIndices(scores, k)).toEqual(want);
  });

  test('agrees with a stable sort on random scores, ties included', () => {
    for (let t = 0; t < 500; t++) {
      const scores = Array.from({ length: t % 13 }, (_, i) => ((i * 7919 + t * 104729) % 5) - 2);
      const k = 1 + (t % 4);
      const sorted = scores.map((_, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0)).slice(0, k);
      expect(topIndices(scores, k)).toEqual(sorted);
    }
  });

  test('the same question gets the same features twice (working arrays are reset between questions)', () => {
    const first = demo.rank('运费怎么收', 3);
    demo.rank('How long is the warranty on an office chair?', 3);
    expect(demo.rank('运费怎么收', 3)).toEqual(first);
  });
});
