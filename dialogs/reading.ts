/**
 * Reading what a customer wrote for the slot the dialog is filling: yes or no, a choice,
 * a quantity, an order number, contact details. The NLU classifies a whole message; these
 * read short answers ("好", "2", "第一款") that only make sense after the bot's question.
 * Pure string functions over the normalised text (Simplified, half-width, lower-case).
 */

const trimmed = (text: string): string => text.trim().replace(/^[\s,.!?;:，。！？；：、~～]+|[\s,.!?;:，。！？；：、~～]+$/g, '');

const YES_EXACT = new Set([
  '好', '好的', '好滴', '好嘞', '行', '行的', '可以', '可以的', '确认', '确定', '对', '对的', '是', '是的', '没错', '没问题', '嗯', '嗯嗯',
  '要', '要的', '买', '下单', '提交', '就这样', 'ok', 'okay', 'yes', 'yep', 'yeah', 'sure', 'confirm', 'confirmed', 'correct', 'right', 'fine',
]);
const YES = /^(?:好的?|可以|确认|确定|没问题|没错|对的?|是的|行|嗯|就(?:这样|它|要这个|这款|这个)|下单|提交|帮我下单|(?:yes|yep|yeah|sure|ok|okay|confirm|correct|go ahead|sounds good|that'?s right|place (?:it|the order)|i'?ll take it|let'?s do it))/;
const NO = /不对|不是|错了|有误|修改|改一下|要改|改成|换成|不要|不用|算了|取消|不买|不行|再看看|再想想|考虑|\bno\b|\bnope\b|\bchange\b|\bwrong\b|not right|cancel|not now|rather not/;

/** 'yes', 'no', or null when the text is neither (then it is read some other way). */
export function yesNo(text: string): 'yes' | 'no' | null {
  const t = trimmed(text);
  if (YES_EXACT.has(t)) return 'yes';
  if (NO.test(t)) return 'no';
  if (YES.test(t)) return 'yes';
  return null;
}

const ORDINALS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, first: 1, second: 2, third: 3, fourth: 4, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5 };

/** A pick among offered choices: "2", "第二个", "the second one", or the choice's own words. */
export function choiceIndex(text: string, labels: string[]): number | null {
  const t = trimmed(text);
  const numbered = /^(?:选|要|option|number|no\.?)?\s*第?\s*([1-5一二两三四五]|first|second|third|fourth)\s*(?:个|款|种|项|条|one|option)?$/.exec(t)
    ?? /^(?:the )?(first|second|third|fourth)(?: one| option)?$/.exec(t);
  if (numbered) {
    const n = ORDINALS[numbered[1]!];
    if (n !== undefined && n <= labels.length) return n - 1;
  }
  if (/^(?:前面|上面)(?:那|这)?(?:个|款)|^the former$/.test(t) && labels.length >= 1) return 0;
  if (/^(?:后面|下面)(?:那|这)?(?:个|款)|^the latter$/.test(t) && labels.length >= 2) return labels.length - 1;
  const hit = labels.findIndex((label) => label.length > 0 && t.includes(label.toLowerCase()));
  return hit >= 0 ? hit : null;
}

/** Only a pick by position ("2", "第二个", "the second one"): it says which, not how many. */
export const isBareChoice = (text: string): boolean => choiceIndex(text, ['', '', '', '', '']) !== null;

const HAN_NUMBERS: Record<string, number> = { 一: 1, 两: 2, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };
const EN_NUMBERS: Record<string, number> = { one: 1, a: 1, an: 1, single: 1, two: 2, pair: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10 };

/** How many: "两张", "3把", "2", "x2", "two desks". Only 1..99 counts. */
export function quantity(text: string): number | null {
  const t = trimmed(text);
  const ok = (n: number) => (Number.isInteger(n) && n >= 1 && n <= 99 ? n : null);
  const digits = /^(?:x|×)?\s*(\d{1,2})\s*(?:张|把|个|套|台|件|pcs|pieces|units)?$/.exec(t) ?? /(?<![\d.第a-z])(\d{1,2})\s*(?:张|把|个|套|台|件|pcs|pieces|units|desks?|chairs?|tables?)/.exec(t) ?? /[x×]\s*(\d{1,2})\b/.exec(t);
  if (digits) return ok(Number(digits[1]));
  const han = /(?<!第)(十[一二三四五六七八九]?|[一两二三四五六七八九]十?[一二三四五六七八九]?)\s*(?:张|把|个|套|台|件)/.exec(t) ?? /^(十|[一两二三四五六七八九])$/.exec(t);
  if (han) return ok(hanNumber(han[1]!));
  const en = /\b(one|a|an|single|two|pair|three|four|five|six|seven|eight|nine|ten)\b\s*(?:of (?:them|those)|desks?|chairs?|tables?|pedestals?|cabinets?|units?|pieces?)?$/.exec(t);
  return en ? ok(EN_NUMBERS[en[1]!]!) : null;
}

function hanNumber(s: string): number {
  if (s === '十') return 10;
  const [tens, ones] = s.includes('十') ? s.split('十') : ['', s];
  const t = tens === undefined || tens === '' ? (s.includes('十') ? 1 : 0) : (HAN_NUMBERS[tens] ?? 0);
  return t * 10 + (ones ? (HAN_NUMBERS[ones] ?? 0) : 0);
}

/** An order number: KF followed by digits, or what follows 订单号 / order no. */
export function orderNumber(raw: string): string | null {
  const kf = /\b(kf\d{4,20})\b/i.exec(raw);
  if (kf) return kf[1]!.toUpperCase();
  const labelled = /(?:订单号?|单号|order(?:\s*(?:no\.?|number|#))?)\s*[:：#是为]?\s*([a-z0-9][a-z0-9-]{4,30})/i.exec(raw);
  if (labelled && /\d/.test(labelled[1]!)) return labelled[1]!.toUpperCase();
  return null;
}

export interface ContactFacts {
  name?: string;
  phone?: string;
  address?: string;
}

const ADDRESS = /[省市区县镇乡路街道号弄巷栋楼室村]|\d+\s*(?:[a-z]+\s+){0,3}(?:street|st\b|road|rd\b|avenue|ave\b|lane|ln\b|drive|dr\b|boulevard|blvd)|\b(?:street|road|avenue|district|city|building|floor|room|apt)\b/i;
const LABEL = /^(收货人|联系人|姓名|名字|我叫|电话|手机号?|联系电话|地址|收货地址|送到|name|phone|tel|mobile|address|deliver to)\s*(?:改成|改为|换成|更改为|更正为|changed? to|is now|is|to|是|为)?\s*[:：]?\s*/i;
const STOP_NAMES = /^(你好|您好|谢谢|好的|可以|确认|收货|地址|电话|手机|下单|麻烦|请问)$|\b(?:address|phone|number|wrong|change|should|please|the|my|is|it|to|order|confirm|yes|no)\b/i;
/** "地址错了，改成…", "it should be …": the words of a correction, not part of the facts. */
const CORRECTION = /^(?:(?:写错了|弄错了|错了|不对|有误|改一下|改成|改为|换成|更正为|应该是|是|it should be|should be|it is|is now|changed to|wrong)[，,:：\s]*)+/i;

/** Name, phone and address from a message like "张三 13800000000 上海市浦东新区张江路1号". */
export function contactFacts(raw: string): ContactFacts {
  const facts: ContactFacts = {};
  const phone = /(?<!\d)(1[3-9]\d{9})(?!\d)/.exec(raw.replace(/[\s-]/g, '')) ?? /(\+?\d[\d\s-]{7,16}\d)/.exec(raw);
  if (phone) facts.phone = phone[1]!.replace(/[\s-]/g, '');
  for (let segment of raw.split(/[,，;；\n]+|\s{2,}|(?<=[\u4e00-\u9fa5])\s+|\s+(?=[\u4e00-\u9fa5])/)) {
    segment = segment.trim();
    const label = LABEL.exec(segment)?.[1]?.toLowerCase() ?? '';
    segment = segment.replace(LABEL, '').replace(/(?<!\d)\+?\d[\d\s-]{7,16}\d(?!\d)/g, '').trim().replace(CORRECTION, '').trim();
    if (!segment) continue;
    if (/地址|送到|address|deliver/.test(label) || (!/收货人|联系人|姓名|名字|我叫|name/.test(label) && ADDRESS.test(segment) && segment.length >= 6)) {
      facts.address = facts.address ? `${facts.address}, ${segment}` : segment;
    } else if (!facts.name && (/^[\u4e00-\u9fa5·]{2,5}$/.test(segment) || /^[a-z][a-z .'-]{1,40}$/i.test(segment)) && !STOP_NAMES.test(segment) && segment.split(/\s+/).length <= 4) {
      facts.name = segment;
    } else if (facts.address) {
      // "88 Century Avenue, Shanghai": what follows an address belongs to it.
      facts.address = `${facts.address}, ${segment}`;
    }
  }
  return facts;
}

/** A question rather than a statement ("升降桌" names a category; "升降桌能升多高？" asks something). */
export const isQuestion = (text: string): boolean =>
  /[?？]|吗|呢|多少|多久|多长|多高|多重|怎么|怎样|如何|什么|哪|几|能否|可否|是否|有没有|能不能|可不可以|\b(?:how|what|which|when|where|why|does|do|is|are|can|could|will)\b/.test(text);

/** Asks for a person, even inside a complaint ("转人工" inside a complaint is labelled complaint). */
export const asksForPerson = (text: string): boolean =>
  /人工(?!智能|费)|真人|转接|找(?:你们)?(?:主管|经理|领导|负责人)|客服主管|\bhuman\b|real person|\bagent\b|speak to (?:a|your) (?:manager|supervisor|person)|talk to (?:a|someone|your)/.test(text);

/** A plain goodbye or thanks ("好的谢谢", "bye"): what makes a farewell more than an "ok". */
export const saysGoodbye = (text: string): boolean =>
  /谢谢|感谢|再见|拜拜|没有了|没别的|不用了|就这些|先这样|\bbye\b|goodbye|thanks|thank you|that'?s all|nothing else/.test(text);

/** Asks about a particular order ("我的快递到哪了"), not shipping in general ("一般几天到"). */
export const asksAboutOwnOrder = (text: string): boolean =>
  /我的|我买的|我那|订单|单号|到哪|到哪里|查一下|查查|物流信息|什么时候到|发货了吗|还没到|my order|my package|my parcel|where is|track|has it shipped|when will (?:it|my)/.test(text);

const GENEROUS = /不差钱|价格无所谓|价钱无所谓|贵(?:一)?点(?:也)?没关系|贵点也行|只要(?:质量)?好|要最好的|不在乎(?:价格|钱)|money is no object|price (?:doesn'?t|does not) matter|don'?t mind (?:paying|the price)|the best (?:one|you have)/;

/** "贵点没关系", "price doesn't matter": a generous customer (thank them, mention the gift). */
export const isGenerous = (text: string): boolean => GENEROUS.test(text);

/** Pushes back on the price ("太贵了", "最低多少", "any discount?"); "最便宜的是哪款" is a request, not an objection. */
export const objectsToPrice = (text: string): boolean =>
  /贵|便宜点|便宜些|便宜一点|再便宜|优惠|打折|打个折|折扣|最低|底价|少点|少一点|让利|抹零|砍价|discount|expensive|too much|pricey|cheaper|best price|a deal|lower the price/.test(text) && !wantsCheapest(text) && !isGenerous(text);

/** Talks about furnishing an office without naming a kind of furniture yet: take the inquiry. */
export const wantsFurniture = (text: string): boolean =>
  /家具|办公室|工位|装修|添置|采购|布置|新公司|furniture|furnish|office|workspace|workstation/.test(text);

/** Doubts the product ("质量靠谱吗", "will it last?"): answered with facts, not with a discount. */
export const doubts = (text: string): boolean =>
  /质量|靠谱|耐用|会不会坏|结实|真的|放心|担心|甲醛|味道|售后|保修|quality|reliable|durable|\blast\b|worth it|trust|warranty|break/.test(text);

/** Wants the cheapest of something. */
export const wantsCheapest = (text: string): boolean => /最便宜的|便宜(?:一)?点的(?:款|型号|有吗)|最实惠|性价比|预算有限|cheapest|on a budget|affordable one|less expensive one/.test(text);
