/**
 * The dev set (../shared/eval) is a yardstick, never training data: this test fails if any
 * of its texts, or a near copy, appears in the project's own examples or FAQ, or if a
 * distinctive dev phrase (a Chinese n-gram of 4+ characters, an English n-gram of 2+ content
 * words, found in dev texts and in no allowed source) appears in the hand-written knowledge:
 * lexicon, cues, stop lists, jieba dictionary, dialog words, FAQ questions (lexicon-leak.ts).
 * Without the folder (a fresh clone elsewhere) it says so and passes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findEvalDir } from '../../src/cli/eval.js';
import { audit, formatSuspects, loadSources } from './lexicon-leak.js';
import { charGrams, findNearDuplicates, formatNearDups, jaccard as gramJaccard, JACCARD, loadDev, projectExamples, readDevTexts, runs, vouched } from './near-dup.js';
import { normalize } from '../../src/nlu/normalize.js';
import { fromRoot } from '../../src/paths.js';

function signature(text: string): Set<string> {
  const t = normalize(text).text;
  const out = new Set<string>();
  for (const run of t.match(/[\u3400-\u9fff]+/g) ?? []) {
    if (run.length === 1) out.add(run);
    for (let i = 0; i + 1 < run.length; i++) out.add(run.slice(i, i + 2));
  }
  for (const w of t.match(/[a-z0-9]+/g) ?? []) out.add(w);
  return out;
}
const bare = (text: string): string => normalize(text).text.replace(/[^\p{L}\p{N}]/gu, '');
const jaccard = (a: Set<string>, b: Set<string>): number => {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter || 1);
};
/** Texts sharing this much of their bigrams/words are the same sentence lightly edited. */
const NEAR_COPY = 0.45;

function projectTexts(): Array<{ where: string; text: string }> {
  const out: Array<{ where: string; text: string }> = [];
  const dir = fromRoot('dialogs', 'nlu');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)
      .forEach((l, i) => out.push({ where: `dialogs/nlu/${f}:${i + 1}`, text: (JSON.parse(l) as { text: string }).text }));
  }
  for (const f of readdirSync(fromRoot('faq')).filter((f) => f.endsWith('.json'))) {
    const entries = JSON.parse(readFileSync(fromRoot('faq', f), 'utf8')) as Array<{ id: string; question: string; alternates: string[]; answer: string }>;
    for (const e of entries) for (const t of [e.question, ...e.alternates, e.answer]) out.push({ where: `faq/${f}#${e.id}`, text: t });
  }
  return out;
}

function devTexts(dir: string): Array<{ t: string; base: boolean }> {
  const texts: Array<{ t: string; base: boolean }> = [];
  for (const f of ['messages.dev.jsonl', 'faq-queries.dev.jsonl']) {
    const p = join(dir, f);
    if (existsSync(p)) for (const l of readFileSync(p, 'utf8').split('\n').filter(Boolean)) texts.push({ t: (JSON.parse(l) as { text: string }).text, base: false });
  }
  // The knowledge base's own questions too: a calibration question that copies one measures nothing.
  const base = join(dir, 'faq-base.json');
  if (existsSync(base)) {
    for (const e of JSON.parse(readFileSync(base, 'utf8')) as Array<{ question: string; alternates: string[]; answer: string }>) {
      for (const t of [e.question, ...e.alternates, e.answer]) texts.push({ t, base: true });
    }
  }
  return texts;
}

/**
 * Dev-only phrases reviewed and kept as vocabulary anyone would write for a furniture shop
 * (issue #3). Add to this list only after the same review; never to silence a copied phrase.
 */
const REVIEWED_GENERIC: Record<string, string> = {
  // trade and spec terms
  '胡桃木色': 'a standard furniture finish', '运行噪音': 'spec term in the catalogue', '上门组装': 'standard service term',
  '开增值税专票': 'the standard request for a VAT special invoice', 'vat invoice': 'standard term', 'special invoice': 'English for 专用发票',
  'error code': 'standard term', 'floor plan': 'standard term', 'gift card': 'standard term', 'maximum load': 'spec term',
  'test report': 'English for 检测报告', 'stock exchange': 'standard term', 'price drop': 'standard term', 'send back': 'standard verb',
  'adjustable lumbar support': 'catalogue feature', 'drawer pedestal': 'catalogue product name', 'kind regards': 'e-mail sign-off stripped by normalize',
  'real person': 'asking for a human',
  // Vouched for only by examples the example-level check found too close to dev texts; those
  // examples were rewritten, and the phrases reviewed as plain vocabulary (issue #3).
  'delivery date': 'standard term', '升降速度': 'spec term of a standing desk (lifting speed)',
  '市场监管局': 'official name of the local market regulator (LABELS.md names 市场监管)', 'website says': 'English twin of 官网写', 'rd floor': 'comment on the ordinal-storey rule ("3rd floor")',
  // everyday question phrasing and grammar chunks
  '什么时候能收到': 'the commonest delivery question', '会不会有甲醛': 'the commonest eco question', '会不会坏': 'generic doubt',
  '哪里能看': 'generic', '在哪里看': 'generic', '哪些信息': 'generic', '怎么退单': 'generic', '需要额外付': 'generic',
  '送货费吗': 'grammar chunk', '不合适想': 'grammar chunk', '把椅子有': 'grammar chunk', '显示器和': 'grammar chunk',
  '想问一下': 'the commonest opener (a comment)',
};

