/**
 * The dialog engine: one pure `Dialog` over versioned state. Per customer message:
 *   load (migrate) -> observe the customer -> escalate (critical, a person asked for, VIP)
 *   -> the complaint in progress -> a new complaint -> rising frustration
 *   -> a question the FAQ answers -> the answer to the bot's pending question (slot)
 *   -> routing by intent (any step)
 *   -> hand-over checks (not understood twice, same question twice) -> save.
 * Runtime events (`subscribe`, `friend_added`, `idle`, `no_agent`) and effect results have their own paths.
 */
import type { DialogState } from '../src/contract.js';
import { critical, listen, openComplaint } from './complaint/open.js';
import { leaves, propose } from './complaint/resolve.js';
import { afterTurn, askedTemplate, handOver } from './handoff.js';
import { DEFAULT_POLICY, parsePolicy, type DialogPolicy, type PolicyInput } from './policy.js';
import { observe, toneOf } from './profile.js';
import { asksForPerson, saysGoodbye } from './reading.js';
import { onPlaced } from './reception/order.js';
import { askCategory } from './reception/recommend.js';
import { byFaq, byIntent, bySlot } from './reception/router.js';
import { onShipping } from './reception/shipping.js';
import { load, save } from './state.js';
import { reply } from './templates.js';
import { extend, rest, type Ctx, type Turn } from './turn.js';
import type { Dialog, DialogEvent } from './types.js';
import { word } from './words.js';

export { ENGINE_VERSION } from './state.js';

/** Build the engine with a policy (the bot's authority and hand-over rules); defaults when omitted. */
export function createDialog(policy: PolicyInput | DialogPolicy = DEFAULT_POLICY): Dialog {
  const resolved = 'catalogue' in policy ? policy : parsePolicy(policy);
  return (state, event) => {
    const loaded = load(state);
    const turn = decide(rest(loaded.flow, loaded.step, loaded.data, []), event, resolved);
    return { state: save(turn.flow, turn.step, turn.data), actions: turn.actions };
  };
}

/** The engine with the default policy and the demo catalogue. */
export const engine: Dialog = createDialog();

/** The conversation's language as the dialog knows it (sticky across "1", "ok"...): for the runtime's locale choice. */
export function dialogLanguage(state: DialogState | null): 'zh' | 'en' | null {
  const lang = state?.data.lang;
  return lang === 'zh' || lang === 'en' ? lang : null;
}

function contextOf(turn: Turn, event: DialogEvent, policy: DialogPolicy): Ctx {
  return {
    event, policy,
    text: (event.understanding.normalized ?? event.text).toLowerCase(),
    raw: event.text,
    lang: turn.data.lang ?? event.understanding.language,
    tone: toneOf(turn.data.profile),
  };
}

function decide(turn: Turn, event: DialogEvent, policy: DialogPolicy): Turn {
  if (event.kind === 'result') return onResult(turn, contextOf(turn, event, policy));
  if (event.kind === 'event') return onEvent(turn, contextOf(turn, event, policy));
  // A customer message reaching the dialog means the bot has the conversation (again).
  const observed = observe({ ...turn.data, handover: null, signals: { ...turn.data.signals, idle: 0 } }, event);
  const here = { ...turn, data: observed };
  const ctx = contextOf(here, event, policy);
  return escalate(here, ctx) ?? converse(here, ctx);
}

/** Reasons to leave any flow at once. */
function escalate(turn: Turn, ctx: Ctx): Turn | null {
  const { intent, grade, confidence } = ctx.event.understanding;
  if (grade.severity === 'critical') return critical(turn, ctx);
  // The words say so ("转人工" inside a complaint too), or the NLU is sure: it once read "收货人李四" as human at 0.57.
  if (asksForPerson(ctx.text) || (intent === 'human' && confidence >= 0.9)) {
    return handOver(turn, ctx, 'asked', askedTemplate(turn));
  }
  if (ctx.event.customer.tier === 'vip' && ctx.policy.vip === 'always' && !turn.data.vipHandled) {
    return handOver({ ...turn, data: { ...turn.data, vipHandled: true } }, ctx, 'vip', 'handoff.vip');
  }
  return null;
}

