import { criticalFindings, gradeComplaint } from '../../src/nlu/grade.js';
import { normalize } from '../../src/nlu/normalize.js';
import type { MessageContext } from '../../src/nlu/types.js';

const grade = (text: string, ctx: MessageContext = {}) => gradeComplaint(normalize(text), ctx);

describe('critical triggers', () => {
  test.each([
    ['media', '再不解决我就找媒体曝光'],
    ['exposure', '我要把这事曝光到网上'],
    ['journalist', '已经联系了晚报的记者'],
    ['indirect: friend at a newspaper', '我朋友在报社 这事你们看着办'],
    ['indirect: cousin at a TV station', '我表姐就在电视台上班'],
    ['indirect: 315', '再不处理就去315'],
    ['12315', '已经打了12315'],
    ['consumer association', '我明天就去消协'],
    ['market supervision', '向市场监管局举报你们'],
    ['Taiwan consumer foundation (Traditional)', '我已經向消基會投訴了'],
    ['lawyer', '我已经委托律师了'],
    ['lawsuit', '准备起诉你们'],
    ['court', '咱们法院见'],
    ['police', '这是诈骗 我已经报警了'],
    ['110', '再不退钱我就打110'],
    ['injury', '椅子塌了 我摔伤了'],
    ['hospital', '孩子手被夹了 现在在医院'],
    ['fire', '控制器冒烟了 差点着火'],
    ['electric shock', '碰桌腿被电了一下'],
    ['formaldehyde with symptoms', '柜子甲醛超标 孩子天天咳嗽过敏'],
    ['explosion', '气杆突然爆了'],
    ['en: press', "I'm going to the press about this"],
    ['en: lawyer', 'You will hear from my lawyer'],
    ['en: regulator', 'I have reported you to trading standards'],
    ['en: BBB', 'filing a complaint with the BBB today'],
    ['en: consumer council', 'the consumer council will hear about this'],
    ['en: police', 'I called the police, this is fraud'],
    ['en: injury', 'the backrest snapped and I injured my shoulder'],
    ['en: fire', 'the motor caught fire'],
    ['en: shock', 'I got an electric shock from the frame'],
    ['en: indirect journalist', 'my sister is a journalist and she is very interested'],
  ])('%s -> critical', (_name, text) => {
    const g = grade(text);
    expect(g.severity).toBe('critical');
    expect(g.reasons.length).toBeGreaterThan(0);
  });

  test.each([
    ['a question about a risk', '网上说气杆会爆炸 你们的安全吗'],
    ['en: a question about a risk', 'can the gas cylinder explode?'],
    ['a smell without a health claim', '椅子有股味道 散不掉'],
    ['publicity without the press', '让大家都看看你们的服务'],
    ['formaldehyde alone', '你们的柜子甲醛是不是超标'],
  ])('%s -> not critical', (_name, text) => {
    expect(criticalFindings(normalize(text).text)).toEqual([]);
  });
});

describe('severity, form and nature', () => {
  test('one fixable problem, calm: general passive criticism', () => {
    expect(grade('桌子少了两颗螺丝 麻烦补发一下')).toMatchObject({ severity: 'general', form: 'passive', nature: 'criticism' });
  });

  test('a suggestion stays general', () => {
    expect(grade('建议包装再加厚一点 桌角磕了一点')).toMatchObject({ severity: 'general', nature: 'suggestion' });
  });

  test('warning others on social media: publicity, at least serious', () => {
    expect(grade('家人们避雷这家 电机一个月就坏')).toMatchObject({ severity: 'serious', form: 'publicity' });
    expect(grade('已经发小红书了 大家别买')).toMatchObject({ severity: 'serious', form: 'publicity' });
  });

  test('repeated contact in the text: serious', () => {
    expect(grade('这是我第三次联系你们了 退款还没到').severity).toBe('serious');
    expect(grade("this is the third time I'm writing about the refund").severity).toBe('serious');
  });

  test('repeated contact from the context raises a calm complaint to serious', () => {
    const calm = '退款还没到账 麻烦看一下';
    expect(grade(calm).severity).toBe('general');
    const g = grade(calm, { repeatContact: 2 });
    expect(g.severity).toBe('serious');
    expect(g.reasons.join(' ')).toContain('repeated contact');
  });

  test('a public channel raises an angry post; a mild one stays general', () => {
    const angry = '什么破物流 气死了!!';
    expect(grade(angry, { channel: 'wechat' }).severity).toBe('general');
    expect(grade(angry, { channel: 'weibo' }).severity).toBe('serious');
    expect(grade('下单一周了还没发货 能快点吗', { channel: 'weibo' }).severity).toBe('general');
  });

  test('accusing of fraud: accusation, serious', () => {
    expect(grade('页面写实木 收到是颗粒板 虚假宣传')).toMatchObject({ severity: 'serious', nature: 'accusation' });
  });

  test('threat of disruption without a critical trigger: extreme, serious', () => {
    expect(grade('不退钱我就去你们门店拉横幅')).toMatchObject({ severity: 'serious', form: 'extreme' });
  });

  test('regulator threat: extreme form', () => {
    expect(grade('我要去12315投诉你们').form).toBe('extreme');
  });

  test('media threat: publicity form', () => {
    expect(grade('我要找记者曝光你们').form).toBe('publicity');
  });

  test('shouting: venting', () => {
    expect(grade('椅子才用一周就坏了！！！').form).toBe('venting');
  });
});

describe('public or private on the same channel', () => {
  const text = '你们这椅子用了两周就坏了，气死我了';
  test('a Weibo post is public unless said otherwise; a Weibo private message is not', () => {
    const post = grade(text, { channel: 'weibo' });
    const privateMessage = grade(text, { channel: 'weibo', public: false });
    expect(post.reasons.some((r) => /public channel/.test(r))).toBe(true);
    expect(privateMessage.reasons.some((r) => /public channel/.test(r))).toBe(false);
  });
});