const evalDir = findEvalDir();

describe('dev set leak check', () => {
  if (!evalDir) {
    test('skipped: ../shared/eval is absent', () => {
      console.log('leak test skipped: no ../shared/eval next to the project');
    });
    return;
  }
  test('no dev-set text or near copy in dialogs/nlu or faq/', () => {
    const dev = devTexts(evalDir).map(({ t, base }) => ({ base, bare: bare(t), sig: signature(t) }));
    const leaks: string[] = [];
    for (const { where, text } of projectTexts()) {
      const b = bare(text);
      const sig = signature(text);
      for (const d of dev) {
        const exact = b.length > 0 && b === d.bare;
        const near = sig.size >= 4 && d.sig.size >= 4 && jaccard(sig, d.sig) >= NEAR_COPY;
        // The dev text is not printed: whoever rewrites the example must not read it.
        if (exact || near) leaks.push(`${where}: "${text.slice(0, 40)}" ~ a ${d.base ? 'faq-base.json question' : 'dev text'} (J=${jaccard(sig, d.sig).toFixed(2)})`);
      }
    }
    expect(leaks).toEqual([]);
  });

  test('no distinctive dev phrase in the lexicon, cues, stop lists, dictionary or FAQ questions', () => {
    const found = audit(loadSources(evalDir), { minZh: 4, minEnContent: 2 })
      .filter((s) => s.verdict === 'leak' && !(s.phrase in REVIEWED_GENERIC));
    expect(formatSuspects(found)).toBe('');
  });

  test('the phrase check can fail: a dev phrase planted in the data is caught', () => {
    const src = loadSources(evalDir);
    // A 6-character piece of a dev text that no allowed source has (none is kept in the repo).
    let planted: string | undefined;
    for (const t of src.dev) {
      for (const run of t.match(/[\u4e00-\u9fff]{6,}/g) ?? []) {
        const p = run.slice(0, 6);
        if (!src.allowed.some((a) => a.text.includes(p))) { planted = p; break; }
      }
      if (planted) break;
    }
    expect(planted).toBeDefined();
    const found = audit(src, { minZh: 4, extra: [['planted', `export const X = '${planted ?? ''}';`]] });
    expect(found.some((s) => s.where.includes('planted') && s.verdict === 'leak')).toBe(true);
  });

  // Example level (issue #3): the phrase audit above checks the lexicon, not every example.
  test('no training, held-out or calibration example is a near duplicate of a dev text (5-gram Jaccard, shared 8-character run)', () => {
    const found = findNearDuplicates(projectExamples(), loadDev(evalDir));
    expect(formatNearDups(found)).toBe('');
  });

  test('the example check can fail: a lightly edited dev text, and a dev run inside an own sentence, are caught', () => {
    const dev = loadDev(evalDir);
    const texts = readDevTexts(evalDir);
    // A dev text with one character changed and a particle added: the usual way a copy hides.
    const long = texts.find((t) => charGrams(t).size >= 15);
    expect(long).toBeDefined();
    const edited = `${(long ?? '').slice(0, -2)}呀吧`;
    expect(gramJaccard(charGrams(edited), charGrams(long ?? ''))).toBeGreaterThanOrEqual(JACCARD);
    // A run that no allowed source vouches for, framed by words of our own.
    let run: string | undefined;
    for (const t of texts) {
      run = runs(t).find((r) => /[\u3400-\u9fff]/.test(r) && !vouched(r, dev));
      if (run) break;
    }
    expect(run).toBeDefined();
    const planted = [
      { where: 'planted:edited', text: edited },
      { where: 'planted:run', text: `顺便说一句 ${run ?? ''} 好的谢谢` },
      { where: 'planted:own', text: '这把转椅的扶手能不能往里收一点 我们工位比较窄' },
    ];
    const flagged = findNearDuplicates(planted, dev).map((d) => d.where);
    expect(flagged).toEqual(['planted:edited', 'planted:run']);
  });
});