function converse(turn: Turn, ctx: Ctx): Turn {
  const { intent, grade } = ctx.event.understanding;
  const c = turn.data.complaint;
  const inComplaint = turn.flow === 'complaint' && c !== null && !c.closed;
  const complains = intent === 'complaint' || grade.severity !== 'none';
  if (!inComplaint && complains) {
    // "地址错了，改成…" while confirming an order is a correction, even if it reads a little like a complaint.
    const mild = grade.severity !== 'serious' && ctx.event.understanding.confidence < 0.8;
    const answered = mild && turn.data.ask ? bySlot(turn, ctx) : null;
    return answered ? afterTurn(answered, ctx, null) : openComplaint(turn, ctx);
  }
  // Rising frustration: the bot is not helping. (Not on the message that opens a complaint: soothing comes first.)
  if (turn.data.signals.frustration >= ctx.policy.frustrationLimit) {
    return handOver({ ...turn, data: { ...turn.data, signals: { ...turn.data.signals, frustration: 0 } } }, ctx, 'frustration', 'handoff.frustration');
  }
  if (inComplaint) {
    if (intent === 'farewell' && saysGoodbye(ctx.text) && turn.step === 'listen') return leaves(turn, ctx);
    return afterTurn(turn.step === 'propose' ? propose(turn, ctx) : listen(turn, ctx), ctx, null);
  }
  const known = byFaq(turn, ctx);
  if (known) return afterTurn(known.turn, ctx, known.question);
  const slot = bySlot(turn, ctx);
  if (slot) return afterTurn(slot, ctx, null);
  const routed = byIntent(turn, ctx);
  return afterTurn(routed.turn, ctx, routed.question);
}

/** Platform and runtime events: a new follower or friend, a customer gone quiet, no agent to take over. */
function onEvent(turn: Turn, ctx: Ctx): Turn {
  switch (ctx.event.event) {
    case 'subscribe':
    case 'friend_added': {
      // A bot account (Wechaty) accepted the customer's friend request: "thank you for following" would be the wrong words.
      const welcome = ctx.event.event === 'friend_added' ? reply('event_friend_added') : reply('event_subscribe');
      return extend(rest('reception', 'greet', { ...turn.data, greeted: true }, turn.actions), [welcome]);
    }
    case 'idle':
      return onIdle(turn, ctx);
    case 'no_agent': {
      // The hand-over timed out: say so honestly, take the details, promise only the follow-up that is scheduled.
      const hours = Math.max(1, Math.round(ctx.policy.followUpMs.general / 3_600_000));
      return extend({ ...turn, data: { ...turn.data, handover: null } }, [
        reply('no_agent', { hours }),
        { type: 'schedule_follow_up', afterMs: ctx.policy.followUpMs.general, note: 'no agent was available: call the customer back' },
      ]);
    }
    default:
      return turn;
  }
}

/**
 * A silent customer (domain.md §2): first an open question, then a choice question, then a
 * polite goodbye. Nothing while a person has the conversation or after goodbye.
 */
function onIdle(turn: Turn, ctx: Ctx): Turn {
  const data = turn.data;
  if (data.handover || data.pending || (turn.step === 'farewell' && data.ask === null) || !data.greeted) return turn;
  const idle = data.signals.idle + 1;
  const profile = { ...data.profile, style: data.profile.style === 'unknown' ? 'silent' as const : data.profile.style };
  const next = { ...turn, data: { ...data, profile, signals: { ...data.signals, idle } } };
  const complaining = turn.flow === 'complaint' && data.complaint !== null && !data.complaint.closed;
  if (idle > ctx.policy.idleNudges && complaining) return leaves(next, ctx);
  if (complaining) return extend(next, [reply('idle.open')]);
  if (idle > ctx.policy.idleNudges) {
    return extend(rest('reception', 'farewell', { ...next.data, ask: null, choices: [] }, turn.actions), [reply('idle.farewell')]);
  }
  if (idle === 1 && ctx.policy.idleNudges > 1) return extend(next, [reply('idle.open')]);
  if (data.sale.productId && turn.flow === 'reception') {
    return extend({ ...next, data: { ...next.data, ask: 'decision', choices: ['buy', 'others'] } }, [
      reply('idle.choice', undefined, [word('buyNow', ctx.lang), word('seeOthers', ctx.lang)]),
    ]);
  }
  const asked = askCategory(next, { ...ctx, tone: 'choice' });
  return { ...asked, flow: turn.flow, step: turn.step };
}

/** The outcome of an effect the dialog asked for. */
function onResult(turn: Turn, ctx: Ctx): Turn {
  const result = ctx.event.result;
  if (!result) return turn;
  if (result.action === 'place_order') return onPlaced(turn, ctx, result.outcome);
  return onShipping(turn, ctx, result.orderNo, result.outcome);
}
