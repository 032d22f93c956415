/** Table tests: parsing (recorded payloads), settings, the length rule, wording, triage, error classes. */
import { readdirSync, readFileSync } from 'node:fs';
import { classify } from '../../channels/weibo/client.js';
import { DEFAULT_PUBLIC_POLICY, parsePublicPolicy, PUBLIC_MAX_CHARS, weiboSettingsFrom } from '../../channels/weibo/definition.js';
import { parseFanPush, parsePost, parseWeiboTime } from '../../channels/weibo/inbound.js';
import { weiboSignature, weiboSignatureMatches } from '../../channels/weibo/signature.js';
import { forbiddenIn, kindOf, publicReplyFor, weiboLength } from '../../channels/weibo/triage.js';
import { passiveReply } from '../../channels/weibo/webhook.js';
import { ConfigError } from '../../src/config.js';
import { fromRoot } from '../../src/paths.js';
import { LOCALES, Templates } from '../../src/templates/index.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(fromRoot('channels', 'weibo', 'fixtures', name), 'utf8'));
const templates = Templates.load('weibo');

describe('Weibo times', () => {
  test.each([
    ['Mon Jul 16 18:09:20 +0800 2012', Date.UTC(2012, 6, 16, 10, 9, 20)],
    ['Tue May 31 17:46:55 +0800 2011', Date.UTC(2011, 4, 31, 9, 46, 55)],
    ['Sun Jan 01 00:00:00 -0500 2023', Date.UTC(2023, 0, 1, 5, 0, 0)],
    ['2012-07-16T18:09:20+08:00', undefined],
    ['Mon Foo 16 18:09:20 +0800 2012', undefined],
    [12345, undefined],
  ])('%s', (input, expected) => expect(parseWeiboTime(input)).toBe(expected));
});

describe('public posts', () => {
  test('a status mention: the exact idstr (not the rounded number), author, link', () => {
    const parsed = parsePost('status', fixture('status-mention.json'));
    expect(parsed).toMatchObject({ ok: true, value: { key: 'status:4983210987654321123', statusId: '4983210987654321123', authorUid: '1404376560', authorName: 'zaku', link: 'https://weibo.com/1404376560/4983210987654321123' } });
  });
  test('a comment mention: keyed by the comment, linked to its status', () => {
    const parsed = parsePost('comment', fixture('comment-mention.json'));
    expect(parsed).toMatchObject({ ok: true, value: { key: 'comment:4983210987650000001', statusId: '4983210987600000007', authorUid: '1756523341', link: 'https://weibo.com/1902538057/4983210987600000007' } });
  });
  test.each([
    ['no id', { text: 'x', created_at: 'Mon Jul 16 18:09:20 +0800 2012', user: { idstr: '1' } }],
    ['no user', { idstr: '1', text: 'x', created_at: 'Mon Jul 16 18:09:20 +0800 2012' }],
    ['a bad time', { idstr: '1', text: 'x', created_at: 'yesterday', user: { idstr: '1' } }],
    ['an unsafe numeric id only', { id: 4983210987654321123, text: 'x', created_at: 'Mon Jul 16 18:09:20 +0800 2012', user: { idstr: '1' } }],
  ])('refused: %s', (_name, raw) => expect(parsePost('status', raw).ok).toBe(false));
  test('a comment without its status is refused', () => expect(parsePost('comment', { ...(fixture('comment-mention.json') as object), status: undefined }).ok).toBe(false));
});

