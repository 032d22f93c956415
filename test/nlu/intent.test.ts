import { readFileSync } from 'node:fs';
import { loadNlu, type Nlu } from '../../src/nlu/index.js';
import { fromRoot } from '../../src/paths.js';
import { loadTrainingExamples } from '../../src/nlu/training.js';
import { normalize } from '../../src/nlu/normalize.js';

interface Held { text: string; intent: string; severity?: string; category?: string }
const heldout: Held[] = readFileSync(fromRoot('dialogs', 'nlu', 'heldout.jsonl'), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l) as Held);

let nlu: Nlu;
beforeAll(() => {
  nlu = loadNlu({ faqFiles: [], includeDemoFaq: false });
});

describe('intent on held-out examples (not in the training files)', () => {
  test('the held-out texts are not training texts', () => {
    const train = new Set(loadTrainingExamples().map((e) => normalize(e.text).text));
    for (const h of heldout) expect(train.has(normalize(h.text).text)).toBe(false);
  });

  test('accuracy >= 0.85', () => {
    const correct = heldout.filter((h) => nlu.understand(h.text).intent === h.intent).length;
    expect(correct / heldout.length).toBeGreaterThanOrEqual(0.85);
  });

  test('every held-out critical complaint is graded critical', () => {
    for (const h of heldout.filter((x) => x.severity === 'critical')) {
      expect({ text: h.text, severity: nlu.understand(h.text).grade.severity }).toEqual({ text: h.text, severity: 'critical' });
    }
  });

  test('confidence is higher when right than when wrong, and within (0, 1]', () => {
    const results = heldout.map((h) => ({ u: nlu.understand(h.text), h }));
    for (const { u } of results) {
      expect(u.confidence).toBeGreaterThan(0);
      expect(u.confidence).toBeLessThanOrEqual(1);
    }
    const right = results.filter(({ u, h }) => u.intent === h.intent).map(({ u }) => u.confidence);
    const wrong = results.filter(({ u, h }) => u.intent !== h.intent).map(({ u }) => u.confidence);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    if (wrong.length > 0) expect(mean(right)).toBeGreaterThan(mean(wrong));
  });
});

describe('intent rules', () => {
  test.each([
    ['你好', 'greeting'],
    ['hello?', 'greeting'],
    ['你好，请问升降桌有白色的吗', 'product_inquiry'],
    ['好的 谢谢 拜拜', 'farewell'],
    ['转人工', 'human'],
    ['退款半个月没到 问了三次 别糊弄我 转人工！！', 'complaint'],
    ['我是记者 想约你们老板做个采访', 'other'],
    ['升降桌控制器冒烟了 插头已经拔了', 'complaint'],
    ['这个价格太贵了 能便宜点吗', 'objection'],
  ])('%s -> %s', (text, intent) => {
    expect(nlu.understand(text).intent).toBe(intent);
  });

  test('a non-complaint has no grade', () => {
    const u = nlu.understand('你们的升降桌有几种颜色');
    expect(u.grade).toMatchObject({ severity: 'none', category: null, form: null, nature: null });
  });

  test('the understanding carries language and normalised text', () => {
    const u = nlu.understand('請問ＡＢＣ');
    expect(u.language).toBe('zh');
    expect(u.normalized).toBe('请问abc');
  });
});
