/**
 * The dev set (../shared/eval) is a yardstick, never training data: this test fails if any
 * of its texts, or a near copy, appears in the project's own examples or FAQ. Without the
 * folder (a fresh clone elsewhere) it says so and passes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findEvalDir } from '../../src/cli/eval.js';
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

function devTexts(dir: string): string[] {
  const texts: string[] = [];
  for (const f of ['messages.dev.jsonl', 'faq-queries.dev.jsonl']) {
    const p = join(dir, f);
    if (existsSync(p)) for (const l of readFileSync(p, 'utf8').split('\n').filter(Boolean)) texts.push((JSON.parse(l) as { text: string }).text);
  }
  const base = join(dir, 'faq-base.json');
  if (existsSync(base)) {
    for (const e of JSON.parse(readFileSync(base, 'utf8')) as Array<{ question: string; alternates: string[]; answer: string }>) texts.push(e.question, ...e.alternates, e.answer);
  }
  return texts;
}

const evalDir = findEvalDir();

describe('dev set leak check', () => {
  if (!evalDir) {
    test('skipped: ../shared/eval is absent', () => {
      console.log('leak test skipped: no ../shared/eval next to the project');
    });
    return;
  }
  test('no dev-set text or near copy in dialogs/nlu or faq/', () => {
    const dev = devTexts(evalDir).map((t) => ({ t, bare: bare(t), sig: signature(t) }));
    const leaks: string[] = [];
    for (const { where, text } of projectTexts()) {
      const b = bare(text);
      const sig = signature(text);
      for (const d of dev) {
        const exact = b.length > 0 && b === d.bare;
        const near = sig.size >= 4 && d.sig.size >= 4 && jaccard(sig, d.sig) >= NEAR_COPY;
        if (exact || near) leaks.push(`${where}: "${text.slice(0, 40)}" ~ dev "${d.t.replace(/\s+/g, ' ').slice(0, 40)}"`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
