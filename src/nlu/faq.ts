/**
 * FAQ retrieval: BM25F over shop concepts (shared by Chinese and English, so an English
 * question finds a Chinese entry), words and Chinese character bigrams. An answer is given
 * only when the query's meaning is covered well enough; otherwise null, never a guess.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Bm25Index, type Scored, type TermBag } from './bm25.js';
import { conceptSpans } from './lexicon.js';
import { detectLanguage, normalize } from './normalize.js';
import { EN_STOP, FILLER_TAG, NUMBER_WORD, ZH_STOP, ZH_STOP_CHARS } from './faq-stop.js';
import { segment } from './segment.js';

export const FaqEntrySchema = z.object({
  id: z.string().min(1),
  lang: z.string().default('zh'),
  question: z.string().min(1),
  alternates: z.array(z.string()).default([]),
  answer: z.string().min(1),
});
export type FaqEntry = z.infer<typeof FaqEntrySchema>;

export interface FaqHit {
  id: string;
  question: string;
  answer: string;
  /** Confidence in [0, 1]: how much of the question's meaning the entry covers. */
  score: number;
}

/**
 * Below this confidence the answer is null. Calibrated on the project's own held-out questions
 * (dialogs/nlu/faq-queries.jsonl against faq/demo.json: 263 answerable, 56 out of scope): the
 * lowest value that refuses at least 85% of the out-of-scope ones is 0.36; 0.4 keeps a little
 * margin for unseen data (there: top-1 0.72, out-of-scope null 0.86; any value from 0.36 to
 * 0.40 refuses the same ones). test/nlu/faq.test.ts
 * keeps it honest.
 */
export const FAQ_THRESHOLD = 0.4;

/**
 * Term weights: a concept carries meaning across languages; a word a concept already
 * explains adds little, while a word no concept explains is new meaning (and, when no entry
 * has it, the sign of an out-of-scope question); a bigram only rescues segmentation.
 */
const WEIGHT = { concept: 1, decisive: 2, coveredWord: 0.25, word: 1, char: 0.5, bigram: 0.2, filler: 0.3 } as const;
/** Topics a shop FAQ seldom answers; when an entry lacks them, that decides against it. */
const DECISIVE = new Set(['company_info', 'jobs', 'franchise', 'rental', 'gift_card', 'gaming_chair', 'monitor_arm', 'shopping']);
const FIELD = { question: 1, answer: 0.5 } as const;

/**
 * A text's weighted terms, grouped by what they can match: concepts match any entry; words
 * only entries in their own script. "Free" words are those no concept explains: in a
 * cross-language match they are meaning that cannot be checked, so they count as missed.
 */
export interface Analyzed {
  concepts: TermBag;
  han: TermBag;
  hanFree: TermBag;
  latin: TermBag;
  latinFree: TermBag;
  bigrams: TermBag;
  language: 'zh' | 'en';
}

export function analyze(text: string): Analyzed {
  const norm = normalize(text);
  const out: Analyzed = {
    concepts: new Map(), han: new Map(), hanFree: new Map(), latin: new Map(), latinFree: new Map(), bigrams: new Map(),
    language: norm.language,
  };
  const add = (bag: TermBag, term: string, weight: number): void => {
    bag.set(term, (bag.get(term) ?? 0) + weight);
  };
  const spans = conceptSpans(norm.text);
  for (const c of new Set(spans.map((s) => s.concept))) add(out.concepts, `c:${c}`, DECISIVE.has(c) ? WEIGHT.decisive : WEIGHT.concept);
  const { tokens, bigrams } = segment(norm.text, true);
  const seen = new Set<string>();
  for (const { w, start, end, tag } of tokens) {
    if (seen.has(w) || ZH_STOP.has(w) || EN_STOP.has(w) || NUMBER_WORD.test(w)) continue;
    seen.add(w);
    // A word is explained when most of its characters lie in concept spans ("咯吱咯吱" is
    // two "咯吱" spans), even if no single span holds it.
    let inSpans = 0;
    for (let i = start; i < end; i++) if (spans.some((s) => s.start <= i && i < s.end)) inSpans++;
    const covered = inSpans * 2 > end - start;
    // Order numbers and model codes (YZ2406-..., A7) name one thing, not a topic.
    if (!covered && /^[a-z]+[\d-]*\d[\w-]*$/.test(w)) continue;
    const han = /[\u3400-\u9fff]/.test(w);
    const single = han && w.length === 1;
    if (single && ZH_STOP_CHARS.has(w)) continue;
    const filler = tag !== undefined && FILLER_TAG.test(tag) ? WEIGHT.filler : 1;
    const weight = covered ? WEIGHT.coveredWord : (single ? WEIGHT.char : WEIGHT.word) * filler;
    add(han ? out.han : out.latin, `w:${w}`, weight);
    if (!covered) add(han ? out.hanFree : out.latinFree, `w:${w}`, weight);
  }
  for (const b of new Set(bigrams)) add(out.bigrams, `b:${b}`, WEIGHT.bigram);
  return out;
}

/**
 * Every term of a text in one bag (how entries are indexed). An answer that mentions a
 * decisive topic in passing ("按单生产" in a pre-order answer) is not about it, so answers
 * index decisive concepts only when asked to.
 */
