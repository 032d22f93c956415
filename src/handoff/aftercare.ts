/**
 * After the service (domain.md §4): a satisfaction survey when a person closes a
 * conversation, its answer taken from the customer's next message, and follow-ups (revisits)
 * at acceptable hours on a channel the customer accepts.
 */
import type { ChannelCapabilities } from '../../channels/types.js';
import type { Conversation, InboundMessage } from '../contract.js';
import { sendReply, type ActionOutcome } from '../pipeline/actions.js';
import * as store from '../store/index.js';
import type { Q } from '../store/index.js';
import { newId } from '../store/rows.js';
import { byUrgency, type Waiting } from './routing.js';
import type { Priority } from './takeover.js';
import type { Locale, Templates } from '../templates/index.js';

export const SURVEY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface Speaker {
  templates: Templates;
  capabilitiesOf(channel: string): ChannelCapabilities;
  localeOf(customerLanguage: string | null): Locale;
}

async function say(q: Q, speaker: Speaker, conversation: Conversation, template: string, vars: Record<string, string | number>, now: number) {
  const customer = await store.getCustomer(q, conversation.customerId);
  const outcome: ActionOutcome = { replies: [], status: conversation.status };
  const text = speaker.templates.render(template, speaker.localeOf(customer?.language ?? null), vars);
  await sendReply({ q, conversation, capabilities: speaker.capabilitiesOf(conversation.channel), templates: speaker.templates, locale: 'zh-CN', now },
    outcome, text, { kind: 'system', id: null });
  return outcome;
}

/**
 * While a customer waits for a person, tell them their place in the queue (at most once per
 * `minIntervalMs`, so a customer who keeps writing is not answered every time).
 */
export async function queuePositionReply(q: Q, speaker: Speaker, conversation: Conversation, now: number, minIntervalMs: number): Promise<ActionOutcome | null> {
  const recent = await q.selectFrom('messages').select('id').where('conversation_id', '=', conversation.id)
    .where('author_kind', '=', 'system').where('created_at', '>', now - minIntervalMs).limit(1).executeTakeFirst();
  if (recent) return null;
  const queued = (await q.selectFrom('conversations').select(['id', 'priority', 'queued_at', 'group_name'])
    .where('status', '=', 'queued').limit(1000).execute())
    .map((r): Waiting => ({ id: r.id, priority: (r.priority ?? 'normal') as Priority, queuedAt: r.queued_at ?? 0, group: r.group_name }))
    .sort(byUrgency);
  const ahead = queued.findIndex((w) => w.id === conversation.id);
  if (ahead < 0) return null;
  return say(q, speaker, conversation, 'queue_position', { position: ahead }, now);
}

/** Ask for a rating on the conversation's own channel (once per conversation). */
export async function sendSurvey(q: Q, speaker: Speaker, conversation: Conversation, agentId: string | null, now: number): Promise<ActionOutcome> {
  await q.insertInto('surveys').values({
    id: newId(now), conversation_id: conversation.id, customer_id: conversation.customerId, channel: conversation.channel,
    thread_key: conversation.threadKey, agent_id: agentId, sent_at: now, rating: null, comment: null, answered_at: null,
  }).onConflict((oc) => oc.column('conversation_id').doNothing()).execute();
  return say(q, speaker, conversation, 'survey', {}, now);
}

/** "5", "4分 很满意", "3 星": a rating from 1 to 5 and an optional comment. */
export function parseRating(text: string): { rating: number; comment: string | null } | null {
  // The digit must stand alone ("10" or "1.5" is not a rating).
  const match = /^\s*([1-5１-５])(?![0-9０-９.])\s*(?:分|星|stars?|points?)?\s*[,，.。:：;；!！-]?\s*([\s\S]*)$/i.exec(text);
  if (!match) return null;
  const digit = match[1]!;
  const rating = digit.charCodeAt(0) > 0xff ? digit.charCodeAt(0) - 0xff10 : Number(digit);
  const comment = match[2]!.trim();
  return { rating, comment: comment ? comment.slice(0, 2000) : null };
}

/**
 * A message on a thread whose conversation was closed with a survey pending: if it reads as
 * a rating, it answers the survey (stored in the closed conversation) instead of opening a
 * new conversation. Returns null when it is an ordinary new message.
 */
