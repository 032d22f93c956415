/**
 * Reception steps 5-7: close (how many, where to), confirm by restating the facts (复述),
 * place the order. Placing is an effect: the bot returns `place_order` and the runtime's
 * OrderProvider answers with a `result` event, handled by `onPlaced`.
 */
import { price, productById, type Product } from '../catalogue/index.js';
import type { OrderDraft, Outcome, PlacedOrder } from '../orders.js';
import { handOver } from '../handoff.js';
import { choiceIndex, contactFacts, quantity, yesNo } from '../reading.js';
import type { EngineData } from '../state.js';
import { reply } from '../templates.js';
import { extend, rest, type Ctx, type Turn } from '../turn.js';
import { listOf, word, type Word } from '../words.js';
import { askCategory } from './recommend.js';

/** Step 5: the customer wants it. Ask how many, then where to send it. */
export function close(turn: Turn, ctx: Ctx, product?: Product, readQuantity = true): Turn {
  const chosen = product ?? productById(ctx.policy.catalogue, turn.data.sale.productId);
  if (!chosen) return askCategory(turn, ctx);
  const said = readQuantity ? quantity(ctx.text) : null;
  const sale = { ...turn.data.sale, category: chosen.category, productId: chosen.id, quantity: said ?? turn.data.sale.quantity };
  const data: EngineData = { ...turn.data, greeted: true, sale };
  // Contact details are personal: on a public channel (a Weibo post) they are asked in private.
  if (ctx.event.public) return extend(rest('reception', 'close', { ...data, ask: null, choices: [] }, turn.actions), [reply('close.private')]);
  if (sale.quantity === null) {
    const L = ctx.lang;
    const vars = { name: chosen.name[L], unit: chosen.unit[L] };
    if (ctx.tone === 'two') {
      const options = L === 'zh' ? [`1${chosen.unit.zh}`, `2${chosen.unit.zh}`] : ['1', '2'];
      return extend(rest('reception', 'close', { ...data, ask: 'quantity', choices: ['1', '2'] }, turn.actions), [reply('close.quantity.two', vars, options)]);
    }
    return extend(rest('reception', 'close', { ...data, ask: 'quantity', choices: [] }, turn.actions), [reply('close.quantity', vars)]);
  }
  return askContact({ ...turn, data }, ctx);
}

const MISSING: Array<[keyof EngineData['sale']['contact'], Word]> = [['name', 'name'], ['phone', 'phone'], ['address', 'address']];

/** Step 5, continued: name, phone and address, asking only for what is still missing. */
export function askContact(turn: Turn, ctx: Ctx): Turn {
  // Only a message that gives contact details is read for them ("两张" is not a name).
  const given = givesContact(turn.data, ctx) ? definedOnly(contactFacts(ctx.raw)) : {};
  const contact = { ...turn.data.sale.contact, ...given };
  const data: EngineData = { ...turn.data, sale: { ...turn.data.sale, contact } };
  const missing = MISSING.filter(([key]) => !contact[key]).map(([, w]) => word(w, ctx.lang));
  if (missing.length === 0) return restate({ ...turn, data }, ctx);
  const product = productById(ctx.policy.catalogue, data.sale.productId)!;
  const here = rest('reception', 'close', { ...data, ask: 'contact', choices: [] }, turn.actions);
  if (missing.length === MISSING.length) {
    return extend(here, [reply('close.contact', { name: product.name[ctx.lang], quantity: data.sale.quantity ?? 1, unit: product.unit[ctx.lang] })]);
  }
  return extend(here, [reply('close.contact.missing', { missing: listOf(missing, ctx.lang, 'and') })]);
}

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;

export function draftOf(data: EngineData, ctx: Ctx): OrderDraft | null {
  const product = productById(ctx.policy.catalogue, data.sale.productId);
  const { name, phone, address } = data.sale.contact;
  if (!product || !data.sale.quantity || !name || !phone || !address) return null;
  const lines = [{ productId: product.id, name: product.name[ctx.lang], quantity: data.sale.quantity, unitPrice: product.price }];
  return { lines, contact: { name, phone, address }, total: product.price * data.sale.quantity, currency: 'CNY' };
}

