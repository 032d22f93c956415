/**
 * Where a customer message goes in the reception flow. First as the answer to the bot's
 * pending question (`bySlot`: "2" after a choice, "好" after a restatement); if it is not
 * one, by what the customer wants (`byIntent`), which can enter the flow at any step: a
 * shipping question starts at step 7, "I'll take it" at step 5.
 */
import { productById } from '../catalogue/index.js';
import { asksAboutOwnOrder, choiceIndex, doubts, isBareChoice, isGenerous, isQuestion, objectsToPrice, orderNumber, quantity, saysGoodbye, wantsCheapest, wantsFurniture, yesNo } from '../reading.js';
import type { Turn, Ctx } from '../turn.js';
import { word } from '../words.js';
import { generous, handleObjection, twoChoices } from './objection.js';
import { applyCorrections, askContact, close, givesContact, onConfirm, restate } from './order.js';
import { askCategory, mentionIn, pickedCategory, recommend, recommendFrom, showOthers } from './recommend.js';
import { track } from './shipping.js';
import { anythingElse, fallback, faqAnswer, farewell, greet } from './talk.js';

/** The message read as the answer to the pending question, or null when it is not one. */
export function bySlot(turn: Turn, ctx: Ctx): Turn | null {
  const { ask, choices } = turn.data;
  const catalogue = ctx.policy.catalogue;
  const labelsOf = (ids: string[]) => ids.map((id) => productById(catalogue, id)?.name[ctx.lang] ?? catalogue.categories.find((c) => c.id === id)?.name[ctx.lang] ?? id);
  switch (ask) {
    case 'topic': {
      const picked = choiceIndex(ctx.text, [word('product', ctx.lang), word('track', ctx.lang)]);
      if (picked === null) return null;
      return picked === 1 ? track(turn, ctx, null) : askCategory(turn, ctx);
    }
    case 'category': {
      const category = pickedCategory(ctx, choices, choiceIndex(ctx.text, labelsOf(choices)));
      return category ? recommendFrom(turn, ctx, { ...mentionIn(ctx), category }) : null;
    }
    case 'decision': {
      const picked = choiceIndex(ctx.text, [word('buyNow', ctx.lang), word('seeOthers', ctx.lang)]);
      const mention = mentionIn(ctx);
      if (mention.product && mention.product.id !== turn.data.sale.productId) return recommend(turn, ctx, mention.product);
      if (picked === 1 || /其他|别的|其它|换一款|other|another|different/.test(ctx.text)) return showOthers(turn, ctx);
      const product = productById(catalogue, turn.data.sale.productId);
      if (product && isGenerous(ctx.text)) return generous(turn, ctx, product);
      if (objectsToPrice(ctx.text) || ctx.event.understanding.intent === 'objection') return handleObjection(turn, ctx);
      if (quantity(ctx.text) !== null) return close(turn, ctx);
      const answer = picked === 0 ? 'yes' : yesNo(ctx.text);
      if (answer === 'yes' || ctx.event.understanding.intent === 'purchase') return close(turn, ctx);
      if (answer === 'no') {
        return product ? twoChoices(turn, ctx, product) : askCategory(turn, ctx);
      }
      return null;
    }
    case 'product': {
      const picked = choiceIndex(ctx.text, labelsOf(choices));
      const named = mentionIn(ctx).product;
      const id = picked !== null ? choices[picked] : named && choices.includes(named.id) ? named.id : undefined;
      const product = productById(catalogue, id);
      // "2" picked the second product (not two of it); "K3，两把" also says how many.
      if (product) return close(turn, ctx, product, !isBareChoice(ctx.text));
      return objectsToPrice(ctx.text) ? handleObjection(turn, ctx) : null;
    }
    case 'quantity': {
      const index = choices.length > 0 ? choiceIndex(ctx.text, choices) : null;
      const count = quantity(ctx.text) ?? (index !== null ? Number(choices[index]) : null);
      if (count === null) return null;
      return askContact({ ...turn, data: { ...turn.data, sale: { ...turn.data.sale, quantity: count } } }, ctx);
    }
    case 'contact': {
      if (givesContact(turn.data, ctx)) return askContact(turn, ctx);
      const count = quantity(ctx.text);
      return count === null ? null : askContact({ ...turn, data: { ...turn.data, sale: { ...turn.data.sale, quantity: count } } }, ctx);
    }
    case 'confirm':
      return onConfirm(turn, ctx);
    case 'change': {
      const corrected = applyCorrections(turn.data, ctx);
      return corrected ? restate({ ...turn, data: corrected }, ctx) : null;
    }
    case 'order_no': {
      const orderNo = orderNumber(ctx.raw) ?? (/^[a-z0-9-]{6,30}$/i.test(ctx.raw.trim()) && /\d/.test(ctx.raw) ? ctx.raw.trim().toUpperCase() : null);
      return orderNo ? track(turn, ctx, orderNo) : null;
    }
    case 'anything_else': {
      const answer = yesNo(ctx.text);
      if (answer === 'no' || saysGoodbye(ctx.text)) return farewell(turn, ctx);
      return null;
    }
    default:
      return null;
  }
}