export async function takeSurveyAnswer(
  q: Q, speaker: Speaker, input: InboundMessage, now: number,
): Promise<{ conversation: Conversation; messageId: string; outcome: ActionOutcome } | null> {
  // Read as a rating first: most first messages are not one, and then no survey is looked up.
  const answer = input.kind === 'text' ? parseRating(input.text) : null;
  if (!answer) return null;
  const pending = await q.selectFrom('surveys').select(['id', 'conversation_id'])
    .where('channel', '=', input.channel).where('thread_key', '=', input.threadKey).where('answered_at', 'is', null)
    .where('sent_at', '>', now - SURVEY_WINDOW_MS).orderBy('sent_at', 'desc').limit(1).executeTakeFirst();
  if (!pending) return null;
  const conversation = (await store.getConversation(q, pending.conversation_id))!;
  const stored = await store.insertInbound(q, {
    conversationId: conversation.id, channel: input.channel, authorId: input.sender.externalId, kind: 'text', meta: { public: input.public },
    text: input.text, attachments: [], channelMessageId: input.channelMessageId, raw: input.raw, now,
  });
  await store.markProcessed(q, stored.id, now);
  await q.updateTable('surveys').set({ rating: answer.rating, comment: answer.comment, answered_at: now }).where('id', '=', pending.id).execute();
  // The customer has seen the result and answered: a resolved case is closed (SAP: closed after acceptance).
  await q.updateTable('cases').set({ status: 'closed', updated_at: now }).where('conversation_id', '=', conversation.id).where('status', '=', 'resolved').execute();
  const outcome = await say(q, speaker, conversation, 'survey_thanks', {}, now);
  return { conversation, messageId: stored.id, outcome };
}

/**
 * The next acceptable moment at or after `at`: revisits only within the configured windows
 * (default 12:00-13:00 and 16:00-19:00, server local time), as the seed texts advise.
 */
export function nextAcceptable(at: number, windows: Array<[number, number]>): number {
  for (let day = 0; day < 8; day++) {
    const base = new Date(at);
    base.setDate(base.getDate() + day);
    for (const [from, to] of windows) {
      const start = new Date(base);
      start.setHours(from, 0, 0, 0);
      const end = new Date(base);
      end.setHours(to, 0, 0, 0);
      if (day === 0 && at >= start.getTime() && at < end.getTime()) return at;
      if (start.getTime() >= at) return start.getTime();
    }
  }
  return at;
}

export function parseWindows(value: string): Array<[number, number]> {
  return value.split(',').map((w) => w.trim()).filter(Boolean).map((w) => {
    const m = /^(\d{1,2})-(\d{1,2})$/.exec(w);
    if (!m || Number(m[1]) >= Number(m[2]) || Number(m[2]) > 24) throw new Error(`'${w}' is not an hour window like 16-19`);
    return [Number(m[1]), Number(m[2])] as [number, number];
  }).sort((a, b) => a[0] - b[0]);
}

export async function scheduleFollowUp(q: Q, conversation: Conversation, note: string, dueAt: number, now: number): Promise<void> {
  const caseRow = await store.getCaseByConversation(q, conversation.id);
  await q.insertInto('follow_ups').values({
    id: newId(now), conversation_id: conversation.id, customer_id: conversation.customerId, case_id: caseRow?.id ?? null,
    note: note.slice(0, 1000), due_at: dueAt, status: 'scheduled', channel: null, outcome: null, created_at: now, done_at: null,
  }).execute();
}

/**
 * Carry out one due follow-up: on the conversation's channel unless the customer refused it,
 * else on another channel of theirs they accept; skipped (and recorded) when none is left.
 */
export async function runFollowUp(
  q: Q, speaker: Speaker, id: string, now: number, dialect: 'sqlite' | 'postgres',
): Promise<{ conversationId: string | null; outcome: ActionOutcome | null }> {
  // Taken by an update, not a read: on PostgreSQL the row stays locked until this commits, so
  // another node running the same due follow-up waits here, then finds it no longer scheduled.
  const row = await q.updateTable('follow_ups').set({ status: 'scheduled' }).where('id', '=', id).where('status', '=', 'scheduled')
    .returningAll().executeTakeFirst();
  if (!row) return { conversationId: null, outcome: null };
  const customer = await store.getCustomer(q, row.customer_id);
  const refused = new Set<string>(customer?.contactPreferences.optedOut ?? []);
  const original = await store.getConversation(q, row.conversation_id);
  const candidates = await q.selectFrom('conversations').selectAll().where('customer_id', '=', row.customer_id)
    .orderBy('last_message_at', 'desc').limit(20).execute();
  const preferred = customer?.contactPreferences.preferredChannel;
  const ordered = [original, ...candidates.map((c) => ({ id: c.id, channel: c.channel }))]
    .filter((c): c is NonNullable<typeof c> => !!c)
    .sort((a, b) => Number(b.channel === preferred) - Number(a.channel === preferred));
  const target = ordered.find((c) => !refused.has(c.channel));
  if (!target) {
    await q.updateTable('follow_ups').set({ status: 'skipped', outcome: 'every channel of the customer is refused', done_at: now }).where('id', '=', id).execute();
    return { conversationId: null, outcome: null };
  }
  const conversation = (await store.getConversation(q, target.id))!;
  // Its message is a write to that thread like any other (Pipeline.writeInThread).
  await store.lockThread(q, dialect, store.threadKeyOf(conversation.channel, conversation.threadKey));
  const outcome = await say(q, speaker, conversation, 'follow_up', {}, now);
  await q.updateTable('follow_ups').set({ status: 'done', channel: conversation.channel, done_at: now }).where('id', '=', id).execute();
  return { conversationId: conversation.id, outcome };
}
