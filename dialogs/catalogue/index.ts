/**
 * The product catalogue the bot recommends from, shipped as data (demo.json: a demo
 * office-furniture range). Each product carries its FAB (feature, advantage, benefit) in
 * Chinese and English, the specs an expert asks about, an assurance for a doubting customer
 * and a gift for a generous one. Read once at module load; everything after is pure lookup.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fromRoot } from '../../src/paths.js';

const Text = z.object({ zh: z.string().min(1), en: z.string() });

const CatalogueSchema = z.object({
  currency: z.literal('CNY'),
  categories: z.array(z.object({ id: z.string().min(1), name: Text, aliases: z.array(z.string().min(1)) })).min(1),
  products: z.array(z.object({
    id: z.string().min(1),
    category: z.string().min(1),
    /** Whole yuan. */
    price: z.number().int().positive(),
    aliases: z.array(z.string().min(1)).default([]),
    name: Text, unit: Text, feature: Text, advantage: Text, benefit: Text, specs: Text, assurance: Text, gift: Text,
  })).min(1),
});

export type Catalogue = z.infer<typeof CatalogueSchema>;
export type Product = Catalogue['products'][number];
export type Category = Catalogue['categories'][number];
export type Lang = 'zh' | 'en';

/** Validate a catalogue; every product must name a known category. */
export function parseCatalogue(input: unknown): Catalogue {
  const catalogue = CatalogueSchema.parse(input);
  const known = new Set(catalogue.categories.map((c) => c.id));
  for (const p of catalogue.products) {
    if (!known.has(p.category)) throw new Error(`catalogue: product ${p.id} names unknown category ${p.category}`);
  }
  return catalogue;
}

export const demoCatalogue: Catalogue = parseCatalogue(JSON.parse(readFileSync(fromRoot('dialogs', 'catalogue', 'demo.json'), 'utf8')));

/** An alias occurs in a text: Latin aliases as whole words ("e2" not inside "e25"), others as substrings. */
function matcherOf(alias: string): (text: string) => boolean {
  const a = alias.toLowerCase();
  if (!/[a-z0-9]/.test(a)) return (text) => text.includes(a);
  const escaped = a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(^|[^a-z0-9])${escaped}($|[^a-z0-9])`);
  return (text) => pattern.test(text);
}

type Matchers<T> = Array<{ item: T; matches: (text: string) => boolean }>;

/**
 * Every alias of every item, compiled once per list, longest first (a stable sort, so of two
 * aliases of one length the earlier item's wins): the first that matches is the best match,
 * so "会议桌" beats "桌". The catalogue is read once, so its lists never change.
 */
const compiled = new WeakMap<object, Matchers<unknown>>();

function bestMatch<T>(text: string, items: T[], aliasesOf: (item: T) => string[]): T | undefined {
  let matchers = compiled.get(items) as Matchers<T> | undefined;
  if (!matchers) {
    const all = items.flatMap((item) => aliasesOf(item).map((alias) => ({ item, length: alias.length, matches: matcherOf(alias) })));
    matchers = all.sort((x, y) => y.length - x.length);
    compiled.set(items, matchers);
  }
  return matchers.find((m) => m.matches(text))?.item;
}

export const productById = (c: Catalogue, id: string | null | undefined): Product | undefined =>
  id ? c.products.find((p) => p.id === id) : undefined;

export const categoryById = (c: Catalogue, id: string | null | undefined): Category | undefined =>
  id ? c.categories.find((k) => k.id === id) : undefined;

/** The product a (lower-case, Simplified) text names: by model alias or full name. */
export const findProduct = (c: Catalogue, text: string): Product | undefined =>
  bestMatch(text, c.products, (p) => [...p.aliases, p.name.zh, p.name.en]);

/** The category a text names ("升降桌", "office chair"). */
export const findCategory = (c: Catalogue, text: string): Category | undefined =>
  bestMatch(text, c.categories, (k) => [...k.aliases, k.name.zh, k.name.en]);

/** Products of a category, most capable (dearest) first: the first is the one to recommend. */
export const productsIn = (c: Catalogue, category: string): Product[] =>
  c.products.filter((p) => p.category === category).sort((a, b) => b.price - a.price);

/** The dearest product of the same category that costs less: the alternative for a bargainer. */
export const cheaperThan = (c: Catalogue, product: Product): Product | undefined =>
  productsIn(c, product.category).find((p) => p.price < product.price);

/** Prices are shown the same way in every language: ¥2,699. */
export const price = (yuan: number): string => `¥${yuan.toLocaleString('en-US')}`;
