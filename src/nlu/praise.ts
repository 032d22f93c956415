/**
 * Praise: a customer saying something good about the shop, a product or a person
 * ("五星好评", "安装师傅很专业", "great service"). Not an intent: LABELS.md fixes twelve, and
 * praise is read *beside* the intent, so a channel can thank instead of apologise and the
 * dialog does not open a complaint for a compliment the intent model mistook for one.
 *
 * It fails towards the complaint. A text is praise only when it has a praise cue and nothing
 * in it complains, denies, turns, asks or makes a condition:
 *  - a complaint cue: the grader's critical findings (media, law, regulators, police, a
 *    hazard reported), its serious cues (except repeated contact, which a loyal customer
 *    shares), the threats, and the milder words below (defects, delays, "差评", sarcasm);
 *  - negation ("不满意", "not great"), once fixed positive phrases are set aside ("不错",
 *    "没得说", "no complaints");
 *  - a turn ("但是", "结果", "说好的", "but", "except");
 *  - a question, a condition ("如果", "if"), or a request ("请尽快", "please").
 * So "客服很耐心，但是问题还没解决" and "真是好评啊，又坏了" are not praise, and the caller
 * sees why (`blockedBy`): a channel may treat praise words next to a complaint cue as the
 * complaint they probably are (sarcasm, or a mixed review).
 */
import { allHits, EXTREME, SERIOUS, type Cue } from './cues.js';
import { criticalFindings } from './grade.js';
import { normalize, type Normalized } from './normalize.js';

export type PraiseBlock = 'complaint' | 'negation' | 'contrast' | 'question' | 'condition' | 'request';

export interface PraiseReading {
  praise: boolean;
  /** The praise cues found, even when something blocks them. */
  cues: string[];
  /** What kept the text from counting as praise (empty when it is praise, or has no praise cue). */
  blockedBy: Array<{ kind: PraiseBlock; cue: string }>;
}

const cue = (name: string, re: RegExp): Cue => ({ name, re });

/**
 * Phrases set aside before anything is matched. Positive ones contain a negation or a
 * complaint word ("不错", "没毛病", "问题解决了"); neutral ones contain a praise word but are
 * not praise ("好评返现" is a shop's offer, "贵司" is a polite "your company").
 */
const POSITIVE_FIXED = /不错|不愧|不得不(?:说|夸|承认)|不用说|不一般|不仅|不但|不光|不少|不虚此行|没得说|没的说|没话说|没毛病|没(?:有)?问题|没想到|没(?:有)?让(?:我|人)失望|不会让人失望|无可挑剔|无敌|无比|非常|特别|问题(?:已经|都|很快|马上|及时|当天)?(?:就)?(?:解决|处理)(?:了|好了|完了)|(?:解决|处理)了?(?:我的)?问题|no complaints?|no problems?|no issues?|not bad|can'?t complain|couldn'?t be happier|can'?t (?:recommend|thank) (?:\w+ )?enough|(?:never|didn'?t|doesn'?t|won'?t) disappoint(?:ed)?|no hesitation|nothing but (?:praise|good)/g;
const NEUTRAL_FIXED = /好评(?:返现|返|有礼|送)|(?:返现|晒图|追评).{0,4}好评|贵司|贵公司|贵店|贵方|宝贵|出差|不好意思|不客气|区别|分别|别人|别的|级别|类别|个别|无线|无论|无需|未来|两口子|小两口/g;

/** What counts as praise. */
export const PRAISE_CUES: Cue[] = [
  cue('praise: rating', /好评|五星|5星|满分|满意|点赞|点个赞|赞一个|赞赞|[👍]|\[(?:赞|good|鼓掌|给力)\]/u),
  cue('praise: approval', /不错|没得说|没的说|没话说|没毛病|无可挑剔|给力|靠谱|良心|[很真太超好挺]?棒|完美|优秀|出色|厉害|绝了|yyds|可以的|值得|值了|物超所值|超值|超出预期|超预期|比(?:想象|预期)(?:中|的)?(?:还|更)?好|惊喜|放心|省心|舒心|开心|喜欢|爱了|很爱|超爱|圈粉|一如既往/),
  cue('praise: qualities', /好用|好看|好坐|舒服|舒适|结实|稳当|稳固|扎实|精致|漂亮|大气|质感|做工(?:好|精细|很好|扎实)|质量(?:好|很好|真好|过硬|上乘)|专业|耐心|细心|热情|周到|贴心|负责|(?:发货|物流|送货|配送|快递|到货|回复|响应|处理|安装|售后)(?:速度)?(?:[很真挺超太也好]|非常|特别)?(?:快|及时|迅速|高效)|神速/),
  cue('praise: recommends or returns', /强烈推荐|推荐给|值得推荐|推荐购买|推荐大家|已推荐|会推荐|安利给|回购|还会再来|会再买|再来买|下次还|又买了|再次购买|第[二三四五六\d]+次(?:购买|买|回购|下单|光顾)/),
  cue('praise: thanks to a person', /(?:感谢|谢谢|多谢)(?:你们|客服|小编|师傅|小姐姐|小哥|老师|团队|工作人员).{0,8}(?:耐心|专业|帮助|帮忙|服务|细心|用心|热情|认真)/),
  cue('praise (en)', /\b(?:great|amazing|awesome|excellent|fantastic|wonderful|brilliant|superb|outstanding|perfect|lovely|impressive|impressed|helpful|friendly|patient|professional|courteous|sturdy|comfortable|comfy|beautiful|gorgeous|well made|top[- ]notch|five stars?|5 stars?|kudos|well done|good job|nice job|great job|bravo|happy with|pleased with|satisfied|delighted|thrilled|exceeded|worth (?:it|every)|good value|value for money|(?:so|really|very|super) good)\b|\blov(?:e|ed|es|ing) (?:it|this|that|the|my|our|how|your|them)\b|\b(?:highly|would|definitely) recommend\b|\brecommend(?:ed)? (?:it|them|you|this)\b|\bbest (?:chair|desk|purchase|service|support|customer service)\b|\b10\/10\b/),
];

