/**
 * Text normalisation, the first pure step of understanding: the same customer sentence
 * typed on a phone in Taipei, on a full-width IME in Shanghai or shouted with "！！！！"
 * must reach the classifier as the same string. The original text is always kept.
 */
import OpenCC from 'opencc-js/t2cn';
import type { Language } from './types.js';

/** A channel-specific clean-up run before anything else (the e-mail channel strips quotes and signatures). */
export type PreProcessor = (text: string) => string;

export interface Normalized {
  original: string;
  /** Half-width, Simplified, lower-case, repeats collapsed, mentions removed; emoji kept. */
  text: string;
  language: Language;
  /** Non-word signals: `emo_anger`, `emo_sad`, `emo_meh`, `emo_happy`, `emo_plead`, `mention`, `caps`. */
  cues: string[];
  /** How many `!` and `?` the customer typed (before collapsing): shouting is a grading signal. */
  exclaim: number;
  question: number;
}

// Traditional (Taiwan and Hong Kong usage) to Simplified. Built once: the converter is a trie.
const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });

/** Emoji and Weibo bracket emoticons, grouped by the feeling they carry. */
const EMOJI_CUES: Array<[string, RegExp]> = [
  ['emo_anger', /[😡🤬😠👿💢😤🖕]|\[(?:怒|怒骂|抓狂|愤怒|哼|生气)\]/u],
  ['emo_sad', /[😢😭😞😔😓😩😫🙁☹💔😰😱]|\[(?:泪|委屈|失望|伤心|衰|悲伤|可怜)\]/u],
  ['emo_meh', /[🙄😒😑😅🤡🤔😐]|\[(?:白眼|无语|汗|疑问|费解|思考)\]/u],
  ['emo_happy', /[😀😃😄😁😊🙂😍🥰👍👌❤💕🌹☀✨😘🎉😆💯]|\[(?:哈哈|赞|心|笑|嘻嘻|爱你|鼓掌|耶)\]/u],
  ['emo_plead', /[🙏🥺]|\[(?:拜托|求求)\]/u],
];

const PUNCT_MAP: Record<string, string> = {
  '。': '.', '、': ',', '【': '[', '】': ']', '「': '"', '」': '"', '『': '"', '』': '"',
  '“': '"', '”': '"', '‘': "'", '’': "'", '—': '-', '–': '-', '·': ' ', '〜': '~',
};
const PUNCT_RE = new RegExp(`[${Object.keys(PUNCT_MAP).join('')}]`, 'g');

const CJK_RE = /[\u3400-\u9fff]/g;
const LATIN_RE = /[a-zA-Z]/g;
// A Weibo/WeChat mention (@优座办公家具) or topic (#优座办公家具#) names the brand, not the need.
const MENTION_RE = /@[\p{L}\p{N}_-]{1,30}|#[^#\n]{1,30}#/gu;

/**
 * Collapse any character typed 3+ times in a row to two ("！！！！" -> "!!", "啊啊啊啊" -> "啊啊").
 * Latin letters and digits are data and stay ("BBB", "10000").
 */
export function collapseRepeats(text: string): string {
  return text.replace(/([^0-9a-zA-Z])\1{2,}/gu, '$1$1');
}

export function detectLanguage(text: string): Language {
  const cjk = (text.match(CJK_RE) ?? []).length;
  const latin = (text.match(LATIN_RE) ?? []).length;
  // One Chinese character is worth about three Latin letters of meaning.
  return cjk > 0 && cjk * 3 >= latin ? 'zh' : 'en';
}

export function normalize(input: string, pre?: PreProcessor): Normalized {
  const original = input;
  let text = pre ? pre(input) : input;
  const cues: string[] = [];
  if (MENTION_RE.test(text)) cues.push('mention');
  text = text.replace(MENTION_RE, ' ');
  for (const [cue, re] of EMOJI_CUES) if (re.test(text)) cues.push(cue);
  // Shouting in capitals ("NOW", "REFUND") is counted before lower-casing erases it.
  if (/\b[A-Z]{3,}\b/.test(text.replace(/\b(?:VAT|BIFMA|MDF|USB|CEO|PDF|SMS|APP|OK|YZ[\w-]*|[A-Z]\d+)\b/g, ''))) cues.push('caps');
  text = text.normalize('NFKC').replace(PUNCT_RE, (c) => PUNCT_MAP[c] ?? c);
  const exclaim = (text.match(/!/g) ?? []).length;
  const question = (text.match(/\?/g) ?? []).length;
  text = toSimplified(text).toLowerCase();
  text = collapseRepeats(text).replace(/[ \t\u3000]+/g, ' ').trim();
  return { original, text, language: detectLanguage(text), cues, exclaim, question };
}

/**
 * A plain default for e-mail when the channel gave no pre-processor: drop quoted replies
 * ("> ...", "On ... wrote:") and the sign-off block, keep the subject line's words.
 */
export const stripEmail: PreProcessor = (text) => {
  const lines = text.replace(/\r/g, '').split('\n');
  const kept: string[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (/^>/.test(line)) continue;
    if (/^(on .+ wrote:|-{2,}\s*original message|-{2,}\s*原始邮件|在.+写道[:：])/i.test(line)) break;
    if (/^(best( regards)?|kind regards|regards|cheers|sincerely|thanks( again)?|thank you|many thanks|祝好|此致|顺祝商祺|谢谢[!！。]?|多谢[!！。]?)[,，!！.。]?$/i.test(line)) break;
    kept.push(raw);
  }
  const paragraphs = kept
    .map((l) => l.replace(/^\s*(subject|主题)\s*[:：]\s*((re|fw|fwd|回复|转发)\s*[:：]\s*)*/i, ''))
    .join('\n').trim().split(/\n\s*\n/);
  // A last paragraph of short lines without sentence punctuation is a name, a title or a company.
  const last = paragraphs[paragraphs.length - 1];
  if (paragraphs.length > 1 && last !== undefined && last.split('\n').every((l) => l.trim().length <= 30 && !/[?？!！。.，,]/.test(l))) {
    paragraphs.pop();
  }
  const body = paragraphs.join('\n\n').trim();
  return body || text;
};