/**
 * A question the knowledge base answers ("满多少包邮", "怎么付款"), whatever the NLU calls
 * it (objection, purchase...), and whatever the bot was waiting for: answered, and the
 * pending question stays. Not when it is about the product on the table (a price objection,
 * a doubt), a category, a particular order, or a complaint.
 */
export function byFaq(turn: Turn, ctx: Ctx): { turn: Turn; question: string | null } | null {
  const { faq, understanding: { intent } } = ctx.event;
  if (!faq || !isQuestion(ctx.text) || intent === 'complaint' || intent === 'human') return null;
  if (turn.data.sale.productId && (objectsToPrice(ctx.text) || doubts(ctx.text) || isGenerous(ctx.text))) return null;
  if (mentionIn(ctx).category || orderNumber(ctx.raw) || wantsCheapest(ctx.text)) return null;
  if (intent === 'shipping' && asksAboutOwnOrder(ctx.text)) return null;
  return { turn: faqAnswer(turn, ctx), question: questionKeyOf(ctx) };
}

/** A question the customer asked (for "the same question twice"): the FAQ entry, else the text. */
const questionKeyOf = (ctx: Ctx): string | null => {
  if (ctx.event.faq) return `faq:${ctx.event.faq.id}`;
  const key = ctx.text.replace(/[\s\p{P}\p{S}]+/gu, '');
  return Array.from(key).length >= 4 ? key : null;
};

/** Route by intent; returns the turn and, when it answered a question, that question's key. */
export function byIntent(turn: Turn, ctx: Ctx): { turn: Turn; question: string | null } {
  const { intent, confidence } = ctx.event.understanding;
  const mention = mentionIn(ctx);
  const orderNo = orderNumber(ctx.raw);
  const faq = ctx.event.faq;
  const current = productById(ctx.policy.catalogue, turn.data.sale.productId);
  const answered = (t: Turn) => ({ turn: t, question: questionKeyOf(ctx) });
  const done = (t: Turn) => ({ turn: t, question: null });

  // Little evidence either way: say so rather than guess (two such turns bring a person).
  const furnishing = wantsFurniture(ctx.text);
  const concrete = Boolean(mention.category || orderNo || faq || furnishing);
  if (confidence < ctx.policy.lowConfidence && !concrete && intent !== 'greeting' && intent !== 'farewell') return answered(fallback(turn, ctx));

  if (isGenerous(ctx.text) && (mention.product ?? current)) {
    return done(generous(turn, ctx, (mention.product ?? current)!));
  }
  // The NLU may read "还是太贵了，最低多少" as a product question; with a product on the table it is an objection.
  if (current && objectsToPrice(ctx.text) && !['purchase', 'complaint', 'shipping'].includes(intent)) return done(handleObjection(turn, ctx));
  switch (intent) {
    case 'greeting':
      return faq && Array.from(ctx.text).length > 6 ? answered(faqAnswer(turn, ctx)) : done(greet(turn, ctx));
    case 'product_inquiry':
      if (faq && (isQuestion(ctx.text) || !mention.category)) return answered(faqAnswer(turn, ctx));
      return mention.category ? done(recommendFrom(turn, ctx, mention)) : done(askCategory(turn, ctx));
    case 'human': // unsure (escalate() trusts it only when sure): read the message for what it says
      if (furnishing) return done(askCategory(turn, ctx));
      return faq ? answered(faqAnswer(turn, ctx)) : answered(fallback(turn, ctx));
    case 'recommendation':
      return done(recommendFrom(turn, ctx, mention));
    case 'objection':
      return done(handleObjection(mention.product ? { ...turn, data: { ...turn.data, sale: { ...turn.data.sale, productId: mention.product.id, category: mention.product.category } } } : turn, ctx));
    case 'purchase':
      if (mention.product || (current && !mention.category) || (current && mention.category === current.category)) return done(close(turn, ctx, mention.product ?? current));
      return done(recommendFrom(turn, ctx, mention));
    case 'order_confirm':
      if (current && givesContact(turn.data, ctx)) return done(askContact(turn, ctx));
      if (current && quantity(ctx.text) !== null) return done(close(turn, ctx));
      return faq ? answered(faqAnswer(turn, ctx)) : answered(fallback(turn, ctx));
    case 'shipping':
      if (orderNo || asksAboutOwnOrder(ctx.text) || !faq) return done(track(turn, ctx, orderNo));
      return answered(faqAnswer(turn, ctx));
    case 'farewell':
      return done(saysGoodbye(ctx.text) || turn.step === 'order' || turn.step === 'follow_up' ? farewell(turn, ctx) : anythingElse(turn, ctx));
    case 'after_sales':
    case 'other':
    default:
      if (faq) return answered(faqAnswer(turn, ctx));
      if (orderNo) return done(track(turn, ctx, orderNo));
      if (mention.category) return done(recommendFrom(turn, ctx, mention));
      if (furnishing) return done(askCategory(turn, ctx));
      return answered(fallback(turn, ctx));
  }
}
