import type { ChannelCapabilities } from './types.js';

/**
 * Make a reply fit a channel before it is queued: choices the channel cannot show become a
 * numbered list, and text over the length limit is split at the last sentence or line end
 * that fits (never inside a surrogate pair), so the platform never rejects it for length.
 */
export function fitToChannel(text: string, choices: string[] | undefined, caps: ChannelCapabilities): Array<{ text: string; choices?: string[] }> {
  let body = text;
  let keepChoices: string[] | undefined;
  if (choices && choices.length > 0) {
    if (caps.choices) keepChoices = choices;
    else body = `${text}\n${choices.map((c, i) => `${i + 1}. ${c}`).join('\n')}`;
  }
  const parts = splitText(body, caps.maxTextLength);
  return parts.map((part, i) => (i === parts.length - 1 && keepChoices ? { text: part, choices: keepChoices } : { text: part }));
}

const BREAKS = ['\n', '。', '！', '？', '. ', '! ', '? ', '；', '，', ', ', ' '];

export function splitText(text: string, max: number): string[] {
  const chars = Array.from(text);
  if (chars.length <= max) return [text];
  const parts: string[] = [];
  let rest = chars;
  while (rest.length > max) {
    const window = rest.slice(0, max).join('');
    let cut = -1;
    for (const mark of BREAKS) {
      const at = window.lastIndexOf(mark);
      // Only break in the second half, or parts get uselessly short.
      if (at >= window.length / 2) {
        cut = Array.from(window.slice(0, at + mark.length)).length;
        break;
      }
    }
    if (cut <= 0) cut = max;
    parts.push(rest.slice(0, cut).join('').trimEnd());
    rest = rest.slice(cut);
    while (rest[0] === ' ' || rest[0] === '\n') rest = rest.slice(1);
  }
  if (rest.length > 0) parts.push(rest.join(''));
  return parts;
}
