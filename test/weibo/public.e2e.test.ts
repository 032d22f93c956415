/**
 * Public posts end to end: a whole gateway on SQLite polls a local server that speaks the
 * Weibo public API, and sends private messages to a second one that speaks the fan-service
 * API (two hosts, as on Weibo); posts are graded, the critical one reaches a supervisor,
 * public replies are the short templated ones, praise is thanked, each acknowledged complaint
 * is followed by one private invitation, and a restart on the same DATA_DIR answers nothing
 * twice.
 */
import { rmSync } from 'node:fs';
import { PUBLIC_MAX_CHARS } from '../../channels/weibo/definition.js';
import { forbiddenIn, weiboLength } from '../../channels/weibo/triage.js';
import { Templates } from '../../src/templates/index.js';
import { commentOf, startFakeWeiboApi, statusOf, type FakeWeiboApi } from './fake-weibo-api.js';
import { conversationOf, nextAuthor, sharedNlu, startWeiboGateway, tempDataDir, triageView, until, type WeiboGateway } from './support.js';

const weibo = Templates.load('weibo');
const bot = Templates.load('bot');

let fake: FakeWeiboApi;
let dm: FakeWeiboApi;
let gw: WeiboGateway | undefined;
const dataDir = tempDataDir();

const critical = { author: nextAuthor('记者'), text: '@某某家具旗舰店 椅子气杆爆了把我摔伤了，我已经联系了电视台记者，明天曝光你们' };
const serious = { author: nextAuthor('避雷'), text: '@某某家具旗舰店 家人们避雷这家升降桌 电机两个月就罢工了 报修半个月没人理' };
const praise = { author: nextAuthor('好评'), text: '@某某家具旗舰店 谢谢你们，椅子很好用，点赞！' };
// The intent model alone reads this one as an angry complaint ("必须"): praise.ts knows better.
const compliment = { author: nextAuthor('五星'), text: '@某某家具旗舰店 客服态度特别好，必须给五星' };
// Praise words, and a complaint: the complaint wins.
const sarcasm = { author: nextAuthor('反讽'), text: '@某某家具旗舰店 真是五星好评啊，一开箱满屋子刺鼻味' };
const noise = { author: nextAuthor('路人'), text: '@某某家具旗舰店 哈哈哈' };
const question = { author: nextAuthor('提问'), text: '@某某家具旗舰店 付款以后多少天能到货？' };
const statuses = new Map<string, ReturnType<typeof statusOf>>();

const start = () => startWeiboGateway(fake, {}, { DATA_DIR: dataDir }, { WEIBO_DM_API_BASE: dm.url });

