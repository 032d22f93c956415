/**
 * Concept matching over normalised text: Chinese by longest substring match, English by
 * longest phrase match on Porter stems. Pure after the first call builds the tables.
 */
import { CONCEPT_BLOCKERS, CONCEPT_PARENTS, CONCEPT_TABLE } from './lexicon-data.js';
import { stem } from './segment.js';

interface Tables {
  /** First character -> surface forms starting with it, longest first; concept list empty for blockers. */
  zh: Map<string, Array<[string, string[]]>>;
  /** Stemmed phrase ("gas lift") -> concepts. */
  en: Map<string, string[]>;
  maxEnWords: number;
  /** Two-word phrasal verbs whose particle may stand after the object ("send the chair back"): verb stem -> [particle stem, concepts]. */
  separable: Map<string, Array<[string, string[]]>>;
}

/** Particles of English phrasal verbs that customers put after the object (put ... together, send ... back). */
const PARTICLES = ['back', 'together', 'away', 'up', 'off', 'out', 'over'];
/** Words allowed between a separable verb and its particle. */
const MAX_OBJECT_WORDS = 3;

let tables: Tables | undefined;

function withParents(concept: string): string[] {
  return [concept, ...(CONCEPT_PARENTS[concept] ?? [])];
}

function build(): Tables {
  const zhForms = new Map<string, string[]>();
  const en = new Map<string, string[]>();
  let maxEnWords = 1;
  const add = (map: Map<string, string[]>, key: string, concepts: string[]): void => {
    const have = map.get(key) ?? [];
    map.set(key, [...new Set([...have, ...concepts])]);
  };
  for (const [concept, spec] of Object.entries(CONCEPT_TABLE)) {
    const [zhPart = '', enPart = ''] = spec.split('|');
    const zhList = zhPart.trim().split(/\s+/).filter(Boolean);
    // Latin forms are matched as English words, never as substrings ("kg" inside "background").
    for (const form of zhList.filter((f) => /[^\x00-\x7f]/.test(f))) add(zhForms, form, withParents(concept));
    const enList = [...enPart.split(','), ...zhList.filter((f) => !/[^\x00-\x7f]/.test(f))];
    for (const phrase of enList.map((p) => p.trim()).filter(Boolean)) {
      const stems = englishWords(phrase).map(stem);
      maxEnWords = Math.max(maxEnWords, stems.length);
      add(en, stems.join(' '), withParents(concept));
    }
  }
  const separable = new Map<string, Array<[string, string[]]>>();
  const particles = new Set(PARTICLES.map(stem));
  for (const [phrase, concepts] of en) {
    const [verb, particle, ...more] = phrase.split(' ');
    if (verb && particle && more.length === 0 && particles.has(particle)) separable.set(verb, [...(separable.get(verb) ?? []), [particle, concepts]]);
  }
  for (const b of CONCEPT_BLOCKERS) if (!zhForms.has(b)) zhForms.set(b, []);
  const zh = new Map<string, Array<[string, string[]]>>();
  for (const [form, concepts] of zhForms) {
    const first = form[0] ?? '';
    const list = zh.get(first) ?? [];
    list.push([form, concepts]);
    zh.set(first, list);
  }
  for (const list of zh.values()) list.sort((a, b) => b[0].length - a[0].length);
  return { zh, en, maxEnWords, separable };
}

function englishWords(text: string): string[] {
  return text.match(/[a-z0-9][a-z0-9'-]*/g) ?? [];
}

// Patterns that a word list cannot express: numbers with units.
const PATTERNS: Array<[RegExp, string]> = [
  [/[一二三四五六七八九十两\d]+\s*楼(?!下|上|道)|[二三四五六七八九十\d]+\s*层(?:楼)?(?:没|无|只有|楼梯|步梯)/, 'stairs'],
  [/\b(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|top) floor\b/, 'stairs'],
  [/\d{2,}\s*(?:把|张|个工位|套|位员工|个人的)|\b\d{2,}\s+(?:chairs|desks|workstations|units|sets|seats)\b/, 'bulk'],
  [/(?<![\d.])1\s*米\s*[5-9](?![\d.])|\b[4-7]'\s*\d{1,2}\b|(?:身高|个子)\s*1[5-9]\d/, 'body_height'],
  [/\be\d{2}\b/, 'error'],
  [/\d+\s*(?:斤|公斤|kg|lbs?|pounds)/, 'weight_cap'],
  // Money coming back, however it is worded ("钱多久退回来", "退的钱").
  [/钱.{0,6}退|退.{0,3}钱/, 'refund'],
];

export interface ConceptSpan {
  concept: string;
  start: number;
  end: number;
}

/** The concepts of a normalised text with the character span each came from (patterns span nothing). */
export function conceptSpans(text: string): ConceptSpan[] {
  tables ??= build();
  const out: ConceptSpan[] = [];
  const { zh, en, maxEnWords, separable } = tables;
  for (let i = 0; i < text.length; ) {
    const list = zh.get(text[i] ?? '');
    const hit = list?.find(([form]) => text.startsWith(form, i));
    if (hit) {
      const end = i + hit[0].length;
      for (const concept of hit[1]) out.push({ concept, start: i, end });
      i = end;
    } else i++;
  }
  // "3rd floor" is a storey, not a floor surface: keep it away from the English phrase match.
  const latin = text.replace(/\b(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|top) floor\b/g, (m) => ' '.repeat(m.length));
  const words = [...latin.matchAll(/[a-z0-9][a-z0-9'-]*/g)].map((m) => ({ stem: stem(m[0]), start: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
  for (let i = 0; i < words.length; ) {
    let matched = 0;
    for (let n = Math.min(maxEnWords, words.length - i); n >= 1 && !matched; n--) {
      const found = en.get(words.slice(i, i + n).map((w) => w.stem).join(' '));
      if (found) {
        const start = words[i]?.start ?? 0;
        const end = words[i + n - 1]?.end ?? start;
        for (const concept of found) out.push({ concept, start, end });
        matched = n;
      }
    }
    i += matched || 1;
  }
  // A separated phrasal verb: the verb and its particle count, the object between them keeps its own meaning.
  words.forEach((w, i) => {
    for (const [particle, concepts] of separable.get(w.stem) ?? []) {
      const p = words.slice(i + 2, i + 2 + MAX_OBJECT_WORDS).find((x) => x.stem === particle);
      if (!p) continue;
      for (const concept of concepts) out.push({ concept, start: w.start, end: w.end }, { concept, start: p.start, end: p.end });
    }
  });
  for (const [re, concept] of PATTERNS) if (re.test(text)) out.push({ concept, start: 0, end: 0 });
  return out;
}

/** The concepts of a normalised text, in order of appearance (duplicates kept: they are counts). */
export function concepts(text: string): string[] {
  return conceptSpans(text).map((s) => s.concept);
}
