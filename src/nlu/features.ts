/**
 * Features for the intent and category models: words, word pairs, Chinese character
 * bigrams and unigrams, shop concepts (shared by both languages), and non-word cues
 * (emoji, shouting, question marks, length). Function words are kept on purpose: "吗",
 * "怎么" and "thanks" are exactly what separates an inquiry from a farewell.
 */
import { concepts } from './lexicon.js';
import type { Normalized } from './normalize.js';
import { segment } from './segment.js';

export type FeatureBag = Map<string, number>;

export function features(norm: Normalized): FeatureBag {
  const bag: FeatureBag = new Map();
  const add = (f: string, v = 1): void => {
    bag.set(f, Math.max(bag.get(f) ?? 0, v));
  };
  const { words, bigrams } = segment(norm.text);
  words.forEach((w, i) => {
    add(`w:${w}`);
    const next = words[i + 1];
    if (next) add(`ww:${w}_${next}`, 0.7);
  });
  for (const b of bigrams) add(`b:${b}`, 0.6);
  for (const ch of norm.text.match(/[\u3400-\u9fff]/g) ?? []) add(`u:${ch}`, 0.4);
  for (const c of concepts(norm.text)) add(`c:${c}`);
  for (const cue of norm.cues) add(`cue:${cue}`);
  if (norm.exclaim >= 2) add('cue:shout');
  if (norm.exclaim >= 1) add('cue:exclaim');
  if (norm.question >= 1) add('cue:question');
  if (norm.question >= 2) add('cue:questions');
  const letters = norm.text.replace(/[^\p{L}\p{N}]/gu, '').length;
  add(letters <= 4 ? 'len:tiny' : letters <= 12 ? 'len:short' : letters <= 40 ? 'len:mid' : 'len:long');
  add(`lang:${norm.language}`);
  return unitLength(bag);
}

/** Scale to unit length so a long e-mail does not outvote a short chat line. */
function unitLength(bag: FeatureBag): FeatureBag {
  let sum = 0;
  for (const v of bag.values()) sum += v * v;
  const norm = Math.sqrt(sum) || 1;
  for (const [k, v] of bag) bag.set(k, v / norm);
  return bag;
}
