/**
 * Reception step 4: objections (domain.md §2). By price attitude: a generous customer is
 * thanked and told about the gift; one testing for a discount hears, firmly but warmly, that
 * the price is fair and what it buys; one who insists keeps the same price (the same for
 * everyone: no 看麻衣相) and is offered a cheaper product from the catalogue. A doubt is
 * answered with facts (warranty, test reports); indecision with two choices (二选一).
 */
import { cheaperThan, price, productById, type Product } from '../catalogue/index.js';
import { doubts } from '../reading.js';
import { reply } from '../templates.js';
import { extend, rest, type Ctx, type Turn } from '../turn.js';
import { word } from '../words.js';
import { alternativeTo, askCategory } from './recommend.js';

const PRICE = /便宜|贵|优惠|打折|折扣|价|少点|让利|活动|抹零|砍|discount|expensive|price|cheaper|deal|coupon|pricey|costly|too much|off\b/;

export type ObjectionKind = 'price' | 'doubt' | 'undecided';

export function objectionKind(ctx: Ctx): ObjectionKind {
  if (PRICE.test(ctx.text)) return 'price';
  if (doubts(ctx.text)) return 'doubt';
  return 'undecided';
}

const decisionChoices = (ctx: Ctx) => [word('buyNow', ctx.lang), word('seeOthers', ctx.lang)];

/** Step 4 for the product being discussed (with no product yet, a price remark leads to the range). */
export function handleObjection(turn: Turn, ctx: Ctx): Turn {
  const product = productById(ctx.policy.catalogue, turn.data.sale.productId);
  const kind = objectionKind(ctx);
  if (!product) {
    if (kind !== 'price') return askCategory(turn, ctx);
    // The price is the same for everyone; what fits the budget is a question of which product.
    const labels = ctx.policy.catalogue.categories.map((c) => c.name[ctx.lang]);
    return { ...askCategory(turn, ctx), actions: [...turn.actions, reply('objection.general', undefined, labels)] };
  }
  if (kind === 'price') return priceObjection(turn, ctx, product);
  const L = ctx.lang;
  if (kind === 'doubt') {
    const data = { ...turn.data, ask: 'decision' as const, choices: ['buy', 'others'] };
    return extend(rest('reception', 'objection', data, turn.actions), [
      reply('objection.doubt', { name: product.name[L], assurance: product.assurance[L] }, decisionChoices(ctx)),
    ]);
  }
  return twoChoices(turn, ctx, product);
}

/** 二选一: this one now, or the other one. */
export function twoChoices(turn: Turn, ctx: Ctx, product: Product): Turn {
  const L = ctx.lang;
  const alt = alternativeTo(product, ctx);
  if (!alt) {
    const data = { ...turn.data, ask: 'decision' as const, choices: ['buy', 'others'] };
    return extend(rest('reception', 'objection', data, turn.actions), [
      reply('objection.doubt', { name: product.name[L], assurance: product.assurance[L] }, decisionChoices(ctx)),
    ]);
  }
  const data = { ...turn.data, ask: 'product' as const, choices: [product.id, alt.id] };
  return extend(rest('reception', 'objection', data, turn.actions), [
    reply('objection.undecided', { name: product.name[L], altName: alt.name[L] }, [product.name[L], alt.name[L]]),
  ]);
}

function priceObjection(turn: Turn, ctx: Ctx, product: Product): Turn {
  const L = ctx.lang;
  const objections = turn.data.signals.priceObjections + 1;
  const insisting = turn.data.profile.price === 'insisting' || objections >= 2;
  const profile = { ...turn.data.profile, price: insisting ? 'insisting' as const : 'testing' as const };
  const base = { ...turn.data, profile, signals: { ...turn.data.signals, priceObjections: objections } };
  if (!insisting) {
    return extend(rest('reception', 'objection', { ...base, ask: 'decision', choices: ['buy', 'others'] }, turn.actions), [
      reply('objection.testing', { name: product.name[L], price: price(product.price), benefit: product.benefit[L] }, decisionChoices(ctx)),
    ]);
  }
  const alt = cheaperThan(ctx.policy.catalogue, product);
  if (!alt) {
    return extend(rest('reception', 'objection', { ...base, ask: 'decision', choices: ['buy', 'others'] }, turn.actions), [
      reply('objection.insisting.lowest', { name: product.name[L], price: price(product.price), benefit: product.benefit[L] }, decisionChoices(ctx)),
    ]);
  }
  return extend(rest('reception', 'objection', { ...base, ask: 'product', choices: [product.id, alt.id] }, turn.actions), [
    reply('objection.insisting', { name: product.name[L], altName: alt.name[L], altPrice: price(alt.price), altBenefit: alt.benefit[L] }, [product.name[L], alt.name[L]]),
  ]);
}

/** A generous customer ("贵点没关系"): thank them, and mention the gift that comes with the product. */
export function generous(turn: Turn, ctx: Ctx, product: Product): Turn {
  const L = ctx.lang;
  const data = { ...turn.data, sale: { ...turn.data.sale, category: product.category, productId: product.id }, ask: 'decision' as const, choices: ['buy', 'others'] };
  return extend(rest('reception', 'objection', data, turn.actions), [
    reply('objection.generous', { name: product.name[L], gift: product.gift[L] }, decisionChoices(ctx)),
  ]);
}
