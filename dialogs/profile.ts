/**
 * Reading the customer (domain.md §2 "网络客服沟通的针对性"): how much they know, how they
 * feel about price, how they talk, and how frustrated they are getting. Each turn updates
 * the profile in the state; `toneOf` turns it into the tone the templates are written in.
 */
import { isGenerous } from './reading.js';
import type { EngineData } from './state.js';
import type { DialogEvent } from './types.js';

/** friend: patient, explains (default). peer: an expert, specs first. brief: a talkative
 *  customer, kept short. two: an indecisive one, offered two choices. choice: a silent one,
 *  asked choice questions rather than open ones. */
export type Tone = 'friend' | 'peer' | 'brief' | 'two' | 'choice';

const EXPERT = /双电机|单电机|承重|气杆|4d|3d扶手|腰托|e0|e1级|板材|冷轧|分贝|db\b|bifma|毫米|公斤|kg\b|\bmm\b|升降速度|动态|静态|lumbar|gas lift|class[- ]?4|dual[- ]motor|load (?:capacity|rating)|decibel|spec/g;
const INSISTING = /最低|底价|再便宜|不便宜(?:就|我就)?不|少\s*\d+|便宜\s*\d+|抹(?:个)?零|砍价|lowest|best price|rock bottom|or i(?:'ll| will) (?:go|buy) elsewhere|knock \d+ off|another \d+ off/;
const INDECISIVE = /纠结|犹豫|不知道(?:选|买|要)|选哪|哪个好|哪款好|都行|随便|拿不定|再想想|考虑(?:一下|考虑)|not sure|can'?t decide|undecided|either (?:one|is fine)|which (?:one )?should i/;
const ACKNOWLEDGE = /^(?:嗯+|哦+|噢+|喔+|额+|呃+|好|en|ok|k|hm+|mm+|[.。?？…]+)$/;
const FRUSTRATION = /怎么还|到底|烦|无语|垃圾|气死|太慢|什么破|搞什么|有没有人|人呢|说了多少遍|听不懂|答非所问|机器人|没用|useless|ridiculous|annoying|stupid|not helpful|you don'?t understand|waste of time|are you a bot/g;

/** The conversation's language: a message with Han characters is Chinese, one with Latin words English; "1" or "ok" keeps the last. */
export function languageOf(event: DialogEvent, previous: 'zh' | 'en' | null): 'zh' | 'en' {
  if (/[\u4e00-\u9fff]/.test(event.text)) return 'zh';
  if ((event.text.match(/[a-z]{2,}/gi) ?? []).length >= 2) return 'en';
  return previous ?? event.understanding.language;
}

const normalisedText = (event: DialogEvent): string => (event.understanding.normalized ?? event.text).toLowerCase();

/** How frustrated this one message sounds, 0..3. */
export function frustrationOf(event: DialogEvent): number {
  const text = normalisedText(event);
  let level = Math.min(2, (text.match(FRUSTRATION) ?? []).length);
  if (/[!！]{2,}|[?？]{2,}[!！]|[!！][?？]{2,}/.test(event.text)) level += 1;
  if (/\b[A-Z]{4,}\b/.test(event.text) && event.text === event.text.toUpperCase()) level += 1;
  return Math.min(3, level);
}

/** Update the profile and signals with one customer message. */
export function observe(data: EngineData, event: DialogEvent): EngineData {
  const text = normalisedText(event);
  const profile = { ...data.profile };
  const signals = { ...data.signals };
  const expertCues = new Set(text.match(EXPERT) ?? []).size;
  signals.expertCues += expertCues;
  if (expertCues >= 2 || signals.expertCues >= 3) profile.knowledge = 'expert';
  if (isGenerous(text)) profile.price = 'generous';
  else if (INSISTING.test(text)) profile.price = 'insisting';

  const length = Array.from(event.text.trim()).length;
  const words = event.text.trim().split(/\s+/).length;
  // "嗯", "哦", "ok": acknowledging without saying anything (a "2" or "两张" answers a question).
  signals.shortReplies = ACKNOWLEDGE.test(text.trim()) ? signals.shortReplies + 1 : 0;
  if (INDECISIVE.test(text)) profile.style = 'indecisive';
  else if ((/[\u4e00-\u9fff]/.test(event.text) && length >= 60) || words >= 40) profile.style = 'talkative';
  else if (signals.shortReplies >= 2 && profile.style === 'unknown') profile.style = 'silent';

  // Frustration rises with each irritated message and cools by one with each calm one.
  const level = frustrationOf(event);
  signals.frustration = Math.max(0, signals.frustration + (level > 0 ? level : -1));
  return { ...data, lang: languageOf(event, data.lang), profile, signals };
}

export function toneOf(profile: EngineData['profile']): Tone {
  if (profile.style === 'indecisive') return 'two';
  if (profile.knowledge === 'expert') return 'peer';
  if (profile.style === 'talkative') return 'brief';
  if (profile.style === 'silent') return 'choice';
  return 'friend';
}
