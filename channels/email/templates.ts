/**
 * Mail templates from templates/email/<locale>/: `<name>.txt` and `<name>.html`, wrapped in
 * `layout.txt` / `layout.html`, short phrases in `strings.json`. Logic-less `{{var}}` (the
 * same `interpolate` as the bot's templates): nothing in a template can run. In HTML every
 * value is escaped and its line breaks become <br>; only `content` and `logo`, which this file
 * builds itself, are inserted as HTML.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../../src/paths.js';
import { interpolate, type Locale } from '../../src/templates/index.js';
import { REPLY_ABOVE } from './strip.js';

export type MailTemplate = 'acknowledgement' | 'faq-answer' | 'agent-reply';
export type MailLocale = 'zh-CN' | 'en';

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const htmlValue = (s: string): string => escapeHtml(s).replace(/\r?\n/g, '<br>\n');

export interface Brand { name: string; signature: string; logoUrl?: string }

export class MailTemplates {
  private constructor(private readonly files: Record<string, Record<string, string>>, private readonly strings: Record<string, Record<string, string>>) {}

  static load(dir = fromRoot('templates', 'email')): MailTemplates {
    const files: Record<string, Record<string, string>> = {};
    const strings: Record<string, Record<string, string>> = {};
    for (const locale of readdirSync(dir)) {
      const folder = join(dir, locale);
      if (!existsSync(join(folder, 'layout.txt'))) continue;
      files[locale] = {};
      for (const file of readdirSync(folder)) {
        if (file === 'strings.json') strings[locale] = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Record<string, string>;
        else if (/\.(txt|html)$/.test(file)) files[locale]![file] = readFileSync(join(folder, file), 'utf8');
      }
    }
    for (const locale of ['zh-CN', 'en']) {
      for (const name of ['acknowledgement', 'faq-answer', 'agent-reply', 'layout']) {
        for (const ext of ['txt', 'html']) {
          if (!files[locale]?.[`${name}.${ext}`]) throw new Error(`templates/email/${locale}/${name}.${ext} is missing`);
        }
      }
    }
    return new MailTemplates(files, strings);
  }

  /** zh-TW reads the zh-CN mails until someone writes zh-TW ones. */
  static localeOf(locale: Locale | string): MailLocale {
    return locale === 'en' ? 'en' : 'zh-CN';
  }

  string(locale: MailLocale, id: string, vars: Record<string, string> = {}): string {
    const text = this.strings[locale]?.[id] ?? this.strings.en?.[id];
    if (text === undefined) throw new Error(`templates/email/${locale}/strings.json has no '${id}'`);
    return interpolate(text, vars);
  }

  /** The mail's text and HTML bodies. `marker` is the body marker (threading.ts). */
  render(name: MailTemplate, locale: MailLocale, vars: Record<string, string>, brand: Brand, marker: string): { text: string; html: string } {
    const file = (f: string) => this.files[locale]?.[f] ?? this.files.en![f]!;
    const greeting = vars.name ? this.string(locale, 'greeting_name', { name: vars.name }) : this.string(locale, 'greeting');
    const all: Record<string, string> = {
      greeting, ...vars, brand_name: brand.name, signature: brand.signature, marker, reply_above: REPLY_ABOVE[locale],
    };
    const innerText = interpolate(file(`${name}.txt`), all).trim();
    const text = interpolate(file('layout.txt'), { ...all, content: innerText }).replace(/\n{3,}/g, '\n\n').trim() + '\n';
    const escaped = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, htmlValue(v)]));
    const innerHtml = interpolate(file(`${name}.html`), escaped);
    const logo = brand.logoUrl ? `<p><img src="${escapeHtml(brand.logoUrl)}" alt="${escapeHtml(brand.name)}" style="max-height:48px"></p>` : '';
    const html = interpolate(file('layout.html'), { ...escaped, content: innerHtml, logo });
    return { text, html };
  }
}
