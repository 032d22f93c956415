/**
 * What the channel says in public about a post. Pure: table-tested.
 *
 * Every post is graded by the understanding module (the public channel raises severity and
 * marks warnings to others as the publicity form), which also reads praise beside the intent
 * (src/nlu/praise.ts). Then:
 *  - a complaint, whatever its severity, gets a short holding acknowledgement that invites
 *    the customer to a private message and states no facts and admits nothing: on a public
 *    channel a careless written statement spreads (domain.md §3, publicity power). Praise
 *    words next to a complaint cue ("真是好评啊，甲醛超标") count as the complaint;
 *  - a question, praise or anything else follows WEIBO_PUBLIC_POLICY.
 * The dialog's own replies to a public post are never posted (outbound.ts withholds them): what
 * appears in public is only what this file composes, and always at most 140 characters.
 */
import { normalize } from '../../src/nlu/normalize.js';
import { complaintCues, readPraise, praiseWithComplaint } from '../../src/nlu/praise.js';
import type { Locale, Templates } from '../../src/templates/index.js';
import { PUBLIC_MAX_CHARS, type PublicPolicy } from './definition.js';

export type PostKind = 'complaint' | 'question' | 'praise' | 'other';
export type Severity = 'none' | 'general' | 'serious' | 'critical';

export interface PostGrade {
  intent: string;
  severity: Severity;
  category: string | null;
  form: string | null;
  nature: string | null;
  reasons: string[];
  language: 'zh' | 'en';
  /** The understanding's praise reading (absent from a grader that has none: read here from the text). */
  praise?: boolean;
}

const QUESTION_INTENTS = new Set(['product_inquiry', 'recommendation', 'objection', 'purchase', 'order_confirm', 'shipping', 'after_sales', 'human']);
/** Intents that ask for nothing: a complaint cue in such a post ("差评", "不满意") is the post. */
const ASKS_NOTHING = new Set(['other', 'greeting', 'farewell']);

/**
 * What a post is, for the public reply. On a public channel every complaint is taken
 * seriously, so a complaint cue wins: praise words beside one (sarcasm, a mixed review), or
 * one in a post that asks for nothing, make it a complaint. Praise comes before the question
 * intents: the intent model files "椅子坐着很舒服，强烈推荐" under objection or
 * recommendation, and praise means nothing in it asks (praise.ts). Thanks alone (`farewell`)
 * is thanked too.
 */
export function kindOf(grade: Pick<PostGrade, 'intent' | 'severity' | 'praise'>, text: string): PostKind {
  if (grade.intent === 'complaint' || grade.severity !== 'none') return 'complaint';
  const norm = normalize(text);
  const reading = readPraise(norm);
  if (praiseWithComplaint(reading)) return 'complaint';
  if (ASKS_NOTHING.has(grade.intent) && complaintCues(norm, { signals: false }).length > 0) return 'complaint';
  if (grade.praise ?? reading.praise) return 'praise';
  if (QUESTION_INTENTS.has(grade.intent)) return 'question';
  if (grade.intent === 'farewell') return 'praise';
  return 'other';
}

/** Who should take the post: the supervisor now, the queue first, or the bot. */
export function priorityOf(grade: Pick<PostGrade, 'severity'>): 'critical' | 'serious' | 'normal' {
  return grade.severity === 'critical' ? 'critical' : grade.severity === 'serious' ? 'serious' : 'normal';
}

/** Weibo's count for a comment: every character is one (code points, so an emoji is one too). */
export const weiboLength = (text: string): number => Array.from(text).length;

/**
 * Words a public acknowledgement must never contain: admissions, promises, remedies, facts
 * about the case. Checked on the templates by the tests, and on every composed reply before
 * it is queued (a template edited carelessly is refused, not posted).
 */
export const FORBIDDEN_IN_ACKNOWLEDGEMENT = [
  '承认', '赔偿', '补偿', '全额', '保证', '承诺', '退款', '责任', '过错', '失误', '质量问题', '一定会',
  '承認', '賠償', '補償', '保證', '承諾', '退款', '責任', '過錯',
  'admit', 'compensat', 'refund', 'guarantee', 'fault', 'liab', 'promise', 'our mistake',
];

export const forbiddenIn = (text: string): string[] => FORBIDDEN_IN_ACKNOWLEDGEMENT.filter((w) => text.toLowerCase().includes(w));

export type PublicReply =
  | { action: 'reply'; template: string; text: string }
  | { action: 'ignore'; reason: string };

/**
 * The public reply to a post. `botAnswer` is the dialog's reply to it (used only to answer
 * a question when the policy says `answer` and it fits 140 characters).
 */
export function publicReplyFor(
  kind: PostKind, grade: Pick<PostGrade, 'severity'>, policy: PublicPolicy, templates: Templates, locale: Locale, botAnswer?: string,
): PublicReply {
  const render = (template: string, vars: Record<string, string> = {}): PublicReply => {
    const text = templates.render(template, locale, vars).trim();
    if (!text || weiboLength(text) > PUBLIC_MAX_CHARS) return { action: 'ignore', reason: `template ${template} does not fit ${PUBLIC_MAX_CHARS} characters` };
    return { action: 'reply', template, text };
  };
  switch (kind) {
    case 'complaint': {
      const template = grade.severity === 'critical' ? 'public.complaint.critical' : 'public.complaint';
      const reply = render(template);
      if (reply.action === 'reply' && forbiddenIn(reply.text).length > 0) {
        return { action: 'ignore', reason: `template ${template} contains words a public acknowledgement must not use: ${forbiddenIn(reply.text).join(', ')}` };
      }
      return reply;
    }
    case 'question': {
      if (policy.question === 'ignore') return { action: 'ignore', reason: 'policy: question=ignore' };
      const answer = botAnswer?.trim();
      if (policy.question === 'answer' && answer) {
        const answered = render('public.answer', { answer });
        if (answered.action === 'reply') return answered;
      }
      return render('public.invite');
    }
    case 'praise':
      return policy.praise === 'thank' ? render('public.praise') : { action: 'ignore', reason: 'policy: praise=ignore' };
    case 'other':
      return policy.other === 'invite' ? render('public.invite') : { action: 'ignore', reason: 'policy: other=ignore' };
  }
}
