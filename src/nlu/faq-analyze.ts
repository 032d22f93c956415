/**
 * FAQ term analysis: a text (a question, an entry's question or answer) becomes weighted terms
 * on three channels, which faq-features.ts scores against the knowledge base:
 *
 * - concepts: the shop's synonyms (lexicon-data.ts), shared by Chinese and English, so a
 *   question in one language can match an entry in the other;
 * - words: jieba words and English Porter stems, scene-setting filler at a lower weight;
 * - character n-grams: Chinese character bigrams and English character trigrams (inside
 *   stems), which catch a word jieba cuts differently, an unknown compound, a typo.
 * Pure.
 */
import { createRequire } from 'node:module';
import { conceptSpans } from './lexicon.js';
import { normalize } from './normalize.js';
import { EN_STOP, FILLER_TAG, NUMBER_WORD, ZH_STOP, ZH_STOP_CHARS } from './faq-stop.js';
import { segment, stem as segmentStem } from './segment.js';

export type TermBag = Map<string, number>;

/**
 * A text's weighted terms. Concept terms are `c:`, words `w:`, n-grams `b:` (Chinese bigram) or
 * `t:` (English trigram). "Free" words are the ones no concept explains.
 */
export interface Analyzed {
  concepts: TermBag;
  han: TermBag;
  hanFree: TermBag;
  latin: TermBag;
  latinFree: TermBag;
  grams: TermBag;
  language: 'zh' | 'en';
  /** Free words that are filler (a stop-list word; a time, place, pronoun, adverb...): they set the scene, they are not meaning the base could lack. */
  filler: Set<string>;
}

/**
 * Term weights: a concept carries meaning across languages; a word a concept already explains
 * adds little, a word no concept explains is new meaning; scene-setting words (time, place,
 * pronouns, adverbs: jieba's tags) weigh less, so a customer's context does not drown the question.
 */
export const WEIGHT = { concept: 1, decisive: 2, coveredWord: 0.25, word: 1, char: 0.5, filler: 0.3 } as const;
/** Topics a shop FAQ seldom answers (company facts, jobs, franchise...): when an entry lacks them, that decides against it. */
export const DECISIVE = new Set(['company_info', 'jobs', 'franchise', 'rental', 'gift_card', 'gaming_chair', 'monitor_arm', 'shopping']);

/**
 * General-purpose words of each language (stopwords-iso: "actually", "possible", "人家", "不过"),
 * beyond the shop's own stop lists: when no concept explains them they are filler, so an
 * English question's everyday words do not read as meaning the base lacks.
 */
const GENERAL: { en: Set<string>; zh: Set<string> } = (() => {
  try {
    const lists = createRequire(import.meta.url)('stopwords-iso') as { en?: string[]; zh?: string[] };
    return { en: new Set(lists.en ?? []), zh: new Set(lists.zh ?? []) };
  } catch {
    return { en: new Set(), zh: new Set() };
  }
})();

const add = (bag: TermBag, term: string, weight: number): void => {
  bag.set(term, (bag.get(term) ?? 0) + weight);
};

export function analyze(text: string, decisive = true): Analyzed {
  const norm = normalize(text);
  const out: Analyzed = {
    concepts: new Map(), han: new Map(), hanFree: new Map(), latin: new Map(), latinFree: new Map(), grams: new Map(),
    language: norm.language, filler: new Set(),
  };
  const spans = conceptSpans(norm.text);
  for (const c of new Set(spans.map((s) => s.concept))) {
    if (DECISIVE.has(c) && !decisive) continue;
    add(out.concepts, `c:${c}`, DECISIVE.has(c) ? WEIGHT.decisive : WEIGHT.concept);
  }
  const { tokens, english } = segment(norm.text, true);
  const seen = new Set<string>();
  for (const { w, start, end, tag } of tokens) {
    if (seen.has(w) || ZH_STOP.has(w) || EN_STOP.has(w) || NUMBER_WORD.test(w)) continue;
    seen.add(w);
    // A word is explained when most of its characters lie in concept spans.
    let inSpans = 0;
    for (let i = start; i < end; i++) if (spans.some((s) => s.start <= i && i < s.end)) inSpans++;
    const covered = inSpans * 2 > end - start;
    // Order numbers and model codes (YZ2406-..., A7) name one thing, not a topic.
    if (!covered && /^[a-z]+[\d-]*\d[\w-]*$/.test(w)) continue;
    const han = /[\u3400-\u9fff]/.test(w);
    const single = han && w.length === 1;
    if (single && ZH_STOP_CHARS.has(w)) continue;
    const general = (han ? GENERAL.zh : GENERAL.en).has(norm.text.slice(start, end));
    const isFiller = (tag !== undefined && FILLER_TAG.test(tag)) || general;
    const filler = isFiller ? WEIGHT.filler : 1;
    const weight = covered ? WEIGHT.coveredWord : (single ? WEIGHT.char : WEIGHT.word) * filler;
    add(han ? out.han : out.latin, `w:${w}`, weight);
    if (!covered) {
      add(han ? out.hanFree : out.latinFree, `w:${w}`, weight);
      if (isFiller) out.filler.add(`w:${w}`);
    }
  }
  // Chinese bigrams: two filler characters say nothing ("是多", "我的"); one weighs half ("下单", "的尺").
  for (const run of norm.text.match(/[\u3400-\u9fff]+/g) ?? []) {
    for (let i = 0; i + 1 < run.length; i++) {
      const a = run[i] as string;
      const b = run[i + 1] as string;
      const stops = (ZH_STOP_CHARS.has(a) ? 1 : 0) + (ZH_STOP_CHARS.has(b) ? 1 : 0);
      if (stops < 2) out.grams.set(`b:${a}${b}`, stops ? 0.5 : 1);
    }
  }
  // English trigrams inside the stems of content words, one unit of weight per word.
  for (const raw of english) {
    const s = segmentStem(raw);
    if (s.length < 4 || EN_STOP.has(s) || EN_STOP.has(raw)) continue;
    const padded = `#${s}#`;
    const n = padded.length - 2;
    for (let i = 0; i < n; i++) add(out.grams, `t:${padded.slice(i, i + 3)}`, 1 / n);
  }
  return out;
}

/**
 * Concepts that name *what* a question is about (a product or a part) rather than what it
 * asks (delivery, warranty, a refund). Many entries share them ("沙发" is in the warranty, the
 * stairs and the cleaning entries), so they are scored on their own channel and weigh less.
 */
export const OBJECTS = new Set([
  'chair', 'ergo_chair', 'desk', 'standing_desk', 'meeting_table', 'cabinet', 'pedestal', 'sofa', 'gas_lift', 'wheel',
  'armrest', 'backrest', 'headrest', 'lumbar', 'cushion', 'motor', 'controller', 'monitor', 'fabric', 'leather', 'furniture', 'frame',
]);

/** Channels a term belongs to, by its prefix. */
export const Channel = { Concept: 0, Word: 1, Gram: 2, Object: 3 } as const;
export type Channel = (typeof Channel)[keyof typeof Channel];
export const CHANNELS = 4;
export const channelOf = (term: string): Channel =>
  term.startsWith('c:') ? (OBJECTS.has(term.slice(2)) ? Channel.Object : Channel.Concept) : term.startsWith('w:') ? Channel.Word : Channel.Gram;
export const isConcept = (ch: Channel): boolean => ch === Channel.Concept || ch === Channel.Object;

/** All the terms of a text in one bag. */
export function allTerms(a: Analyzed): TermBag {
  return new Map([...a.concepts, ...a.han, ...a.latin, ...a.grams]);
}
