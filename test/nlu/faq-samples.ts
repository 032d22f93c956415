/**
 * The questions faq-fit.ts fits and measures on, as feature samples: the project's calibration
 * questions (each featured against an index whose paraphrases are the other folds' questions)
 * and the sealed set (against the index the shipped code builds).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeatureIndex, type QueryFeatures } from '../../src/nlu/faq-features.js';
import { loadFaqFile, type FaqEntry } from '../../src/nlu/faq.js';
import { groupParaphrases } from '../../src/nlu/faq-paraphrase.js';
import { fromRoot } from '../../src/paths.js';

export interface Query { id: string; text: string; faq: string | null; base?: string }
/** `oos`: the out-of-scope cues' logit (faq-oos.ts) from a model that never saw the question (set by `stackOutOfScope`). */
export interface Sample { q: Query; set: string; f: QueryFeatures; gold: number; oos: number }

const readJsonl = (file: string): Query[] => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Query);

export function baseFile(): string | undefined {
  const candidates = [join(fromRoot(), '..', 'shared', 'eval', 'faq-base.json'), join(process.cwd(), '..', 'shared', 'eval', 'faq-base.json')];
  return candidates.find((p) => existsSync(p));
}

function indexOf(entries: FaqEntry[], paraphrases: Map<string, string[]>): FeatureIndex {
  return new FeatureIndex(entries.map((e) => ({
    lang: e.lang === 'en' ? 'en' : 'zh', questions: [e.question, ...e.alternates], answer: e.answer, paraphrases: paraphrases.get(e.id) ?? [],
  })));
}

const USE_PARAPHRASES = process.env.PARAPHRASES !== '0';

/** Features of `queries` against the base, with `pool`'s answerable questions as paraphrases (faq-paraphrase.ts). */
export function samplesAgainst(queries: Query[], entries: FaqEntry[], set: string, pool: Query[]): Sample[] {
  const ids = entries.map((e) => e.id);
  const index = indexOf(entries, USE_PARAPHRASES ? groupParaphrases(pool, new Set(ids)) : new Map());
  return queries.map((q) => {
    const gold = q.faq === null ? -1 : ids.indexOf(q.faq);
    if (q.faq !== null && gold < 0) throw new Error(`${q.id}: no entry ${q.faq}`);
    return { q, set, f: index.features(q.text), gold, oos: 0 };
  });
}

/**
 * Features of the fitting questions: each against an index whose paraphrases are the other
 * folds' questions (the folds of `crossValidate`), never itself, as a new question meets the
 * shipped index.
 */
export function samples(queries: Query[], entries: FaqEntry[], set: string, k = 5): Sample[] {
  const out = new Map<Query, Sample>();
  for (let i = 0; i < k; i++) {
    const test = queries.filter((q) => fold(`${set}:${q.id}`, k) === i);
    const rest = queries.filter((q) => fold(`${set}:${q.id}`, k) !== i);
    samplesAgainst(test, entries, set, rest).forEach((s) => out.set(s.q, s));
  }
  return queries.map((q) => out.get(q) as Sample);
}

/** The project's own fitting sets (demo, and the scoring base when it is there). */
export function fitSamples(): Sample[] {
  const out = samples(readJsonl(fromRoot('dialogs', 'nlu', 'faq-queries.jsonl')), loadFaqFile(fromRoot('faq', 'demo.json')), 'demo');
  const base = baseFile();
  if (base) out.push(...samples(readJsonl(fromRoot('dialogs', 'nlu', 'faq-queries.base.jsonl')), loadFaqFile(base), 'base'));
  return out;
}

export function sealedSamples(): Sample[] {
  const all = readJsonl(fromRoot('dialogs', 'nlu', 'faq-queries.sealed.jsonl'));
  const demoPool = readJsonl(fromRoot('dialogs', 'nlu', 'faq-queries.jsonl'));
  const out = samplesAgainst(all.filter((q) => q.base === 'demo'), loadFaqFile(fromRoot('faq', 'demo.json')), 'sealed-demo', demoPool);
  const base = baseFile();
  if (base) {
    const basePool = readJsonl(fromRoot('dialogs', 'nlu', 'faq-queries.base.jsonl'));
    out.push(...samplesAgainst(all.filter((q) => q.base === 'base'), loadFaqFile(base), 'sealed-base', basePool));
  }
  return out;
}

/** Fold of a question: stable, by id, so every run splits the same way. */
export function fold(id: string, k: number): number {
  let h = 2166136261;
  for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h % k;
}
