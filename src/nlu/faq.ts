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
 * Below this confidence the answer is null. Chosen on the project's own held-out questions
 * (dialogs/nlu/faq-queries.jsonl against faq/demo.json) as the lowest value that refuses at
 * least 85% of the out-of-scope ones, so as many real questions as possible get an answer
 * without pretending (there: top-1 0.81, out-of-scope null 0.87); test/nlu/faq.test.ts
 * keeps it honest.
 */
export const FAQ_THRESHOLD = 0.4;

/**
 * Term weights: a concept carries meaning across languages; a word a concept already
 * explains adds little, while a word no concept explains is new meaning (and, when no entry
 * has it, the sign of an out-of-scope question); a bigram only rescues segmentation.
 */
const WEIGHT = { concept: 1, decisive: 2, coveredWord: 0.25, word: 1, char: 0.5, bigram: 0.2 } as const;
/** Topics a shop FAQ seldom answers; when an entry lacks them, that decides against it. */
const DECISIVE = new Set(['company_info', 'jobs', 'franchise', 'rental', 'gift_card', 'gaming_chair', 'monitor_arm']);
/** Single characters that carry no topic on their own. */
const ZH_STOP_CHARS = new Set([...'的了吗呢吧啊呀哦嘛么我你您他她它这那是有在和就都还也很要想能会不没对给把被让用跟到去来说看好个里上下啥呗嗯又再才刚得地着过之其或并等比多少几一二三四五六七八九十两百千万买卖做弄咋怎谁哪点些该可以请问吧呐喔噢嗨哈些号次把张件台套位款']);
const FIELD = { question: 1, answer: 0.3 } as const;

const ZH_STOP = new Set(
  ('的 了 吗 呢 吧 啊 呀 哦 嘛 么 哈 我 我们 你 你们 您 他 她 它 这 那 这个 那个 这款 那款 是 有 没有 在 和 与 及 就 都 还 也 很 ' +
    '要 想 能 能不能 可以 可不可以 会 请问 请 一下 一个 怎么 怎么办 怎么样 如何 什么 为什么 咋 哪 哪里 哪儿 不 没 对 给 把 被 让 ' +
    '用 跟 到 去 来 说 看 好 一般 大概 现在 已经 还是 或者 如果 因为 所以 但是 可是 然后 麻烦 谢谢 你好 您好 亲 下 上 个 里 ' +
    '时候 东西 问 问题 一点 一些 需要 应该 帮 帮忙 自己 怎样 多少 吗 啥 呗 嗯 又 再 才 刚 得 地 着 过 之 其 或 并 等 被 比 ' +
    '家 买 的话 是不是 有没有 可否 是否 还能 能否 不会 会不会 怎么弄 怎么回事 怎么处理 觉得 发现 其实 想要 好像 看看 里面 开始 以后 之后 ' +
    '那边 这边 现在 一张 两张 一块 一个 两个 一次 起来 不是 不能 才能 顺便 那种 哪些 一起 另外 今天 明天 昨天 打算 知道 请教 咨询 ' +
    '需不需要 要不要 行不行 可以吗 好不好 对不对 这种 这样 那样 之前 时候 一些 有点 比较 非常 特别 真的 确实 还有 以及 ' +
    '哪个 哪款 哪种 帮我 上周 这周 下周 去年 今年 明年 晚上 下午 上午 早上 中午 刚刚 最近 家里 网上 长期 每个 出头 左右 大约 差不多 情况 地方 上面 下面').split(/\s+/),
);
const EN_STOP = new Set(
  ('i me my we our us you your the a an is are was were be been being do does did can could will would should shall may ' +
    'might have has had of to in on at for with about from by and or but if so it its this that these those there here what ' +
    'which who whom how why where please hi hello hey thanks thank any some get got just also still yet not no their them ' +
    'they up out into as than then too very much many more most such own same other im it\'s don\'t i\'m can\'t won\'t doe ' +
    'ha wa thi veri ani ye yet one someth anyth need want like know tell let give new come take keep read show usual go make few now ago ' +
    'ar were been realli actual current alreadi ever sure okay ok via would bought buy right big wont dont cant isnt doesnt didnt havent hasnt appli').split(/\s+/),
);

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

