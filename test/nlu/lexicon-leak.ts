/**
 * Lexicon leak audit (issue #3). The dev set (../shared/eval) is a yardstick: its phrasing must
 * not find its way into the hand-written knowledge that steers understanding (concept lexicon,
 * cue regexes, stop lists, jieba's shop dictionary, dialog word lists, FAQ questions).
 *
 * A phrase of that knowledge is a *leak suspect* when it occurs verbatim in a dev text and in
 * none of the allowed sources: the shared material the project is built from (domain.md,
 * channels.md, seeds/*.txt), the FAQ knowledge bases (faq-base.json, the answers of faq/*.json)
 * and the project's own written examples (dialogs/nlu/*.jsonl, the questions of faq/*.json).
 * A phrase found in dev texts and only in the project's own examples is reported as *weak*:
 * allowed, but the examples may themselves have borrowed it.
 *
 * Chinese: every substring (>= `minZh` characters) of each Han run in the data files, comments
 * included. English: word n-grams (>= 2 words, at least `minEnContent` content words) and, for
 * review only, single words found in dev texts but in no allowed source.
 *
 * Used by test/nlu/leak.test.ts; run it by hand for the full report:
 *   npm run build && node dist/test/nlu/lexicon-leak.js [--zh 3] [--dir ../shared/eval]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalize } from '../../src/nlu/normalize.js';
import { fromRoot, packageRoot } from '../../src/paths.js';

/** Files of hand-written knowledge, relative to the package root (folders are walked for .ts). */
export const DATA_PATHS = ['src/nlu', 'dialogs', 'faq'];
/** Not knowledge: the benchmark harness and the training examples (checked separately as sources). */
const DATA_SKIP = /(?:^|\/)(?:bench\.ts|README\.md)$|\.jsonl$|\.test\.ts$/;

const HAN_RUN = /[\u3400-\u9fff]+/g;
const FUNCTION_WORDS = new Set(
  ('a an the and or but if of to in on at for with about from by as into than then so too very is are was were be been being ' +
    'do does did done have has had i me my we our us you your he him his she her it its they them their this that these those ' +
    'there here what which who whom how why where when can could will would should shall may might must not no yes just also ' +
    'still yet any some all one get got up out off over again more most much many other such own same only please hi hello ' +
    "hey thanks thank i'm it's don't can't won't isn't doesn't didn't let me s t").split(/\s+/),
);

export interface Sources {
  /** Dev texts, normalised. */
  dev: string[];
  /** Allowed sources, normalised, each with its name: `strong` (shared material, knowledge bases) or `weak` (project examples). */
  allowed: Array<{ name: string; tier: 'strong' | 'weak'; text: string; /** The data file it also is: it cannot vouch for itself. */ self?: string }>;
}

export interface Suspect {
  phrase: string;
  kind: 'zh' | 'en' | 'en-word';
  /** `leak`: in dev texts only; `weak`: in dev texts and only in the project's own examples. */
  verdict: 'leak' | 'weak';
  where: string[];
  justifiedBy?: string;
}

const norm = (t: string): string => normalize(t).text;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir).flatMap((f) => walk(join(dir, f)));
}

function readJsonl(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { text: string }).text);
}

interface FaqEntry { id: string; question: string; alternates?: string[]; answer: string }

/** The text of one data file that counts as knowledge: the questions of a FAQ base, else the whole file. */
function knowledgeText(file: string): string {
  if (file.endsWith('.json') && relative(packageRoot, file).startsWith('faq')) {
    const entries = JSON.parse(readFileSync(file, 'utf8')) as FaqEntry[];
    return entries.map((e) => [e.question, ...(e.alternates ?? [])].join('\n')).join('\n');
  }
  return readFileSync(file, 'utf8');
}

export function dataFiles(root = packageRoot): string[] {
  return DATA_PATHS.flatMap((p) => walk(join(root, p)))
    .filter((f) => /\.(?:ts|json)$/.test(f) && !DATA_SKIP.test(f))
    .sort();
}

