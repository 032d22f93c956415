/**
 * Reception steps 1 and 8, and the small talk around the steps: greet, answer from the
 * FAQ, say goodbye, ask whether there is anything else, and admit (without pretending) that
 * a message was not understood.
 */
import { reply } from '../templates.js';
import { extend, rest, type Ctx, type Turn } from '../turn.js';
import { word } from '../words.js';

/** Step 1: 进门问好. */
export function greet(turn: Turn, _ctx: Ctx): Turn {
  return extend(rest('reception', 'greet', { ...turn.data, greeted: true, ask: null, choices: [] }, turn.actions), [reply('greeting')]);
}

/** An answer from the knowledge base; the step and the pending question stay as they were. */
export function faqAnswer(turn: Turn, ctx: Ctx): Turn {
  const answer = ctx.event.faq!.answer;
  const template = turn.data.greeted ? 'faq_answer' : 'greeting_faq_answer';
  return extend({ ...turn, data: { ...turn.data, greeted: true } }, [reply(template, { answer })]);
}

/** Step 8: 礼貌告别. */
export function farewell(turn: Turn, _ctx: Ctx): Turn {
  return extend(rest('reception', 'farewell', { ...turn.data, ask: null, choices: [] }, turn.actions), [reply('farewell')]);
}

/** "好的" with nothing pending: anything else we can do? */
export function anythingElse(turn: Turn, _ctx: Ctx): Turn {
  return extend({ ...turn, data: { ...turn.data, greeted: true, ask: 'anything_else', choices: [] } }, [reply('anything_else')]);
}

/** Not understood: invite the customer to say more (a silent customer gets choices), never a made-up answer. */
export function fallback(turn: Turn, ctx: Ctx): Turn {
  const silent = ctx.tone === 'choice';
  const choices = silent ? [word('product', ctx.lang), word('track', ctx.lang)] : undefined;
  const data = { ...turn.data, greeted: true, ...(silent ? { ask: 'topic' as const, choices: ['product', 'track'] } : {}) };
  return { ...extend({ ...turn, data }, [reply(silent ? 'fallback.choice' : 'fallback', undefined, choices)]), understood: false };
}