// Counts and measure words ("三张", "一百") say how many, not what about.
const NUMBER_WORD = /^[\d.一二三四五六七八九十百千万两几多]+[张把个块次件台套位天年月号只层]?$/;

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
  const { tokens, bigrams } = segment(norm.text);
  const seen = new Set<string>();
  for (const { w, start, end } of tokens) {
    if (seen.has(w) || ZH_STOP.has(w) || EN_STOP.has(w) || NUMBER_WORD.test(w)) continue;
    seen.add(w);
    const covered = spans.some((s) => s.start <= start && end <= s.end && s.end > s.start);
    // Order numbers and model codes (YZ2406-..., A7) name one thing, not a topic.
    if (!covered && /^[a-z]+[\d-]*\d[\w-]*$/.test(w)) continue;
    const han = /[\u3400-\u9fff]/.test(w);
    const single = han && w.length === 1;
    if (single && ZH_STOP_CHARS.has(w)) continue;
    const weight = covered ? WEIGHT.coveredWord : single ? WEIGHT.char : WEIGHT.word;
    add(han ? out.han : out.latin, `w:${w}`, weight);
    if (!covered) add(han ? out.hanFree : out.latinFree, `w:${w}`, weight);
  }
  for (const b of new Set(bigrams)) add(out.bigrams, `b:${b}`, WEIGHT.bigram);
  return out;
}

/** Every term of a text in one bag (how entries are indexed). */
function allTerms(text: string): TermBag {
  const a = analyze(text);
  return new Map([...a.concepts, ...a.han, ...a.latin, ...a.bigrams]);
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
          { bag: allTerms(e.answer), weight: FIELD.answer },
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
   * the question's weighted terms the entry matches, counting only terms the entry could
   * hold (an English word can never match a Chinese entry, so it does not count against it).
   */
  rank(text: string, k = 3): FaqHit[] {
    const q = analyze(text);
    const g = {
      concepts: this.scores(q.concepts),
      han: this.scores(q.han),
      latin: this.scores(q.latin),
      hanFree: this.index.ceiling(q.hanFree),
      latinFree: this.index.ceiling(q.latinFree),
      bigrams: this.scores(q.bigrams, true),
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
      // A match across languages rests on concepts alone: trust it a little less.
      const cross = (zh ? 'zh' : 'en') !== q.language ? CROSS_LANG : 1;
      ranked.push({ doc, key: cross * (score / ceiling + BIGRAM_TIE * tie), unknown: this.unknownMass(q, zh) / ceiling });
    });
    return ranked
      .sort((a, b) => b.key - a.key)
      .slice(0, k)
      .map(({ doc, key, unknown }) => {
        const entry = this.entries[doc] as FaqEntry;
        // Confidence: the normalised match, minus half the weight of words no entry knows
        // (an out-of-scope question is usually about something the base never mentions).
        const confidence = Math.max(0, Math.min(1, key - UNKNOWN_PENALTY * unknown));
        return { id: entry.id, question: entry.question, answer: entry.answer, score: round(confidence) };
      });
  }

  ask(text: string): FaqHit | null {
    const best = this.rank(text, 1)[0];
    return best && best.score >= this.threshold ? best : null;
  }

  /** The weight of query terms no entry holds at all (words of the entry's script, and concepts). */
  private unknownMass(q: Analyzed, zh: boolean): number {
    let mass = 0;
    const bags = [q.concepts, zh ? q.han : q.hanFree, zh && q.language !== 'zh' ? q.latinFree : q.latin];
    for (const bag of bags) for (const [t, w] of bag) if (!this.index.has(t)) mass += w * this.index.idf(t);
    return mass;
  }

  /** Per-document scores of one term group; `knownOnly` ceilings ignore terms no entry holds. */
  private scores(bag: TermBag, knownOnly = false): Group {
    const used = knownOnly ? new Map([...bag].filter(([t]) => this.index.has(t))) : bag;
    return { byDoc: new Map(this.index.search(used).map((h) => [h.doc, h])), ceiling: this.index.ceiling(used) };
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