/** Mild complaint words the grader does not need (it grades complaints already found) but praise must respect. */
const COMPLAINT_WORDS: Cue[] = [
  cue('complaint: bad rating or warning', /差评|一星|1星|零分|0分|不推荐|避雷|踩雷|踩坑|劝退|拔草|别买|不要买|慎买|千万别|后悔|上当|失望|心寒|寒心|智商税|割韭菜/),
  cue('complaint: defect', /坏|(?<!灿)烂|破(?:了|损|洞|口)|裂|断(?:了|掉|开)|松(?:动|了|垮)|晃|歪|塌|凹|鼓包|变形|掉漆|起皮|脱皮|划痕|刮花|色差|异味|味道(?:大|重|很大)|有(?:点|股|些)?味|臭|刺鼻|甲醛|超标|异响|响声|嘎吱|吱吱|噪音|漏|生锈|缺|少了|少发|漏发|发错|错发|错(?!过)|不符|瑕疵|质量问题|毛病|故障|问题|卡住|失灵/),
  cue('complaint: delay or neglect', /慢|迟迟|拖(?:了|延|着|太久|到现在)|等了|太久|[几好]天了|一周了|个月了|还没|没人|不理|不回|敷衍|推脱|踢皮球|态度差|态度恶劣|爱答不理|甩锅|扯皮|催/),
  cue('complaint: money', /退款|退货|退钱|换货|赔|补偿|差价|多收|乱收|贵|涨价|降价|价保/),
  cue('complaint: displeasure', /差(?!不多)|不满|不爽|生气|愤怒|火大|郁闷|难受|难(?:用|看|闻|坐|装|搞|弄)|为难|折腾|白跑|耽误|欺负|忍无可忍|忍不了|凭什么|搞什么|什么鬼|什么破|怎么回事|到底|为什么|为啥|垃圾|辣鸡|恶心|离谱|过分|无语|(?<![舒佩说信克制])服了|(?<!陶)醉了|崩溃|心累|糟心|闹心|窝火|憋屈|气人|气死|烦死|坑|骗|忽悠|套路|假货|山寨|投诉|举报|维权|说好的|承诺的|答应的/),
  cue('complaint: sarcasm', /呵呵|好一个|真行啊|真有你们的|谢谢你们全家|感谢你们全家|[🙄😒🤡🙃]|\[(?:白眼|怒|哼|抓狂|吐|鄙视|傻眼|汗|无语|微笑)\]/u),
  cue('complaint (en)', /\b(?:bad|terrible|awful|horrible|horrendous|poor|poorly|worst|worse|disappoint\w*|broken|broke|breaks|damaged?|defect\w*|faulty|fault|crack\w*|wobbl\w*|squeak\w*|leak\w*|scratch\w*|dent|dented|stain\w*|smell\w*|stink\w*|missing|wrong|late|delay\w*|slow|waiting|waited|refund\w*|returned|returning|exchange|replacement|compensat\w*|complain\w*|complaint|issues?|problems?|trouble|useless|waste|rude|ignored|unhelpful|scam\w*|fraud|fake|overpriced|rip-?off|angry|annoy\w*|frustrat\w*|upset|ridiculous|joke|yeah right|thanks for nothing|smh|ugh)\b|cheaply made|feels cheap|looks cheap|🙄/u),
];

/** The grader's serious and extreme cues block praise (repeated contact alone does not: a loyal customer writes again); its critical findings are added in `complaintCues`. */
const GRADER_CUES: Cue[] = [...EXTREME, ...SERIOUS.filter((c) => !c.name.startsWith('repeated contact'))];