export function loadSources(evalDir: string): Sources {
  const dev: string[] = [];
  for (const f of ['messages.dev.jsonl', 'faq-queries.dev.jsonl']) {
    const p = join(evalDir, f);
    if (existsSync(p)) dev.push(...readJsonl(p).map(norm));
  }
  const allowed: Sources['allowed'] = [];
  const shared = join(evalDir, '..');
  for (const f of ['domain.md', 'channels.md']) {
    const p = join(shared, f);
    if (existsSync(p)) allowed.push({ name: `shared/${f}`, tier: 'strong', text: norm(readFileSync(p, 'utf8')) });
  }
  const seeds = join(shared, 'seeds');
  if (existsSync(seeds)) {
    for (const f of readdirSync(seeds).filter((f) => f.endsWith('.txt')).sort()) {
      allowed.push({ name: `shared/seeds/${f}`, tier: 'strong', text: norm(readFileSync(join(seeds, f), 'utf8')) });
    }
  }
  const base = join(evalDir, 'faq-base.json');
  if (existsSync(base)) {
    const entries = JSON.parse(readFileSync(base, 'utf8')) as FaqEntry[];
    allowed.push({ name: 'faq-base.json', tier: 'strong', text: norm(entries.map((e) => [e.question, ...(e.alternates ?? []), e.answer].join('\n')).join('\n')) });
  }
  for (const f of readdirSync(fromRoot('faq')).filter((f) => f.endsWith('.json')).sort()) {
    const entries = JSON.parse(readFileSync(fromRoot('faq', f), 'utf8')) as FaqEntry[];
    allowed.push({ name: `faq/${f} answers`, tier: 'strong', text: norm(entries.map((e) => e.answer).join('\n')) });
    allowed.push({ name: `faq/${f} questions`, tier: 'weak', self: `faq/${f}`, text: norm(entries.map((e) => [e.question, ...(e.alternates ?? [])].join('\n')).join('\n')) });
  }
  const nlu = fromRoot('dialogs', 'nlu');
  for (const f of readdirSync(nlu).filter((f) => f.endsWith('.jsonl')).sort()) {
    allowed.push({ name: `dialogs/nlu/${f}`, tier: 'weak', text: readJsonl(join(nlu, f)).map(norm).join('\n') });
  }
  return { dev, allowed };
}

/** English words of a normalised text, apostrophes kept ("won't"). */
const enWords = (t: string): string[] => t.match(/[a-z][a-z0-9']*/g) ?? [];

/** Word n-grams (2..maxN) of a word run, as space-joined strings. */
function wordGrams(words: string[], maxN = 6): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    for (let n = 2; n <= maxN && i + n <= words.length; n++) out.push(words.slice(i, i + n).join(' '));
  }
  return out;
}