describe('fan-service pushes', () => {
  const at = Math.floor(Date.UTC(2012, 6, 16, 10, 9, 20) / 1000);
  test.each([
    ['fan-text.json', 'text', `dm:2489518277:${at}:text`, undefined],
    ['fan-position.json', 'media', `dm:2489518277:${at + 1}:position`, 'location'],
    ['fan-voice.json', 'media', `dm:2489518277:${at + 2}:voice`, 'voice'],
    ['fan-image.json', 'media', `dm:2489518277:${at + 3}:image`, 'image'],
    ['fan-event-follow.json', 'event', `dm:2489518277:${at + 4}:event:follow`, 'subscribe'],
    ['fan-event-unfollow.json', 'event', `dm:2489518277:${at + 5}:event:unfollow`, 'unsubscribe'],
    ['fan-event-scan-follow.json', 'event', `dm:2489518277:${at + 6}:event:scan_follow`, 'subscribe'],
    ['fan-mention.json', 'event', `dm:2489518277:${at + 7}:mention:status`, 'mention'],
  ])('%s', (name, kind, id, detail) => {
    const parsed = parseFanPush(fixture(name), 1);
    if (!parsed.ok) throw new Error(parsed.reason);
    const m = parsed.value.message;
    expect(m).toMatchObject({ channel: 'weibo', kind, channelMessageId: id, threadKey: 'weibo:2489518277', public: false });
    if (m.kind === 'media') expect(m.attachments[0]!.kind).toBe(detail);
    if (m.kind === 'event') expect(m.event).toBe(detail);
  });
  test('the scan-follow scene is kept as the event key', () => {
    const parsed = parseFanPush(fixture('fan-event-scan-follow.json'), 1);
    expect(parsed.ok && parsed.value.message.kind === 'event' && parsed.value.message.key).toBe('qrscene_store_beijing');
  });
  test.each([
    ['an array', []],
    ['no type', { sender_id: 1, receiver_id: 2, created_at: 'Mon Jul 16 18:09:20 +0800 2012' }],
    ['no sender', { type: 'text', receiver_id: 2, created_at: 'Mon Jul 16 18:09:20 +0800 2012', text: 'x' }],
    ['a bad time', { type: 'text', sender_id: 1, receiver_id: 2, created_at: 'now', text: 'x' }],
  ])('refused: %s', (_name, body) => expect(parseFanPush(body, 1).ok).toBe(false));
  test('the passive reply: data is a JSON string, ids are numbers', () => {
    expect(JSON.parse(passiveReply('1902538057', '2489518277', '您好'))).toEqual({ result: true, sender_id: 1902538057, receiver_id: 2489518277, type: 'text', data: '{"text":"您好"}' });
  });
});

describe('signature', () => {
  test('SHA-1 of the sorted [appsecret, timestamp, nonce]; constant-time check', () => {
    // Same algorithm as WeChat's official vector (token AAAAA).
    expect(weiboSignature('AAAAA', '1714037059', '486452656')).toBe('899cf89e464efb63f54ddac96b0a0a235f53aa78');
    expect(weiboSignatureMatches('899CF89E464EFB63F54DDAC96B0A0A235F53AA78', 'AAAAA', '1714037059', '486452656')).toBe(true);
    expect(weiboSignatureMatches('899cf89e464efb63f54ddac96b0a0a235f53aa79', 'AAAAA', '1714037059', '486452656')).toBe(false);
    expect(weiboSignatureMatches(undefined, 'AAAAA', '1714037059', '486452656')).toBe(false);
  });
});

