/**
 * Every template the engine can use exists in all three locales with the variables it is
 * given, and the wording follows domain.md §2: 您 / 咱们, 请, no negative phrasing, no
 * promise that cannot be kept, and a holding reply to a critical complaint admits nothing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATES, type TemplateId } from '../../dialogs/templates.js';
import { fromRoot } from '../../src/paths.js';

const LOCALES = ['zh-CN', 'zh-TW', 'en'] as const;
const files = Object.fromEntries(LOCALES.map((l) => [l, JSON.parse(readFileSync(fromRoot('templates', 'bot', `${l}.json`), 'utf8')) as Record<string, string>]));
const ids = Object.keys(TEMPLATES) as TemplateId[];
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g)].map((m) => m[1]!);

describe.each(LOCALES)('templates/bot/%s.json', (locale) => {
  test.each(ids)('has %s, using only the variables the engine gives', (id) => {
    const text = files[locale]![id];
    expect(typeof text).toBe('string');
    expect(text!.trim().length).toBeGreaterThan(0);
    for (const name of placeholders(text!)) expect(TEMPLATES[id] as readonly string[]).toContain(name);
  });

  test('holds no template the engine does not know (nothing dead or misspelt)', () => {
    expect(Object.keys(files[locale]!).filter((k) => !(k in TEMPLATES))).toEqual([]);
  });
});

test('every template id written in dialogs/ is a known one', () => {
  const sources: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) { if (name !== 'nlu') walk(path); } else if (name.endsWith('.ts')) sources.push(readFileSync(path, 'utf8'));
    }
  };
  walk(fromRoot('dialogs'));
  const used = sources.flatMap((s) => [...s.matchAll(/\b(?:reply|variant)\(\s*'([^']+)'/g)].map((m) => m[1]!));
  expect(used.length).toBeGreaterThan(40);
  for (const id of used) expect(ids).toContain(id);
  // handOver(turn, ctx, reason, 'template')
  for (const s of sources) for (const m of s.matchAll(/handOver\([^)]*,\s*'([a-z_.]+)'\)/g)) expect(ids).toContain(m[1]!);
});

describe('wording (domain.md §2)', () => {
  const zh = Object.entries(files['zh-CN']!);
  const tw = Object.entries(files['zh-TW']!);
  const en = Object.entries(files.en!);

  test('Chinese says 您 and 咱们 / 我们, never 你 or a lone 我', () => {
    for (const [id, quoted] of [...zh, ...tw]) {
      const text = quoted.replace(/“[^”]*”|「[^」]*」/g, ''); // UI labels such as “我的订单” are quoted, not spoken
      expect([id, /你/.test(text)]).toEqual([id, false]);
      expect([id, /我(?![们們])/.test(text)]).toEqual([id, false]);
    }
  });

  test('a request says 请', () => {
    for (const [id, text] of [...zh, ...tw]) if (/提供|发给|發給|补充|補充|核对|核對|留下/.test(text)) expect([id, /请|請/.test(text)]).toEqual([id, true]);
  });

  test('no negative phrasing', () => {
    for (const [id, text] of zh) expect([id, text.match(/不能|无法|不行|没办法|不可能|不知道|不清楚|做不到|别|不要|没有货/)?.[0]]).toEqual([id, undefined]);
    for (const [id, text] of en) expect([id, text.match(/\b(?:can't|cannot|unable|won't|impossible|don't know|no way)\b/i)?.[0]]).toEqual([id, undefined]);
  });

  test('no promise that cannot be kept', () => {
    for (const [id, text] of zh) expect([id, text.match(/保证|绝对|肯定会|一定会|马上到|立刻退/)?.[0]]).toEqual([id, undefined]);
    for (const [id, text] of en) expect([id, text.match(/guarantee|promise|definitely will|immediately refund/i)?.[0]]).toEqual([id, undefined]);
  });

  test('the holding reply to a critical complaint admits nothing in writing', () => {
    for (const locale of LOCALES) {
      const text = files[locale]!['complaint.critical']!;
      expect(text).not.toMatch(/抱歉|对不起|對不起|歉|错|錯|责任|責任|赔|賠|sorry|apolog|fault|responsib|compensat|mistake/i);
    }
  });

  test('never asks for thanks', () => {
    for (const [id, text] of [...zh, ...en]) expect([id, /好评|五星|给个赞|rate us|five stars/i.test(text)]).toEqual([id, false]);
  });
});