beforeAll(async () => {
  fake = await startFakeWeiboApi({ serves: 'public' });
  dm = await startFakeWeiboApi({ serves: 'dm', uid: fake.uid, token: fake.token });
  for (const p of [critical, serious, praise, noise, compliment, sarcasm]) {
    const s = statusOf(p.author, p.text);
    statuses.set(p.author.uid, s);
    fake.statuses.push(s);
  }
  // Our own post mentioning ourselves, and our own comment: never answered.
  fake.statuses.push(statusOf({ uid: fake.uid, name: '某某家具旗舰店' }, '@某某家具旗舰店 新品上架，欢迎咨询'));
  const ours = statusOf({ uid: fake.uid, name: '某某家具旗舰店' }, '新品：人体工学椅');
  fake.comments.push(commentOf(question.author, question.text, ours));
  fake.comments.push(commentOf({ uid: fake.uid, name: '某某家具旗舰店' }, '@某某家具旗舰店 谢谢大家', ours));
  // WEIBO_UID unset: the channel asks get_uid.json.
  gw = await start();
  await until(async () => (await triageView(gw!)).json.posts.length === 7 && fake.posted.length >= 6 && dm.privateReplies.length >= 3, 20_000);
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await fake?.close();
  await dm?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const postOf = async (uid: string) => (await triageView(gw!)).json.posts.find((p) => p.author.uid === uid)!;

describe('mentions arrive and are graded', () => {
  test('every post by someone else is in the triage view, most severe first, with link and state', async () => {
    const { status, json } = await triageView(gw!);
    expect(status).toBe(200);
    expect(json.posts.map((p) => p.author.uid).sort()).toEqual([critical, serious, praise, noise, question, compliment, sarcasm].map((p) => p.author.uid).sort());
    expect(json.posts[0]).toMatchObject({ severity: 'critical', form: 'publicity', triage: 'complaint', priority: 'critical', state: 'handed_over' });
    const s = statuses.get(critical.author.uid)!;
    expect(json.posts[0]!.link).toBe(`https://weibo.com/${critical.author.uid}/${s.mid}`);
    expect(json.posts[0]!.text).toBe(critical.text);
    expect(await postOf(serious.author.uid)).toMatchObject({ severity: 'serious', form: 'publicity', triage: 'complaint', priority: 'serious', state: 'handed_over' });
    expect(await postOf(praise.author.uid)).toMatchObject({ severity: 'none', triage: 'praise', state: 'acknowledged' });
    expect(await postOf(compliment.author.uid)).toMatchObject({ severity: 'none', triage: 'praise', state: 'acknowledged', privateInvite: null });
    expect(await postOf(sarcasm.author.uid)).toMatchObject({ triage: 'complaint', state: 'acknowledged' });
    expect((await postOf(sarcasm.author.uid)).severity).not.toBe('none');
    expect(await postOf(noise.author.uid)).toMatchObject({ severity: 'none', triage: 'other', state: 'ignored', publicReply: null });
    expect(await postOf(question.author.uid)).toMatchObject({ kind: 'comment', triage: 'question', state: 'acknowledged' });
  });

  test('filters by severity and state; the token is required', async () => {
    const crit = await triageView(gw!, '?severity=critical');
    expect(crit.json.posts.map((p) => p.author.uid)).toEqual([critical.author.uid]);
    const complaints = await triageView(gw!, '?severity=serious,critical&state=handed_over');
    expect(complaints.json.posts).toHaveLength(2);
    expect((await triageView(gw!, '?state=ignored')).json.posts.map((p) => p.author.uid)).toEqual([noise.author.uid]);
    expect((await triageView(gw!, '', '')).status).toBe(401);
    expect((await triageView(gw!, '', 'wrong-token-wrong-token')).status).toBe(401);
    expect((await triageView(gw!, '?severity=urgent')).status).toBe(400);
  });
});

describe('the critical complaint reaches a supervisor', () => {
  test('its conversation is queued, handed over with priority critical, with a critical case', async () => {
    const conversation = await conversationOf(gw!, critical.author.uid);
    expect(conversation?.status).toBe('queued');
    const dialog = JSON.parse(conversation!.dialog_state!) as { data: { handover: { reason: string; priority: string } } };
    expect(dialog.data.handover).toEqual({ reason: 'critical', priority: 'critical' });
    // The workspace migration records the priority on the conversation itself.
    if ('priority' in conversation!) expect((conversation as { priority: string | null }).priority).toBe('critical');
    const caseRow = await gw!.gateway.db.kysely.selectFrom('cases').selectAll().where('conversation_id', '=', conversation!.id).executeTakeFirst();
    expect(caseRow?.severity).toBe('critical');
  });

  test('a serious public complaint goes to the queue with priority serious', async () => {
    const conversation = await conversationOf(gw!, serious.author.uid);
    expect(conversation?.status).toBe('queued');
    if ('priority' in conversation!) expect((conversation as { priority: string | null }).priority).toBe('serious');
  });
});

describe('praise', () => {
  test('a compliment is thanked, not acknowledged as a complaint; its conversation stays with the bot and opens no case', async () => {
    const conversation = await conversationOf(gw!, compliment.author.uid);
    expect(conversation?.status).toBe('bot');
    const caseRow = await gw!.gateway.db.kysely.selectFrom('cases').select('id').where('conversation_id', '=', conversation!.id).executeTakeFirst();
    expect(caseRow).toBeUndefined();
    const dialog = JSON.parse(conversation!.dialog_state!) as { flow: string };
    expect(dialog.flow).not.toBe('complaint');
  });
});

describe('public replies', () => {
  test('one per post: complaints acknowledged, the question answered, praise thanked, noise and our own posts left alone', async () => {
    await until(() => fake.posted.length >= 6);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const byId = new Map(fake.posted.map((p) => [p.cid ?? p.id, p]));
    expect(fake.posted).toHaveLength(6);
    expect(byId.get(statuses.get(critical.author.uid)!.idstr)?.comment).toBe(weibo.render('public.complaint.critical', 'zh-CN'));
    expect(byId.get(statuses.get(serious.author.uid)!.idstr)?.comment).toBe(weibo.render('public.complaint', 'zh-CN'));
    expect(byId.get(statuses.get(sarcasm.author.uid)!.idstr)?.comment).toBe(weibo.render('public.complaint', 'zh-CN'));
    expect(byId.get(statuses.get(praise.author.uid)!.idstr)?.comment).toBe(weibo.render('public.praise', 'zh-CN'));
    expect(byId.get(statuses.get(compliment.author.uid)!.idstr)?.comment).toBe(weibo.render('public.praise', 'zh-CN'));
    expect(byId.has(statuses.get(noise.author.uid)!.idstr)).toBe(false);
    const reply = fake.posted.find((p) => p.kind === 'reply')!;
    expect(reply.id).toBe((fake.comments[0] as { status: { idstr: string } }).status.idstr);
    expect(reply.cid).toBe((fake.comments[0] as { idstr: string }).idstr);
    // Policy question=answer: the bot's FAQ answer when it fits 140 characters, else the invitation.
    const faq = sharedNlu().faq.ask(question.text);
    expect(faq).not.toBeNull();
    if (weiboLength(faq!.answer) < PUBLIC_MAX_CHARS - 10) expect(reply.comment).toContain(faq!.answer);
    else expect(reply.comment).toBe(weibo.render('public.invite', 'zh-CN'));
  });

  test('every public text fits 140 characters; acknowledgements invite to a private message and admit nothing', () => {
    for (const p of fake.posted) expect(weiboLength(p.comment)).toBeLessThanOrEqual(PUBLIC_MAX_CHARS);
    const acks = fake.posted.filter((p) => p.comment.includes('重视'));
    expect(acks).toHaveLength(3);
    for (const p of acks) {
      expect(p.comment).toMatch(/私信/);
      expect(forbiddenIn(p.comment)).toEqual([]);
      expect(p.comment).not.toMatch(/承认|赔偿|全额|保证/);
    }
  });

  test('the dialog\'s own text is never posted in public, only kept in the transcript', async () => {
    const dialogText = bot.render('complaint.critical', 'zh-CN');
    expect(fake.posted.map((p) => p.comment)).not.toContain(dialogText);
    const conversation = await conversationOf(gw!, critical.author.uid);
    const out = await gw!.gateway.db.kysely.selectFrom('outbox').innerJoin('messages', 'messages.id', 'outbox.message_id')
      .select(['messages.text', 'outbox.status', 'outbox.last_error']).where('outbox.conversation_id', '=', conversation!.id).orderBy('outbox.seq').execute();
    expect(out.map((o) => [o.text, o.status])).toEqual([
      [dialogText, 'dead'], [weibo.render('public.complaint.critical', 'zh-CN'), 'sent'], [weibo.render('private.invite', 'zh-CN'), 'sent'],
    ]);
    expect(out[0]!.last_error).toMatch(/withheld/);
  });
});

describe('the private message after an @-mention', () => {
  test('each acknowledged complaint is followed by one private invitation, sent to the fan-service host only', async () => {
    const invite = weibo.render('private.invite', 'zh-CN');
    expect(dm.privateReplies.map((r) => r.receiverId).sort()).toEqual([critical, serious, sarcasm].map((p) => p.author.uid).sort());
    for (const r of dm.privateReplies) expect(r.text).toBe(invite);
    expect(forbiddenIn(invite)).toEqual([]);
    // Two hosts: comments and polling on the public one, private messages on the other.
    expect(new Set(dm.calls.map((c) => c.path))).toEqual(new Set(['/2/messages/reply.json']));
    expect(fake.calls.filter((c) => c.path.startsWith('/2/messages/'))).toEqual([]);
    expect(fake.calls.some((c) => c.path === '/2/comments/create.json')).toBe(true);
  });

  test('recorded on the conversation and in the triage view', async () => {
    const post = await postOf(serious.author.uid);
    expect(post.privateInvite).toMatchObject({ text: weibo.render('private.invite', 'zh-CN'), error: null });
    expect(post.privateInvite.sentAt).toEqual(expect.any(Number));
    const conversation = await conversationOf(gw!, serious.author.uid);
    const texts = await gw!.gateway.db.kysely.selectFrom('messages').select(['text', 'direction']).where('conversation_id', '=', conversation!.id).orderBy('seq').execute();
    expect(texts.filter((m) => m.direction === 'out').map((m) => m.text)).toContain(weibo.render('private.invite', 'zh-CN'));
    for (const p of [praise, compliment, question, noise]) expect((await postOf(p.author.uid)).privateInvite).toBeNull();
  });

  test('a second complaint by the same author is acknowledged in public, but not invited again', async () => {
    const before = dm.privateReplies.length;
    const again = statusOf(serious.author, '@某某家具旗舰店 家人们避雷，升降桌的电机又坏了，还是没人管');
    fake.statuses.push(again);
    await until(() => fake.posted.some((p) => p.id === again.idstr), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(dm.privateReplies.length).toBe(before);
    const row = (await triageView(gw!)).json.posts.find((p) => p.key === `status:${again.idstr}`)!;
    expect(row).toMatchObject({ triage: 'complaint', privateInvite: null });
  });
});

describe('restart', () => {
  test('resumes from the saved cursor and answers nothing twice, even when the server ignores since_id', async () => {
    const cursor = await gw!.gateway.db.kysely.selectFrom('checkpoints').select('value').where('name', '=', 'weibo.since_id.statuses').executeTakeFirst();
    expect(cursor?.value).toBeDefined();
    await gw!.stop();
    gw = undefined;
    const before = fake.posted.length;
    fake.ignoreSinceId = true;
    const late = { author: nextAuthor('新'), text: '@某某家具旗舰店 桌子到了但是少了两颗螺丝' };
    const s = statusOf(late.author, late.text);
    fake.statuses.push(s);
    fake.calls.length = 0;
    const invitesBefore = dm.privateReplies.length;
    gw = await start();
    await until(() => fake.posted.some((p) => p.id === s.idstr), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(fake.posted.length).toBe(before + 1);
    const first = fake.calls.find((c) => c.path === '/2/statuses/mentions.json')!;
    expect(first.query.since_id).toBe(cursor!.value);
    expect((await triageView(gw)).json.posts).toHaveLength(9);
    // One inbound message per post: nothing was ingested twice, and no invitation sent twice.
    const inbound = await gw.gateway.db.kysely.selectFrom('messages').select('channel_message_id').where('channel', '=', 'weibo').where('direction', '=', 'in').execute();
    expect(inbound).toHaveLength(9);
    expect(dm.privateReplies.filter((r) => r.receiverId !== late.author.uid)).toHaveLength(invitesBefore);
  }, 60_000);
});
