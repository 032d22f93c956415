/**
 * Example-level leak check (issue #3). lexicon-leak.ts audits the hand-written knowledge phrase
 * by phrase; this one audits every *example*: each intent/category training example, each
 * held-out example, each FAQ calibration question (every .jsonl in dialogs/nlu) and each FAQ
 * question and alternate of faq/*.json is compared with every dev text (messages.dev.jsonl,
 * faq-queries.dev.jsonl). An example is flagged as a near duplicate when
 *   - its character 5-grams overlap a dev text's by Jaccard >= 0.3 (both texts at least
 *     6 five-grams long; punctuation and spaces dropped, Simplified, lower-case), or
 *   - it shares a run of 8+ Chinese characters (spaces and punctuation ignored) with a dev text, or a run of 5 English words
 *     of which 3 are content words, that no strong allowed source has (shared/domain.md,
 *     channels.md, seeds/, faq-base.json, the answers of faq/*.json): a phrase the knowledge
 *     base itself uses is vocabulary, not a copy.
 * On this project's examples nothing legitimately reaches 0.3 (written independently they stay
 * under 0.2, a handful near 0.25), while a dev text edited in a word or two stays above 0.5.
 *
 * The report never prints a dev text, only the project example and the shared run.
 *   npm run build && node dist/test/nlu/near-dup.js
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalize } from '../../src/nlu/normalize.js';
import { fromRoot } from '../../src/paths.js';

export const GRAM = 5;
export const MIN_GRAMS = 6;
export const JACCARD = 0.3;
export const HAN_RUN = 8;
export const EN_RUN = 5;
export const EN_CONTENT = 3;

const FUNCTION_WORDS = new Set(
  ('a an the and or but if of to in on at for with about from by as into than then so too very is are was were be been being ' +
    'do does did done have has had i me my we our us you your he him his she her it its they them their this that these those ' +
    'there here what which who whom how why where when can could will would should shall may might must not no yes just also ' +
    'still yet any some all one get got up out off over again more most much many other such own same only please hi hello hey ' +
    'thanks thank im dont cant wont isnt doesnt didnt let s t d ll ve re m').split(/\s+/),
);

export interface Example { where: string; text: string }
export interface NearDup { where: string; text: string; jaccard: number; runs: string[] }

const bare = (t: string): string => normalize(t).text.replace(/[^\p{L}\p{N}]/gu, '');
const words = (t: string): string[] => (normalize(t).text.match(/[a-z0-9']+/g) ?? []).map((w) => w.replace(/'/g, ''));

export function charGrams(text: string, n = GRAM): Set<string> {
  const b = bare(text);
  const out = new Set<string>();
  for (let i = 0; i + n <= b.length; i++) out.add(b.slice(i, i + n));
  return out;
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size < MIN_GRAMS || b.size < MIN_GRAMS) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Runs that would betray a copy: 8-character pieces of Han runs, 5-word English runs with 3 content words. */
export function runs(text: string): string[] {
  const out: string[] = [];
  // Spaces and punctuation do not break a run: "我请了 两天假" copies "我请了两天假".
  for (const run of bare(text).match(/[\u3400-\u9fff]+/g) ?? []) {
    for (let i = 0; i + HAN_RUN <= run.length; i++) out.push(run.slice(i, i + HAN_RUN));
  }
  const w = words(text);
  for (let i = 0; i + EN_RUN <= w.length; i++) {
    const r = w.slice(i, i + EN_RUN);
    if (r.filter((x) => !FUNCTION_WORDS.has(x)).length >= EN_CONTENT) out.push(r.join(' '));
  }
  return out;
}

interface FaqEntry { id: string; question: string; alternates?: string[]; answer: string }

/** Every example the project wrote: dialogs/nlu/*.jsonl texts and the questions of faq/*.json. */
export function projectExamples(): Example[] {
  const out: Example[] = [];
  const dir = fromRoot('dialogs', 'nlu');
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    readFileSync(join(dir, f), 'utf8').split('\n').forEach((l, i) => {
      if (l.trim()) out.push({ where: `dialogs/nlu/${f}:${i + 1}`, text: (JSON.parse(l) as { text: string }).text });
    });
  }
  for (const f of readdirSync(fromRoot('faq')).filter((f) => f.endsWith('.json')).sort()) {
    for (const e of JSON.parse(readFileSync(fromRoot('faq', f), 'utf8')) as FaqEntry[]) {
      for (const t of [e.question, ...(e.alternates ?? [])]) out.push({ where: `faq/${f}#${e.id}`, text: t });
    }
  }
  return out;
}

