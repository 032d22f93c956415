/**
 * Template rendering: `{{name}}` substitution from JSON files under templates/. Logic-less
 * on purpose: people who are not programmers edit these files, and nothing in them can run.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { fromRoot } from '../paths.js';

export const LOCALES = ['zh-CN', 'zh-TW', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const FALLBACK: Record<Locale, Locale[]> = { 'zh-CN': ['zh-CN', 'en'], 'zh-TW': ['zh-TW', 'zh-CN', 'en'], en: ['en', 'zh-CN'] };

export type Vars = Record<string, string | number>;

export function interpolate(text: string, vars: Vars, escape: (s: string) => string = (s) => s): string {
  return text.replace(/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g, (_m, name: string) => {
    const value = vars[name];
    return value === undefined ? '' : escape(String(value));
  });
}

export class Templates {
  constructor(private readonly byLocale: Record<string, Record<string, string>>) {}

  /** Loads every `templates/<set>/<locale>.json`. */
  static load(set = 'bot', dir = fromRoot('templates', set)): Templates {
    const byLocale: Record<string, Record<string, string>> = {};
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      byLocale[basename(file, '.json')] = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as Record<string, string>;
    }
    return new Templates(byLocale);
  }

  has(id: string, locale: Locale): boolean {
    return FALLBACK[locale].some((l) => this.byLocale[l]?.[id] !== undefined);
  }

  render(id: string, locale: Locale, vars: Vars = {}): string {
    for (const l of FALLBACK[locale]) {
      const text = this.byLocale[l]?.[id];
      if (text !== undefined) return interpolate(text, vars);
    }
    throw new Error(`template '${id}' is missing for ${locale}`);
  }

  ids(locale: Locale): string[] {
    return Object.keys(this.byLocale[locale] ?? {});
  }
}

export function localeFor(language: string | null | undefined, detected: 'zh' | 'en' | undefined, fallback: Locale): Locale {
  if (language && (LOCALES as readonly string[]).includes(language)) return language as Locale;
  if (detected === 'en') return 'en';
  if (detected === 'zh') return fallback === 'zh-TW' ? 'zh-TW' : 'zh-CN';
  return fallback;
}
