/**
 * Complaint grading (LABELS.md, domain.md §3): severity, category, form and nature, each
 * decided by named cues so that `reasons` tells an agent why. Category also asks a small
 * model trained on the project's own complaint examples, because "what the complaint is
 * about" is spread over many words; the cues only settle the cases the rules of LABELS.md fix.
 */
import {
  ACCUSATION, allHits, EVENT, EXTREME, firstHit, FORMALDEHYDE_HEALTH, HAZARD, HYPOTHETICAL, LEGAL, MEDIA, POLICE,
  PUBLICITY, REGULATOR, SERIOUS, SUGGESTION, VENTING, type Cue,
} from './cues.js';
import type { Normalized } from './normalize.js';
import type { Category, Form, MessageContext, Nature, Severity } from './types.js';

export interface Grade {
  severity: Severity;
  category: Category | null;
  form: Form | null;
  nature: Nature | null;
  /** The cues that decided, in the words an agent reads. */
  reasons: string[];
}

export const NO_GRADE: Grade = Object.freeze({ severity: 'none', category: null, form: null, nature: null, reasons: [] }) as unknown as Grade;

/** What the complaint is about, as probabilities (from the category model). */
export type CategoryScorer = (norm: Normalized) => Array<{ label: Category; p: number }>;

/** Channels whose posts everybody can read. */
const PUBLIC_CHANNELS = new Set(['weibo']);

export interface CriticalFinding {
  kind: 'media' | 'legal' | 'regulator' | 'police' | 'hazard';
  cue: Cue;
}

/** The critical triggers of a text: media, law, regulators, police, or a hazard that happened. */
export function criticalFindings(text: string): CriticalFinding[] {
  const out: CriticalFinding[] = [];
  const push = (kind: CriticalFinding['kind'], cues: Cue[]): void => {
    for (const c of allHits(cues, text)) out.push({ kind, cue: c });
  };
  push('media', MEDIA);
  push('legal', LEGAL);
  push('regulator', REGULATOR);
  push('police', POLICE);
  // "会不会爆炸？" asks about a risk; "气杆爆了" reports one.
  if (!HYPOTHETICAL.test(text) || EVENT.test(text)) push('hazard', HAZARD);
  if (FORMALDEHYDE_HEALTH.test(text) && !out.some((f) => f.kind === 'hazard')) {
    out.push({ kind: 'hazard', cue: { name: 'health: formaldehyde with symptoms', re: FORMALDEHYDE_HEALTH } });
  }
  return out;
}

export function gradeComplaint(norm: Normalized, ctx: MessageContext = {}, scoreCategory?: CategoryScorer): Grade {
  const text = norm.text;
  const reasons: string[] = [];
  const critical = criticalFindings(text);
  const serious = allHits(SERIOUS, text);
  const publicity = allHits(PUBLICITY, text);
  const extreme = allHits(EXTREME, text);
  const venting = firstHit(VENTING, text);
  // "??" alone is puzzlement; with "!" it is shouting.
  const shouting = norm.exclaim >= 2 || (norm.question >= 2 && norm.exclaim >= 1) || norm.cues.includes('emo_anger') || norm.cues.includes('caps');

  // Form: threats of law, regulators, police or disruption are extreme; media and social posts are publicity.
  let form: Form = 'passive';
  const threatens = critical.filter((f) => f.kind === 'legal' || f.kind === 'regulator' || f.kind === 'police');
  if (threatens.length > 0 || extreme.length > 0) form = 'extreme';
  else if (critical.some((f) => f.kind === 'media') || publicity.length > 0) form = 'publicity';
  else if (shouting || venting) form = 'venting';

  // Severity: any critical trigger is critical; a public channel or repeated contact raises the rest.
  const publicChannel = ctx.public ?? PUBLIC_CHANNELS.has(ctx.channel ?? '');
  const repeat = (ctx.repeatContact ?? 0) >= 1;
  let severity: Severity = 'general';
  if (critical.length > 0) {
    severity = 'critical';
    reasons.push(...unique(critical.map((f) => f.cue.name)));
  } else {
    const raised: string[] = serious.map((c) => c.name);
    if (form === 'publicity') raised.push(...publicity.map((c) => c.name));
    if (form === 'extreme') raised.push(...extreme.map((c) => c.name));
    if (repeat) raised.push(`repeated contact: ${ctx.repeatContact} earlier about this problem`);
    if (publicChannel && form === 'venting') raised.push('public channel: an angry post others can read');
    if (raised.length > 0) {
      severity = 'serious';
      reasons.push(...unique(raised));
    }
  }
  if (form === 'venting') reasons.push(venting ? venting.name : 'venting: shouting');
  if (publicChannel && severity === 'general') reasons.push('public channel: mild post, no warning to others');

  const nature = natureOf(text, critical, serious);
  if (nature !== 'criticism') reasons.push(`nature: ${nature}`);
  const category = categoryOf(norm, scoreCategory, reasons);
  return { severity, category, form, nature, reasons };
}