export interface DevSide {
  texts: Array<{ grams: Set<string>; runs: Set<string> }>;
  /** Normalised text of the strong allowed sources, Han runs and English words (space-joined) separately. */
  strongHan: string;
  strongWords: string;
}

/** The dev texts the examples are compared with. */
export function readDevTexts(evalDir: string): string[] {
  const out: string[] = [];
  for (const f of ['messages.dev.jsonl', 'faq-queries.dev.jsonl']) {
    const p = join(evalDir, f);
    if (!existsSync(p)) continue;
    for (const l of readFileSync(p, 'utf8').split('\n').filter((x) => x.trim())) out.push((JSON.parse(l) as { text: string }).text);
  }
  return out;
}

export function loadDev(evalDir: string): DevSide {
  const texts: DevSide['texts'] = readDevTexts(evalDir).map((t) => ({ grams: charGrams(t), runs: new Set(runs(t)) }));
  const strong: string[] = [];
  const shared = join(evalDir, '..');
  for (const f of ['domain.md', 'channels.md']) if (existsSync(join(shared, f))) strong.push(readFileSync(join(shared, f), 'utf8'));
  const seeds = join(shared, 'seeds');
  if (existsSync(seeds)) for (const f of readdirSync(seeds).filter((f) => f.endsWith('.txt'))) strong.push(readFileSync(join(seeds, f), 'utf8'));
  const base = join(evalDir, 'faq-base.json');
  if (existsSync(base)) for (const e of JSON.parse(readFileSync(base, 'utf8')) as FaqEntry[]) strong.push(e.question, ...(e.alternates ?? []), e.answer);
  for (const f of readdirSync(fromRoot('faq')).filter((f) => f.endsWith('.json'))) {
    for (const e of JSON.parse(readFileSync(fromRoot('faq', f), 'utf8')) as FaqEntry[]) strong.push(e.answer);
  }
  const norm = strong.map((t) => normalize(t).text);
  return {
    texts,
    strongHan: norm.map((t) => t.replace(/[^\p{L}\p{N}]/gu, '')).join('|'),
    strongWords: ` ${norm.map((t) => words(t).join(' ')).join(' | ')} `,
  };
}

/** Whether a run is vocabulary a strong allowed source uses. */
export function vouched(run: string, dev: DevSide): boolean {
  return /[\u3400-\u9fff]/.test(run) ? dev.strongHan.includes(run) : dev.strongWords.includes(` ${run} `);
}

export function findNearDuplicates(examples: Example[], dev: DevSide): NearDup[] {
  const out: NearDup[] = [];
  for (const ex of examples) {
    const g = charGrams(ex.text);
    const mine = runs(ex.text);
    let best = 0;
    const shared = new Set<string>();
    for (const d of dev.texts) {
      best = Math.max(best, jaccard(g, d.grams));
      for (const r of mine) {
        if (!d.runs.has(r)) continue;
        if (!vouched(r, dev)) shared.add(r);
      }
    }
    if (best >= JACCARD || shared.size > 0) out.push({ where: ex.where, text: ex.text, jaccard: Math.round(best * 100) / 100, runs: [...shared] });
  }
  return out;
}

export function formatNearDups(list: NearDup[]): string {
  return list.map((d) => `${d.where}  J=${d.jaccard.toFixed(2)}  ${JSON.stringify(d.text)}${d.runs.length ? `  shares: ${d.runs.join(' / ')}` : ''}`).join('\n');
}

async function main(argv: string[]): Promise<void> {
  const { findEvalDir } = await import('../../src/cli/eval.js');
  const i = argv.indexOf('--dir');
  const dir = findEvalDir(i >= 0 ? argv[i + 1] : undefined);
  if (!dir) {
    console.log('near-dup: no ../shared/eval found; nothing to check');
    return;
  }
  const examples = projectExamples();
  const found = findNearDuplicates(examples, loadDev(dir));
  console.log(formatNearDups(found));
  console.log(`\n${found.length} of ${examples.length} examples flagged`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
