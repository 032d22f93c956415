/**
 * Reception steps 2-3: take the inquiry (which kind of furniture?), then recommend a
 * product in FAB form (feature, advantage, benefit), worded for the customer: a friend's
 * explanation by default, specs for an expert, one line for a talkative customer, two
 * products to choose between for an indecisive one, choice questions for a silent one.
 */
import { categoryById, findCategory, findProduct, price, productById, productsIn, type Product } from '../catalogue/index.js';
import { wantsCheapest } from '../reading.js';
import { reply, variant } from '../templates.js';
import { extend, rest, type Ctx, type Turn } from '../turn.js';
import { word } from '../words.js';

export interface Mention {
  product?: Product;
  category?: string;
}

/** What a message names from the catalogue: a model, or at least a category. */
export function mentionIn(ctx: Ctx): Mention {
  const product = findProduct(ctx.policy.catalogue, ctx.text);
  const category = product?.category ?? findCategory(ctx.policy.catalogue, ctx.text)?.id;
  return { ...(product ? { product } : {}), ...(category ? { category } : {}) };
}

/** Step 2: ask what they are looking for. Open question by default, a choice for a silent or indecisive customer. */
export function askCategory(turn: Turn, ctx: Ctx): Turn {
  const categories = ctx.policy.catalogue.categories;
  const labels = categories.map((c) => c.name[ctx.lang]);
  const template = ctx.tone === 'two' ? 'inquiry.ask.choice' : variant('inquiry.ask', ctx.tone);
  const data = { ...turn.data, greeted: true, ask: 'category' as const, choices: categories.map((c) => c.id) };
  return extend(rest('reception', 'inquiry', data, turn.actions), [reply(template, undefined, labels)]);
}

/** Another product of the category for comparison: the cheaper one, else the dearer one. */
export function alternativeTo(product: Product, ctx: Ctx): Product | undefined {
  const others = productsIn(ctx.policy.catalogue, product.category).filter((p) => p.id !== product.id);
  return others.find((p) => p.price < product.price) ?? others[0];
}

/** Step 3: the FAB of one product (two for an indecisive customer), then a question that moves towards the sale. */
export function recommend(turn: Turn, ctx: Ctx, product: Product): Turn {
  const L = ctx.lang;
  const sale = { ...turn.data.sale, category: product.category, productId: product.id };
  const base = { name: product.name[L], price: price(product.price) };
  const alt = ctx.tone === 'two' ? alternativeTo(product, ctx) : undefined;
  if (alt) {
    const data = { ...turn.data, greeted: true, sale, ask: 'product' as const, choices: [product.id, alt.id] };
    return extend(rest('reception', 'recommend', data, turn.actions), [reply('recommend.fab.two', {
      ...base, benefit: product.benefit[L], altName: alt.name[L], altPrice: price(alt.price), altBenefit: alt.benefit[L],
    }, [product.name[L], alt.name[L]])]);
  }
  const vars = ctx.tone === 'peer' ? { ...base, specs: product.specs[L] }
    : ctx.tone === 'brief' ? { ...base, benefit: product.benefit[L] }
    : { ...base, feature: product.feature[L], advantage: product.advantage[L], benefit: product.benefit[L] };
  const data = { ...turn.data, greeted: true, sale, ask: 'decision' as const, choices: ['buy', 'others'] };
  return extend(rest('reception', 'recommend', data, turn.actions), [
    reply(variant('recommend.fab', ctx.tone), vars, [word('buyNow', L), word('seeOthers', L)]),
  ]);
}

/** Recommend from what is known: the model named, else the category's best (or cheapest, when asked), else ask. */
export function recommendFrom(turn: Turn, ctx: Ctx, mention: Mention): Turn {
  if (mention.product) return recommend(turn, ctx, mention.product);
  const category = mention.category ?? turn.data.sale.category;
  const range = category ? productsIn(ctx.policy.catalogue, category) : [];
  const pick = wantsCheapest(ctx.text) ? range[range.length - 1] : range[0];
  return pick ? recommend(turn, ctx, pick) : askCategory(turn, ctx);
}

/** "看看其他款": the next product of the same category, or the other categories. */
export function showOthers(turn: Turn, ctx: Ctx): Turn {
  const current = productById(ctx.policy.catalogue, turn.data.sale.productId);
  const range = current ? productsIn(ctx.policy.catalogue, current.category) : [];
  const next = current ? range[(range.findIndex((p) => p.id === current.id) + 1) % range.length] : undefined;
  if (next && next.id !== current?.id) return recommend(turn, ctx, next);
  return askCategory(turn, ctx);
}

/** The category picked from the choices offered (by number or by name). */
export function pickedCategory(ctx: Ctx, offered: string[], index: number | null): string | undefined {
  if (index !== null) return offered[index];
  return findCategory(ctx.policy.catalogue, ctx.text)?.id ?? (categoryById(ctx.policy.catalogue, ctx.text)?.id);
}
