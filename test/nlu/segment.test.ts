import { DOMAIN_WORDS, segment, stem } from '../../src/nlu/segment.js';
import { concepts } from '../../src/nlu/lexicon.js';
import { normalize } from '../../src/nlu/normalize.js';

describe('segment', () => {
  test.each(['升降桌', '活动柜', '人体工学椅', '甲醛', '色差', '12315', '消协', '市场监管', '小红书', '避雷', '电竞椅', '气杆'])(
    'the domain dictionary keeps %s whole',
    (word) => {
      expect(DOMAIN_WORDS).toContain(word);
      expect(segment(`我的${word}有问题`).words).toContain(word);
    },
  );

  test('English words are stemmed', () => {
    expect(segment('deliveries shipped').words).toEqual([stem('deliveries'), stem('shipped')]);
    expect(stem('casters')).toBe('caster');
  });

  test('Chinese runs give character bigrams and offsets', () => {
    const s = segment('升降桌坏了');
    expect(s.bigrams).toEqual(['升降', '降桌', '桌坏', '坏了']);
    for (const t of s.tokens) expect('升降桌坏了'.slice(t.start, t.end)).toBe(t.w);
  });

  test('model codes and order numbers stay one token', () => {
    expect(segment('a7 e01 yz2406-1234').words).toEqual(['a7', 'e01', 'yz2406-1234']);
  });
});

describe('concepts (shared by Chinese and English)', () => {
  test.each([
    ['保修多久', 'warranty how long', 'warranty'],
    ['能送到香港吗', 'do you ship to hong kong', 'overseas'],
    ['升降桌', 'standing desk', 'standing_desk'],
    ['货到付款', 'cash on delivery', 'cod'],
    ['退款', 'refund', 'refund'],
  ])('%s and %s meet on %s', (zh, en, concept) => {
    expect(concepts(normalize(zh).text)).toContain(concept);
    expect(concepts(normalize(en).text)).toContain(concept);
  });

  test('a longer form wins over its prefix (修改 is not 修 repair)', () => {
    const c = concepts('修改地址');
    expect(c).toContain('modify');
    expect(c).not.toContain('repair');
  });

  test('"gas lift" is a part, "no lift" an elevator', () => {
    expect(concepts('the gas lift leaks')).toContain('gas_lift');
    expect(concepts('there is no lift in our building')).toContain('elevator');
  });

  test('an English phrasal verb counts with its object between verb and particle', () => {
    expect(concepts('can someone put the new desk together')).toContain('install');
    expect(concepts('i want to send this chair back')).toContain('return');
    expect(concepts('please take our old cabinets away')).toContain('haul_away');
    // Too far apart, it is two separate words.
    expect(concepts('take a look at the photos of the damage i sent you yesterday away')).not.toContain('haul_away');
  });

  test('"3rd floor" is a storey, not a floor surface', () => {
    const c = concepts("we're on the 3rd floor");
    expect(c).toContain('stairs');
    expect(c).not.toContain('floor');
  });
});
