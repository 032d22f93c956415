import { collapseRepeats, detectLanguage, normalize, stripEmail } from '../../src/nlu/normalize.js';

describe('normalize', () => {
  test.each([
    ['full-width letters and digits', 'ＡＢＣ１２３', 'abc123'],
    ['full-width punctuation', '你好！请问？', '你好!请问?'],
    ['Traditional to Simplified', '請問訂單什麼時候出貨', '请问订单什么时候出货'],
    ['lower-case English', 'Where Is My ORDER', 'where is my order'],
    ['collapse repeated punctuation', '垃圾！！！！！', '垃圾!!'],
    ['collapse repeated characters', '啊啊啊啊啊 气死了', '啊啊 气死了'],
    ['digits are kept', '退我10000元', '退我10000元'],
    ['mentions and topics removed', '@优座办公家具 #优座办公家具# 在吗', '在吗'],
    ['Chinese full stop and enumeration comma', '好的。桌子、椅子', '好的.桌子,椅子'],
  ])('%s', (_name, input, expected) => {
    expect(normalize(input).text).toBe(expected);
  });

  test('keeps the original text', () => {
    const n = normalize('請問ＡＢＣ！！！');
    expect(n.original).toBe('請問ＡＢＣ！！！');
    expect(n.exclaim).toBe(3);
  });

  test.each([
    ['😡 what is this', 'emo_anger'],
    ['气死了🤬', 'emo_anger'],
    ['下单一周了[委屈]', 'emo_sad'],
    ['谢谢👍', 'emo_happy'],
    ['便宜点嘛🙏', 'emo_plead'],
    ['I want it NOW', 'caps'],
    ['@优座 你好', 'mention'],
  ])('cue of %s is %s', (input, cue) => {
    expect(normalize(input).cues).toContain(cue);
  });

  test('emoji stay in the normalised text', () => {
    expect(normalize('太差了😡').text).toContain('😡');
  });

  test('model numbers and VAT are not shouting', () => {
    expect(normalize('Can I get a VAT invoice for the A7?').cues).not.toContain('caps');
  });

  test.each([
    ['你好', 'zh'],
    ['hello there', 'en'],
    ['hello 有人吗', 'zh'],
    ['@优座办公家具 can you deliver to Hong Kong?', 'en'],
  ])('language of %s is %s', (input, lang) => {
    expect(normalize(input).language).toBe(lang);
    expect(detectLanguage(normalize(input).text)).toBe(lang);
  });

  test('collapseRepeats leaves pairs alone', () => {
    expect(collapseRepeats('哈哈')).toBe('哈哈');
    expect(collapseRepeats('!!!!')).toBe('!!');
  });

  test('a pre-processor runs first (e-mail quote stripping)', () => {
    const strip = (t: string): string => t.split('\n> ')[0] ?? t;
    expect(normalize('Thanks!\n> old quoted text', strip).text).toBe('thanks!');
  });

  test('the default e-mail clean-up drops sign-offs and quotes, keeps the subject', () => {
    const mail = 'Subject: Re: broken desk\n\nHello,\nThe leg is cracked.\n\nBest regards,\nAnna\n> earlier message';
    const body = stripEmail(mail);
    expect(body).toContain('broken desk');
    expect(body).toContain('The leg is cracked.');
    expect(body).not.toContain('Anna');
    expect(body).not.toContain('earlier message');
    expect(stripEmail('您好，请问发票开了吗？\n\n谢谢\n行政 小李')).toBe('您好，请问发票开了吗？');
  });
});