function allTerms(text: string, decisive = true): TermBag {
  const a = analyze(text);
  const concepts = [...a.concepts].filter(([t]) => decisive || !DECISIVE.has(t.slice(2)));
  return new Map([...concepts, ...a.han, ...a.latin, ...a.bigrams]);
}

export function parseFaq(json: unknown, source = 'faq'): FaqEntry[] {
  const parsed = z.array(FaqEntrySchema).safeParse(json);
  if (!parsed.success) throw new Error(`${source}: not an FAQ list: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export function loadFaqFile(path: string): FaqEntry[] {
  return parseFaq(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
}

export class FaqIndex {
  private readonly index: Bm25Index;
  private readonly langs: Array<'zh' | 'en'>;

  constructor(readonly entries: readonly FaqEntry[], private readonly threshold = FAQ_THRESHOLD) {
    this.index = new Bm25Index(
      entries.map((e) => ({
        fields: [
          ...[e.question, ...e.alternates].map((q) => ({ bag: allTerms(q), weight: FIELD.question })),
          { bag: allTerms(e.answer, false), weight: FIELD.answer },
        ],
      })),
    );
    this.langs = entries.map((e) => (e.lang === 'en' || e.lang === 'zh' ? e.lang : detectLanguage(e.question)));
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * The best entries with their confidence, best first. Confidence starts from coverage: the share of
   * the question's weighted terms the entry matches, counting only terms some entry holds and
   * the entry could hold (an English word can never match a Chinese entry, so it does not
   * count against it).
   */
  rank(text: string, k = 3): FaqHit[] {
    const q = analyze(text);
    const g = {
      concepts: this.scores(q.concepts),
      han: this.scores(q.han),
      latin: this.scores(q.latin),
      hanFree: this.index.ceiling(q.hanFree),
      latinFree: this.index.ceiling(q.latinFree),
      bigrams: this.scores(q.bigrams),
    };
    const ranked: Array<{ doc: number; key: number; unknown: number }> = [];
    this.entries.forEach((_, doc) => {
      const zh = this.langs[doc] === 'zh';
      const parts: Array<Group | undefined> = [
        g.concepts,
        zh ? g.han : undefined,
        // Latin words can match a Chinese entry inside a Chinese question ("A7", "E0").
        !zh || q.language === 'zh' ? g.latin : undefined,
      ];
      let score = 0;
      // Words no concept explains cannot match across languages: they count as missed, at half
      // weight because a stop list never catches all of a language's filler words.
      let ceiling = CROSS_FREE * ((zh ? 0 : g.hanFree) + (zh && q.language !== 'zh' ? g.latinFree : 0));
      for (const p of parts) {
        if (!p) continue;
        const hit = p.byDoc.get(doc);
        score += hit?.score ?? 0;
        ceiling += p.ceiling;
      }
      if (ceiling <= 0 || score <= 0) return;
      // Bigrams only break ties between entries of the question's own script.
      const tie = zh && q.language === 'zh' && g.bigrams.ceiling > 0 ? (g.bigrams.byDoc.get(doc)?.score ?? 0) / g.bigrams.ceiling : 0;
      // A match across languages rests on concepts alone: trust it a little less. Coverage is
      // capped at a full match first, so a repeated term cannot lift it past a same-script entry.
      const cross = (zh ? 'zh' : 'en') !== q.language ? CROSS_LANG : 1;
      ranked.push({ doc, key: cross * (Math.min(1, score / ceiling) + BIGRAM_TIE * tie), unknown: this.unknownMass(q) / ceiling });
    });
    return ranked
      .sort((a, b) => b.key - a.key)
      .slice(0, k)
      .map(({ doc, key, unknown }) => {
        const entry = this.entries[doc] as FaqEntry;
        // Confidence: the normalised match (at most a full match), minus half the weight of
        // words no entry knows (an out-of-scope question is usually about something the base
        // never mentions).
        const confidence = Math.max(0, Math.min(1, key) - UNKNOWN_PENALTY * unknown);
        return { id: entry.id, question: entry.question, answer: entry.answer, score: round(confidence) };
      });
  }

  ask(text: string): FaqHit | null {
    const best = this.rank(text, 1)[0];
    return best && best.score >= this.threshold ? best : null;
  }

  /**
   * The weight of query terms no entry holds at all: concepts, and words no concept explains
   * (a word a concept explains, like "转椅" for chair, brings no meaning the concept lacks).
   */
  private unknownMass(q: Analyzed): number {
    let mass = 0;
    const bags = [q.concepts, q.hanFree, q.latinFree];
    for (const bag of bags) for (const [t, w] of bag) if (!this.index.has(t)) mass += w * this.index.idf(t);
    return mass;
  }

  /**
   * Per-document scores of one term group. The ceiling counts only terms some entry holds:
   * words nobody knows are charged once, in the confidence penalty, not also as missed
   * coverage (charging them twice made every chatty question look out of scope).
   */
  private scores(bag: TermBag): Group {
    const known = new Map([...bag].filter(([t]) => this.index.has(t)));
    return { byDoc: new Map(this.index.search(known).map((h) => [h.doc, h])), ceiling: this.index.ceiling(known) };
  }
}

interface Group {
  byDoc: Map<number, Scored>;
  ceiling: number;
}

const BIGRAM_TIE = 0.15;
const CROSS_FREE = 0.5;
const UNKNOWN_PENALTY = 0.5;
const CROSS_LANG = 0.9;
const round = (x: number): number => Math.round(x * 1000) / 1000;