function natureOf(text: string, critical: CriticalFinding[], serious: Cue[]): Nature {
  const deceit = serious.some((c) => c.name.startsWith('accuses')) || ACCUSATION.test(text);
  const legal = critical.some((f) => f.kind === 'legal' || f.kind === 'police');
  if (deceit || legal) return 'accusation';
  if (SUGGESTION.test(text)) return 'suggestion';
  return 'criticism';
}

/** Cue words per category; each hit nudges the model's probabilities. */
const CATEGORY_CUES: Record<Category, RegExp> = {
  price: /降价|差价|价保|便宜了|价格|价钱|多收|运费|上楼费|搬运费|远程费|收费|乱收费|优惠券|券|满减|原价|标价|秒杀|贵|\bprice|overcharg|\bfee\b|coupon|voucher|discount|cheaper|expensive/g,
  integrity: /虚假|宣传|骗|承诺|答应|说好的|明明说|页面写|详情页|官网写|合同写|写明|标注|描述|不符|翻新|二手|冒充|诈骗|欺诈|promised|promise|false advertising|product page|website says|advertised|listing|fraud|scam|\blie|lied|refurbished/g,
  service: /客服|物流|发货|配送|送货|快递|师傅|退款|发票|积分|回复|回电|态度|没人|发错|等了|迟到|处理|审核|安装|staff|support|delivery|driver|courier|refund|invoice|installer|nobody|reply|waiting|shipped/g,
  product: /质量|坏|断|裂|晃|异响|响|味|甲醛|色差|塌|漏气|掉漆|起皮|划痕|螺丝|缺|起球|卡住|电机|气杆|broken|broke|smell|squeak|wobbl|crack|snapped|peel|missing|motor|defect/g,
};
const CUE_WEIGHT = 0.12;
/** LABELS.md fixes these: a broken explicit promise or false advertising is integrity; a fee or a price is price. */
const DECISIVE_CATEGORY: Array<[Category, RegExp]> = [
  ['integrity', /合同(?:上)?写|写明|承诺|说好的?.{0,12}(?:结果|现在|实际|却|没)|翻新|虚假宣传|假货|以次充好|promised|false advertising|contract says/],
  ['price', /(?:费|价|运费|邮费).{0,6}(?:太贵|贵了|也太|这么贵|多收|乱收)|多收|乱收费|降了?\s*\d+|降价|打折了|差价|价保|(?:price|fee).{0,20}(?:drop|higher|expensive|charged)/],
];
const DECISIVE_WEIGHT = 0.35;

function categoryOf(norm: Normalized, scorer: CategoryScorer | undefined, reasons: string[]): Category {
  const scores = new Map<Category, number>();
  for (const { label, p } of scorer?.(norm) ?? []) scores.set(label, p);
  for (const [cat, re] of Object.entries(CATEGORY_CUES) as Array<[Category, RegExp]>) {
    const hits = norm.text.match(re)?.length ?? 0;
    scores.set(cat, (scores.get(cat) ?? 0) + CUE_WEIGHT * Math.min(hits, 3));
  }
  for (const [cat, re] of DECISIVE_CATEGORY) if (re.test(norm.text)) scores.set(cat, (scores.get(cat) ?? 0) + DECISIVE_WEIGHT);
  const [best] = [...scores].sort((a, b) => b[1] - a[1]);
  const category = best?.[0] ?? 'product';
  reasons.push(`category: ${category}`);
  return category;
}

const unique = (xs: string[]): string[] => [...new Set(xs)];