describe('settings', () => {
  const base = { WEIBO_APP_SECRET: 'abcdef0123456789', WEIBO_ACCESS_TOKEN: '2.00abcdefXYZ' };
  test('off without WEIBO_ variables (the API base default alone does not switch it on)', () => {
    expect(weiboSettingsFrom({})).toBeNull();
    expect(weiboSettingsFrom({ WEIBO_API_BASE: 'https://api.weibo.com', WEIBO_POLL_SECONDS: 120 })).toBeNull();
  });
  test('defaults', () => {
    expect(weiboSettingsFrom(base)).toMatchObject({ apiBase: 'https://api.weibo.com', dmApiBase: 'https://m.api.weibo.com', pollSeconds: 120, publicPolicy: DEFAULT_PUBLIC_POLICY });
  });
  test('the fan-service host: its own variable, else the real one, else WEIBO_API_BASE when that points elsewhere', () => {
    expect(weiboSettingsFrom({ ...base, WEIBO_DM_API_BASE: 'http://127.0.0.1:9/' })).toMatchObject({ apiBase: 'https://api.weibo.com', dmApiBase: 'http://127.0.0.1:9' });
    expect(weiboSettingsFrom({ ...base, WEIBO_API_BASE: 'https://api.weibo.com/' })).toMatchObject({ dmApiBase: 'https://m.api.weibo.com' });
    expect(weiboSettingsFrom({ ...base, WEIBO_API_BASE: 'http://weibo-proxy.internal:8080' })).toMatchObject({ apiBase: 'http://weibo-proxy.internal:8080', dmApiBase: 'http://weibo-proxy.internal:8080' });
    expect(weiboSettingsFrom({ ...base, WEIBO_API_BASE: 'http://127.0.0.1:8', WEIBO_DM_API_BASE: 'http://127.0.0.1:9' })).toMatchObject({ apiBase: 'http://127.0.0.1:8', dmApiBase: 'http://127.0.0.1:9' });
    expect(weiboSettingsFrom({ WEIBO_DM_API_BASE: 'https://m.api.weibo.com' })).toBeNull();
  });
  test.each([
    [{ WEIBO_APP_SECRET: 'abcdef0123456789' }, 'WEIBO_ACCESS_TOKEN'],
    [{ WEIBO_ACCESS_TOKEN: '2.00abcdefXYZ' }, 'WEIBO_APP_SECRET'],
    [{ ...base, WEIBO_POLL_SECONDS: '10' }, 'WEIBO_POLL_SECONDS'],
    [{ ...base, WEIBO_UID: 'me' }, 'WEIBO_UID'],
    [{ ...base, WEIBO_API_BASE: 'ftp://x' }, 'WEIBO_API_BASE'],
    [{ ...base, WEIBO_DM_API_BASE: 'not a url' }, 'WEIBO_DM_API_BASE'],
    [{ ...base, WEIBO_PUBLIC_POLICY: 'praise=answer' }, 'WEIBO_PUBLIC_POLICY'],
  ])('%j names %s', (env, variable) => {
    expect(() => weiboSettingsFrom(env)).toThrow(ConfigError);
    expect(() => weiboSettingsFrom(env)).toThrow(variable);
  });
  test('policy parsing', () => {
    expect(parsePublicPolicy('question=invite, other=invite')).toEqual({ ok: true, policy: { question: 'invite', praise: 'thank', other: 'invite' } });
    expect(parsePublicPolicy('question').ok).toBe(false);
  });
});

describe('the length rule: every character counts one', () => {
  test.each([
    ['', 0], ['abc', 3], ['您好', 2], ['😀😀', 2], ['a您😀', 3], ['字'.repeat(140), 140],
  ])('%s -> %d', (text, n) => expect(weiboLength(text)).toBe(n));
});