/** Step 6: restate every fact of the order (复述) and ask for a confirmation. */
export function restate(turn: Turn, ctx: Ctx): Turn {
  const draft = draftOf(turn.data, ctx);
  if (!draft) return askContact(turn, ctx);
  const product = productById(ctx.policy.catalogue, turn.data.sale.productId)!;
  const line = draft.lines[0]!;
  const data = { ...turn.data, ask: 'confirm' as const, choices: ['confirm', 'change'] };
  return extend(rest('reception', 'confirm', data, turn.actions), [reply('confirm.restate', {
    name: line.name, quantity: line.quantity, unit: product.unit[ctx.lang], price: price(line.unitPrice), total: price(draft.total),
    contactName: draft.contact.name, phone: draft.contact.phone, address: draft.contact.address,
  }, [word('confirm', ctx.lang), word('change', ctx.lang)])]);
}

/** Step 6, the answer: yes places the order; a correction is applied and restated; "change" asks what. */
export function onConfirm(turn: Turn, ctx: Ctx): Turn | null {
  // "1" / "2" pick a button (确认 / 修改): read before "2" could be taken for a quantity.
  const button = choiceIndex(ctx.text, [word('confirm', ctx.lang), word('change', ctx.lang)]);
  const corrected = button === null ? applyCorrections(turn.data, ctx) : null;
  if (corrected) return restate({ ...turn, data: corrected }, ctx);
  const picked = button === 0 ? 'yes' : button === 1 ? 'no' : yesNo(ctx.text);
  if (picked === 'yes') return place(turn, ctx);
  if (picked === 'no') {
    return extend(rest('reception', 'confirm', { ...turn.data, ask: 'change', choices: [] }, turn.actions), [reply('confirm.change')]);
  }
  return null;
}

/** New facts in a message ("地址改成…", "要两张"): the data with them, or null when there are none. */
export function applyCorrections(data: EngineData, ctx: Ctx): EngineData | null {
  const facts = definedOnly(contactFacts(ctx.raw));
  const count = quantity(ctx.text);
  const nameOnly = Object.keys(facts).length === 1 && facts.name !== undefined && !/收货人|联系人|姓名|名字|name/.test(ctx.text);
  if ((Object.keys(facts).length === 0 || nameOnly) && count === null) return null;
  return {
    ...data,
    sale: { ...data.sale, quantity: count ?? data.sale.quantity, contact: { ...data.sale.contact, ...(nameOnly ? {} : facts) } },
  };
}

/** Step 7: the order goes to the shop (an effect; `onPlaced` reads the answer). */
export function place(turn: Turn, ctx: Ctx): Turn {
  const draft = draftOf(turn.data, ctx);
  if (!draft) return askContact(turn, ctx);
  return extend(rest('reception', 'order', { ...turn.data, ask: null, choices: [], pending: 'place_order' }, turn.actions), [
    { type: 'place_order', order: draft },
  ]);
}

export function onPlaced(turn: Turn, ctx: Ctx, outcome: Outcome<PlacedOrder>): Turn {
  const data = { ...turn.data, pending: null };
  if (outcome.ok) {
    const { orderNo, total, shipWithinDays } = outcome.value;
    return extend(rest('reception', 'order', { ...data, sale: { ...data.sale, orderNo }, ask: 'anything_else', choices: [] }, turn.actions), [
      reply('order.placed', { orderNo, total: price(total), shipDays: shipWithinDays }),
    ]);
  }
  // The shop could not be reached: the confirmed draft is kept, "确认" tries again.
  if (outcome.error === 'unavailable') {
    return extend(rest('reception', 'confirm', { ...data, ask: 'confirm', choices: ['confirm', 'change'] }, turn.actions), [reply('order.unavailable')]);
  }
  // Refused (price changed, out of stock...): a person sorts it out with the customer.
  return handOver(rest('reception', 'order', data, turn.actions), ctx, 'order_rejected', 'order.rejected');
}

/** Whether a message is (part of) the contact details asked for, rather than a question in between. */
export function givesContact(data: EngineData, ctx: Ctx): boolean {
  const facts = contactFacts(ctx.raw);
  if (facts.phone || facts.address) return true;
  if (!facts.name) return false;
  const known = data.sale.contact;
  return /收货人|联系人|姓名|名字|我叫|name/.test(ctx.text) || (Boolean(known.phone) && Boolean(known.address));
}