/** English phrases in code: runs of words joined by single spaces, after dropping regex escapes (\b, \s). */
function enRuns(raw: string): string[][] {
  const text = raw.replace(/\\[a-zA-Z]/g, ' ').toLowerCase();
  return (text.match(/[a-z][a-z']*(?: [a-z][a-z']*)*/g) ?? []).map((r) => r.split(' ').map((w) => w.replace(/'+$/, '')));
}

const contentWords = (gram: string): number => gram.split(' ').filter((w) => !FUNCTION_WORDS.has(w)).length;

export interface AuditOptions {
  /** Shortest Chinese phrase to report (3 for review, 4 for the test). */
  minZh?: number;
  /** Content words an English n-gram needs to count (2: "bamboo floor" yes, "the guys" no). */
  minEnContent?: number;
  /** Also list single English words found in dev texts and in no allowed source (review only). */
  enWords?: boolean;
  /** Extra data, e.g. a planted phrase in a test: [where, text]. */
  extra?: Array<[string, string]>;
}

export function audit(src: Sources, opts: AuditOptions = {}): Suspect[] {
  const minZh = opts.minZh ?? 4;
  const minEn = opts.minEnContent ?? 2;
  // Every dev Han n-gram up to 16 characters, and every dev English n-gram and word.
  const devZh = new Set<string>();
  for (const t of src.dev) {
    for (const run of t.match(HAN_RUN) ?? []) {
      for (let i = 0; i < run.length; i++) for (let n = minZh; n <= 16 && i + n <= run.length; n++) devZh.add(run.slice(i, i + n));
    }
  }
  const devEn = new Set<string>();
  const devEnWords = new Set<string>();
  for (const t of src.dev) {
    const w = enWords(t);
    w.forEach((x) => devEnWords.add(x));
    wordGrams(w).forEach((g) => devEn.add(g));
  }
  const allowedEn = src.allowed.map((a) => ({ ...a, grams: new Set([...enWords(a.text), ...wordGrams(enWords(a.text))]) }));
  const justify = (phrase: string, kind: 'zh' | 'en', where: string): { name: string; tier: 'strong' | 'weak' } | undefined => {
    const hits = (kind === 'zh' ? src.allowed.filter((a) => a.text.includes(phrase)) : allowedEn.filter((a) => a.grams.has(phrase)))
      .filter((a) => a.self !== where);
    return hits.find((a) => a.tier === 'strong') ?? hits[0];
  };

  const found = new Map<string, Suspect>();
  const note = (phrase: string, kind: Suspect['kind'], where: string): void => {
    // A file that is also a source is judged on its own (the others may cite it).
    const key = `${kind}:${phrase}${src.allowed.some((x) => x.self === where) ? `:${where}` : ''}`;
    const seen = found.get(key);
    if (seen) {
      if (!seen.where.includes(where)) seen.where.push(where);
      return;
    }
    const j = justify(phrase, kind === 'zh' ? 'zh' : 'en', where);
    if (j?.tier === 'strong') return;
    found.set(key, { phrase, kind, verdict: j ? 'weak' : 'leak', where: [where], ...(j ? { justifiedBy: j.name } : {}) });
  };

  const docs: Array<[string, string]> = [
    ...dataFiles().map((f): [string, string] => [relative(packageRoot, f), knowledgeText(f)]),
    ...(opts.extra ?? []),
  ];
  for (const [where, raw] of docs) {
    for (const rawRun of raw.match(HAN_RUN) ?? []) {
      const run = norm(rawRun);
      // The longest dev n-grams only: a suspect's substrings are the same finding.
      const hits: Array<[number, number]> = [];
      for (let i = 0; i < run.length; i++) {
        for (let n = Math.min(16, run.length - i); n >= minZh; n--) {
          if (devZh.has(run.slice(i, i + n))) {
            if (!hits.some(([a, b]) => a <= i && i + n <= b)) hits.push([i, i + n]);
            break;
          }
        }
      }
      // A justified phrase justifies its pieces too, so the longest hit decides.
      for (const [a, b] of hits) note(run.slice(a, b), 'zh', where);
    }
    for (const words of enRuns(raw)) {
      for (const g of wordGrams(words)) if (devEn.has(g) && contentWords(g) >= minEn) note(g, 'en', where);
      if (opts.enWords) {
        for (const w of words) if (w.length > 2 && !FUNCTION_WORDS.has(w) && devEnWords.has(w)) note(w, 'en-word', where);
      }
    }
  }
  // Keep the longest English n-grams: "bamboo floor" inside "a bamboo floor" is one finding.
  const out = [...found.values()];
  return out.filter((s) => s.kind !== 'en' || !out.some((o) => o !== s && o.kind === 'en' && o.verdict === s.verdict && ` ${o.phrase} `.includes(` ${s.phrase} `)))
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.verdict.localeCompare(b.verdict) || a.phrase.localeCompare(b.phrase));
}

export function formatSuspects(list: Suspect[]): string {
  return list.map((s) => `${s.verdict.padEnd(5)} ${s.kind.padEnd(7)} ${JSON.stringify(s.phrase)}  in ${s.where.join(', ')}${s.justifiedBy ? `  (only in ${s.justifiedBy})` : ''}`).join('\n');
}

async function main(argv: string[]): Promise<void> {
  const { findEvalDir } = await import('../../src/cli/eval.js');
  const at = (flag: string): string | undefined => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
  const dir = findEvalDir(at('--dir'));
  if (!dir) {
    console.log('lexicon-leak: no ../shared/eval found; nothing to check');
    return;
  }
  const list = audit(loadSources(dir), { minZh: Number(at('--zh') ?? 3), minEnContent: Number(at('--en') ?? 1), enWords: !argv.includes('--no-words') });
  console.log(formatSuspects(list));
  const count = (k: string, v: string): number => list.filter((s) => s.kind === k && s.verdict === v).length;
  console.log(`\n${list.length} suspects: zh leak ${count('zh', 'leak')}, zh weak ${count('zh', 'weak')}, en leak ${count('en', 'leak')}, en weak ${count('en', 'weak')}, en-word leak ${count('en-word', 'leak')}, en-word weak ${count('en-word', 'weak')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
