/**
 * Praise vs complaint (src/nlu/praise.ts), in the project's own words. Praise counts only when
 * nothing in the text complains, denies, turns, asks or makes a condition; a complaint cue
 * always wins. Then the understanding: a compliment the intent model reads as a complaint is
 * thanks (`farewell`, no grade), and every complaint keeps its grade.
 */
import { complaintCues, loadNlu, praiseOf, praiseWithComplaint, type Nlu } from '../../src/nlu/index.js';
import { normalize } from '../../src/nlu/normalize.js';

describe('praise', () => {
  test.each([
    ['a rating', '给你们打五星'],
    ['a rating with an emoticon', '好评[赞]'],
    ['approval', '这次的售后真给力'],
    ['a fixed positive phrase with a negation in it', '桌面做工没得说，稳稳的'],
    ['"不错" is not a negation', '颜色很正，整体不错'],
    ['a person', '打电话过来的那位客服特别细心，值得表扬也点个赞'],
    ['delivery', '周一下单周二就送到了，配送很快'],
    ['recommends', '同事来试坐了都说舒服，已推荐给他们'],
    ['comes back', '这是第三次在你们家买了，一如既往'],
    ['a resolved problem is not a complaint', '售后问题当天就解决了，很满意'],
    ['exceeds expectations', '实物比想象中还好'],
    ['Traditional characters', '師傅安裝很專業，非常滿意'],
    ['en: great', 'Your delivery team was great'],
    ['en: love', 'love how quiet the motor is'],
    ['en: recommend', 'Would recommend this desk to anyone working from home'],
    ['en: a fixed phrase with a negation in it', 'no complaints here, the chair is really comfortable'],
  ])('%s: %s', (_name, text) => {
    const reading = praiseOf(text);
    expect(reading.blockedBy).toEqual([]);
    expect(reading.praise).toBe(true);
  });
});

describe('not praise', () => {
  test.each([
    // [why, text, what blocks it]
    ['negation', '对这次的服务不太满意', 'negation'],
    ['negation', '椅子一点都不舒服', 'negation'],
    ['negation (en)', 'the assembly guide was not helpful at all', 'negation'],
    ['a bad rating', '给个差评，客服态度敷衍', 'complaint'],
    ['the review-for-cash offer is not praise, the fraud word is a complaint', '说好评返现五块，返的钱呢？骗子吧', 'complaint'],
    ['a promise broken', '说好的三天发货，结果拖了两周', 'complaint'],
    ['sarcasm with a defect', '太棒了，才用一周扶手就断了', 'complaint'],
    ['sarcasm with a smell', '真是五星好评啊，一开箱满屋子刺鼻味', 'complaint'],
    ['sarcasm with an emoticon', '你们的物流真给力[微笑]', 'complaint'],
    ['a hazard', '椅子很好看，可是气杆爆了，我摔伤了', 'complaint'],
    ['a lawyer', '质量不错，但是发票的事我已经交给律师了', 'complaint'],
    ['the media', '客服很专业，这事我还是要找记者曝光', 'complaint'],
    ['a regulator', '安装师傅挺好的，不过我已经打了12315', 'complaint'],
    ['a turn', '外观满意，但是坐久了腰酸', 'contrast'],
    ['a turn (en)', 'great chair but the armrest wobbles', 'complaint'],
    ['a question', '这款升降桌好用吗', 'question'],
    ['a question (en)', 'is the mesh chair comfortable for tall people?', 'question'],
    ['a condition', '要是周五前能送到就给好评', 'condition'],
    ['a request', '东西很满意，请尽快把发票寄过来', 'request'],
    ['sarcastic thanks (en)', 'thanks for nothing, great support', 'negation'],
    ['a defect (en)', 'amazing, the desk arrived with a cracked leg', 'complaint'],
  ])('%s: %s', (_name, text, blocker) => {
    const reading = praiseOf(text);
    expect(reading.praise).toBe(false);
    // Without a praise word there is nothing to block; the complaint cue is there all the same.
    if (blocker === 'complaint') expect(complaintCues(normalize(text))).not.toEqual([]);
    if (reading.cues.length > 0) expect(reading.blockedBy.map((b) => b.kind)).toContain(blocker);
  });

  test('no praise cue at all: nothing to block', () => {
    expect(praiseOf('订单号是多少来着')).toEqual({ praise: false, cues: [], blockedBy: [] });
  });

  test('praise words beside a complaint cue are reported as such (a channel may take it as the complaint)', () => {
    expect(praiseWithComplaint(praiseOf('好评！螺丝少了两颗'))).toBe(true);
    expect(praiseWithComplaint(praiseOf('好评'))).toBe(false);
    expect(praiseWithComplaint(praiseOf('好用吗？'))).toBe(false);
  });

  test('complaint cues without praise words', () => {
    expect(complaintCues(normalize('差评'))).not.toEqual([]);
    expect(complaintCues(normalize('不满意'))).not.toEqual([]);
    expect(complaintCues(normalize('哈哈哈'))).toEqual([]);
    expect(complaintCues(normalize('问题已经解决了，谢谢'))).toEqual([]);
    expect(complaintCues(normalize('😡'))).toEqual(['emoji: emo_anger']);
    expect(complaintCues(normalize('😡'), { signals: false })).toEqual([]);
  });
});

describe('in the understanding', () => {
  let nlu: Nlu;
  beforeAll(() => {
    nlu = loadNlu({ includeDemoFaq: true });
  });

  test.each([
    '客服态度特别好，必须给五星',
    '这把椅子用了一年，质量没得说',
    'the standing desk is amazing, the assembly took ten minutes',
    '安装师傅很专业，给你们点个赞',
  ])('a compliment is never a complaint: %s', (text) => {
    for (const channel of ['webchat', 'wechat', 'weibo']) {
      const u = nlu.understand(text, { channel });
      expect(u.praise).toBe(true);
      expect(u.intent).not.toBe('complaint');
      expect(u.grade.severity).toBe('none');
    }
  });

  test.each([
    ['真是好评啊，孩子坐了两天全身过敏，进了医院', 'critical'],
    ['服务不错，不过桌腿断了把我脚砸伤了，要找律师', 'critical'],
    ['太棒了，第三次坏了，退钱', 'serious'],
  ])('a complaint with praise words keeps its grade: %s', (text, severity) => {
    const u = nlu.understand(text, { channel: 'webchat' });
    expect(u.praise).toBe(false);
    expect(u.intent).toBe('complaint');
    expect(u.grade.severity).toBe(severity);
  });

  test('a plain complaint is unchanged and not praise', () => {
    const u = nlu.understand('椅子坏了一个月了还没人来修', { channel: 'wechat' });
    expect(u).toMatchObject({ intent: 'complaint', praise: false });
    expect(u.grade.severity).not.toBe('none');
  });
});
