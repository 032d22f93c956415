/**
 * Segmentation: Chinese words by jieba with the shop's own dictionary, English words with
 * Porter stems, and Chinese character bigrams so that a word jieba splits badly still matches.
 */
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

const require = createRequire(import.meta.url);
// The stemmer alone: `natural`'s index loads dozens of modules we never use (~100 ms).
const porter = require('natural/lib/natural/stemmers/porter_stemmer.js') as { stem(word: string): string };

/**
 * Words jieba's general dictionary does not know or cuts wrongly (it splits 升降桌 into
 * 升降/桌 and 电竞椅 into single characters). A high frequency makes them win.
 */
export const DOMAIN_WORDS: readonly string[] = [
  // products and parts
  '升降桌', '电动升降桌', '活动柜', '人体工学椅', '人体工学', '办公椅', '网椅', '电竞椅', '老板椅', '会议椅', '职员椅',
  '会议桌', '办公桌', '工位桌', '老板桌', '书桌', '文件柜', '抽屉柜', '矮柜', '书柜', '屏风', '工位', '沙发', '茶几',
  '气杆', '气压棒', '扶手', '头枕', '腰靠', '靠背', '座垫', '坐垫', '脚轮', '轮子', '滑轮', '椅腿', '桌腿', '桌面', '横梁',
  '电机', '单电机', '双电机', '控制器', '锁芯', '科技布', '网布', '真皮', '颗粒板', '多层板', '实木', '密度板', '板材',
  // properties and problems
  '甲醛', '甲醛超标', '色差', '异响', '掉漆', '起皮', '漏气', '承重', '防夹', '记忆功能', '静音',
  // commerce
  '价保', '包邮', '运费', '上楼费', '搬运费', '远程费', '满减', '优惠券', '专票', '普票', '增值税', '月结', '账期',
  '到账', '退差价', '货到付款', '七天无理由', '无理由退货', '体验馆', '展厅', '自提', '预售', '定金', '尾款',
  '转人工', '人工客服', '真人客服', '客服', '上门', '上门安装', '上门维修', '送货上门', '拆封', '开箱', '复位', '报错', '手柄', '座面',
  // escalation: regulators, media, law, social platforms
  '12315', '12345', '消协', '消费者协会', '市场监管', '市场监管局', '工商局', '质监局', '黑猫投诉', '315晚会',
  '律师', '律师函', '起诉', '法院', '诉讼', '报警', '派出所', '媒体', '记者', '电视台', '报社', '曝光',
  '小红书', '抖音', '避雷', '踩雷', '差评', '维权',
  // health and safety
  '过敏', '住院', '缝针', '触电', '漏电', '冒烟', '起火', '着火',
];

let jieba: Jieba | undefined;

/** The jieba instance, built on first use (about 0.2 s: the general dictionary is 5 MB). */
export function getJieba(): Jieba {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    jieba.loadDict(Buffer.from(DOMAIN_WORDS.map((w) => `${w} 200000 n`).join('\n')));
  }
  return jieba;
}

export interface Token {
  /** A Chinese word, an English stem or a number. */
  w: string;
  start: number;
  end: number;
  /** jieba's part-of-speech tag of a Chinese word, when asked for (`segment(text, true)`). */
  tag?: string;
}

export interface Segmented {
  /** Chinese words and English stems, in order, punctuation and spaces dropped. */
  words: string[];
  /** The same words with their offsets in the text. */
  tokens: Token[];
  /** English words before stemming (for phrase look-ups and stop lists). */
  english: string[];
  /** Overlapping character bigrams of each Chinese run. */
  bigrams: string[];
}

const RUN_RE = /([\u3400-\u9fff]+)|([a-z][a-z0-9'-]*[a-z0-9]|[a-z])|(\d+(?:\.\d+)?)/g;

const stems = new Map<string, string>();

/** Porter stem of an English word, memoised (the same few thousand words recur). */
export function stem(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    s = porter.stem(word.replace(/'s$/, '').replace(/'/g, ''));
    if (stems.size < 50_000) stems.set(word, s);
  }
  return s;
}

/** Segment a normalised (Simplified, lower-case) text; `tagged` adds part-of-speech tags (3x slower). */
export function segment(text: string, tagged = false): Segmented {
  const tokens: Token[] = [];
  const english: string[] = [];
  const bigrams: string[] = [];
  const j = getJieba();
  for (const m of text.matchAll(RUN_RE)) {
    const [, han, latin, num] = m;
    const at = m.index ?? 0;
    if (han) {
      let offset = at;
      // jieba keeps every character, so offsets are the running sum of word lengths.
      const words = tagged ? j.tag(han, false) : j.cut(han, false).map((word) => ({ word, tag: undefined }));
      for (const { word: w, tag } of words) {
        tokens.push({ w, start: offset, end: offset + w.length, ...(tag ? { tag } : {}) });
        offset += w.length;
      }
      for (let i = 0; i + 1 < han.length; i++) bigrams.push(han.slice(i, i + 2));
    } else if (latin) {
      english.push(latin);
      tokens.push({ w: stem(latin), start: at, end: at + latin.length });
    } else if (num) {
      tokens.push({ w: num, start: at, end: at + num.length });
    }
  }
  return { words: tokens.map((t) => t.w), tokens, english, bigrams };
}