describe('public wording', () => {
  test.each(LOCALES.flatMap((l) => templates.ids(l).map((id) => [l, id] as const)))('%s %s fits 140 and admits nothing', (locale, id) => {
    const text = templates.render(id, locale, { answer: 'x' });
    expect(weiboLength(text)).toBeLessThanOrEqual(PUBLIC_MAX_CHARS);
    expect(forbiddenIn(text)).toEqual([]);
    expect(text).not.toMatch(/\{\{/);
    if (id.startsWith('public.complaint')) expect(text).toMatch(/私信|私訊|private message/);
    if (id === 'private.invite') expect(text).toMatch(/在这里回复|在這裡回覆|reply here/);
  });
  test('every locale has every template', () => {
    for (const l of LOCALES) expect(templates.ids(l).sort()).toEqual(templates.ids('zh-CN').sort());
  });
});

describe('triage', () => {
  test.each([
    [{ intent: 'complaint', severity: 'general' }, '', 'complaint'],
    [{ intent: 'shipping', severity: 'serious' }, '', 'complaint'],
    [{ intent: 'product_inquiry', severity: 'none' }, '', 'question'],
    [{ intent: 'farewell', severity: 'none' }, '', 'praise'],
    [{ intent: 'other', severity: 'none' }, '五星好评', 'praise'],
    [{ intent: 'other', severity: 'none' }, '哈哈', 'other'],
    // Praise read beside the intent: before the question intents the model files it under.
    [{ intent: 'objection', severity: 'none', praise: true }, '坐垫软硬刚好，强烈推荐', 'praise'],
    [{ intent: 'recommendation', severity: 'none' }, '已经推荐给隔壁部门了，好用', 'praise'],
    [{ intent: 'product_inquiry', severity: 'none' }, '这款椅子好用吗？', 'question'],
    // A complaint cue wins: beside praise words (sarcasm, mixed), or in a post that asks nothing.
    [{ intent: 'objection', severity: 'none' }, '好评好评，桌面上一道大划痕', 'complaint'],
    [{ intent: 'other', severity: 'none' }, '对这次购物不满意', 'complaint'],
    [{ intent: 'other', severity: 'none' }, '差评', 'complaint'],
    [{ intent: 'farewell', severity: 'none' }, '好的谢谢，不过挺失望的', 'complaint'],
    [{ intent: 'other', severity: 'none' }, '好评返现的活动还有吗', 'other'],
  ] as const)('%j %s -> %s', (grade, text, kind) => expect(kindOf(grade, text)).toBe(kind));

  const long = '字'.repeat(141);
  test.each([
    ['complaint', 'critical', DEFAULT_PUBLIC_POLICY, undefined, 'public.complaint.critical'],
    ['complaint', 'serious', DEFAULT_PUBLIC_POLICY, '退款马上到账', 'public.complaint'],
    ['question', 'none', DEFAULT_PUBLIC_POLICY, '有现货，付款后2天内出库。', 'public.answer'],
    ['question', 'none', DEFAULT_PUBLIC_POLICY, long, 'public.invite'],
    ['question', 'none', { ...DEFAULT_PUBLIC_POLICY, question: 'invite' }, 'x', 'public.invite'],
    ['question', 'none', { ...DEFAULT_PUBLIC_POLICY, question: 'ignore' }, 'x', null],
    ['praise', 'none', DEFAULT_PUBLIC_POLICY, undefined, 'public.praise'],
    ['praise', 'none', { ...DEFAULT_PUBLIC_POLICY, praise: 'ignore' }, undefined, null],
    ['other', 'none', DEFAULT_PUBLIC_POLICY, 'hi', null],
    ['other', 'none', { ...DEFAULT_PUBLIC_POLICY, other: 'invite' }, 'hi', 'public.invite'],
  ] as const)('%s (%s) -> %s', (kind, severity, policy, answer, template) => {
    const reply = publicReplyFor(kind, { severity }, policy, templates, 'zh-CN', answer);
    expect(reply.action === 'reply' ? reply.template : null).toBe(template);
    if (reply.action === 'reply') expect(weiboLength(reply.text)).toBeLessThanOrEqual(PUBLIC_MAX_CHARS);
  });
  test('a complaint template edited to admit something is refused, not posted', () => {
    const bad = new Templates({ 'zh-CN': { 'public.complaint': '咱们承认问题，保证全额赔偿，请私信。' } });
    expect(publicReplyFor('complaint', { severity: 'general' }, DEFAULT_PUBLIC_POLICY, bad, 'zh-CN').action).toBe('ignore');
  });
});

describe('API errors', () => {
  test.each([
    [403, 10023, true, true],
    [403, 10022, true, true],
    [400, 10024, true, true],
    [429, undefined, true, true],
    [403, undefined, true, true],
    [403, 20019, false, false],
    [401, 21332, false, false],
    [500, undefined, false, true],
    [400, 20012, false, false],
  ])('HTTP %d error_code %s: rate-limited %s, retryable %s', (status, code, rateLimited, retryable) => {
    const result = classify('/2/x.json', status, code, 'msg');
    expect(result).toMatchObject({ ok: false, rateLimited, retryable });
  });
});

test('every fixture is listed in the fixtures README or parsed above', () => {
  expect(readdirSync(fromRoot('channels', 'weibo', 'fixtures')).filter((f) => f.endsWith('.json'))).toHaveLength(10);
});