const NEGATION: Cue[] = [
  cue('negation', /不|没|别|未|无|非|莫|勿|甭/),
  cue('negation (en)', /\b(?:not|never|no|nothing|nobody|none|nor|hardly|barely|without|cannot|lack\w*)\b|n't\b|n’t\b/),
];
const CONTRAST: Cue[] = [
  cue('contrast', /但|可是|可惜|不过|却|然而|只是|就是(?![好棒])|结果|偏偏|反而|明明|还以为|唯一的?(?:缺点|不足)|美中不足|除了/),
  cue('contrast (en)', /\b(?:but|however|though|although|except|unfortunately|shame|pity|only (?:problem|issue|thing)|supposed to|instead|expected)\b/),
];
const QUESTION: Cue[] = [
  cue('question', /[?？]|吗|请问|怎么|如何|多少|几(?:天|时|号|点)|哪(?:款|个|种|里|天|些)|啥时候|什么时候|是否|能否|可否|有没有|是不是|能不能|可不可以|会不会|求推荐/),
];
const CONDITION: Cue[] = [
  cue('condition', /如果|要是|假如|万一|若是|只要|等.{0,8}(?:再|就|才)|\b(?:if|unless)\b/),
];
const REQUEST: Cue[] = [
  cue('request', /请(?:你们|贵司)?(?:尽快|帮|给|处理|安排|联系|回复|退|换|补|发|核实|解释)|尽快|赶紧|快点|麻烦(?:尽快|帮|处理|给|安排|看|回)|帮(?:我|忙)(?:看|处理|查|问|催|解决|安排|退|换|改)|需要(?:你们|处理|解决)|给(?:我)?(?:个|一个)?(?:说法|解释|交代)|处理一下|解决一下|安排一下|\bplease\b(?! keep)|\b(?:could|can|would) you\b|\bi (?:need|want)\b|\basap\b|\bsort (?:it|this) out\b|\bfix (?:it|this)\b/),
];

/** Signals of the normaliser (emoji, emoticons) that carry anger, sadness or a sneer. */
const SOUR_SIGNALS = new Set(['emo_anger', 'emo_sad', 'emo_meh']);

/** The fixed phrases set aside, as `readPraise` sees the text: [text for praise cues, text for the rest]. */
function prepared(norm: Normalized): [string, string] {
  const text = norm.text.replace(NEUTRAL_FIXED, ' ');
  return [text, text.replace(POSITIVE_FIXED, ' ')];
}

/**
 * The complaint cues of a text, named, as praise.ts counts them (the grader's cues, the milder
 * words here, and with `signals` the sour emoji). A channel may use them to take a post the
 * intent model filed under `other` ("差评", "不满意") as the complaint it is.
 */
export function complaintCues(norm: Normalized, options: { signals?: boolean } = {}): string[] {
  return complaintCuesIn(norm, prepared(norm)[1], options.signals ?? true);
}

/** `complaintCues` on a text whose fixed phrases are already set aside (`rest` of `prepared`). */
function complaintCuesIn(norm: Normalized, rest: string, signals: boolean): string[] {
  // The critical findings as the grader makes them: a hazard reported, not one asked about.
  const found = [...new Set(criticalFindings(rest).map((f) => f.cue.name))];
  found.push(...allHits([...GRADER_CUES, ...COMPLAINT_WORDS], rest).map((c) => c.name));
  if (signals) for (const signal of norm.cues) if (SOUR_SIGNALS.has(signal)) found.push(`emoji: ${signal}`);
  return found;
}

/** Reads a normalised text for praise (see the header). Pure. */
export function readPraise(norm: Normalized): PraiseReading {
  const [text, rest] = prepared(norm);
  const cues = allHits(PRAISE_CUES, text).map((c) => c.name);
  if (cues.length === 0) return { praise: false, cues, blockedBy: [] };
  // Fixed positive phrases count for the praise cues ("质量没得说") but are set aside for the rest.
  const blockedBy: PraiseReading['blockedBy'] = complaintCuesIn(norm, rest, true).map((name) => ({ kind: 'complaint' as const, cue: name }));
  const block = (kind: PraiseBlock, found: Cue[]): void => {
    for (const c of found) blockedBy.push({ kind, cue: c.name });
  };
  block('negation', allHits(NEGATION, rest));
  block('contrast', allHits(CONTRAST, rest));
  block('question', allHits(QUESTION, rest));
  block('condition', allHits(CONDITION, rest));
  block('request', allHits(REQUEST, rest));
  return { praise: blockedBy.length === 0, cues, blockedBy };
}

/** Praise words with a complaint cue beside them: sarcasm or a mixed review, to be handled as the complaint. */
export const praiseWithComplaint = (reading: PraiseReading): boolean =>
  reading.cues.length > 0 && reading.blockedBy.some((b) => b.kind === 'complaint');

/** `readPraise` on raw text. */
export const praiseOf = (text: string): PraiseReading => readPraise(normalize(text));
