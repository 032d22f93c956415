/** What agents read: conversation lists and the full view of one conversation. */
import type { ConversationStatus } from '../contract.js';
import * as store from '../store/index.js';
import type { Q } from '../store/index.js';
import { parseJson } from '../store/rows.js';

export async function listConversationSummaries(q: Q, filter: { status?: ConversationStatus; limit: number }) {
  let query = q.selectFrom('conversations').leftJoin('customers', 'customers.id', 'conversations.customer_id')
    .leftJoin('cases', 'cases.conversation_id', 'conversations.id')
    .select([
      'conversations.id', 'conversations.channel', 'conversations.status', 'conversations.assignee_id', 'conversations.priority',
      'conversations.queued_at', 'conversations.handoff_reason', 'conversations.flow', 'conversations.step', 'conversations.last_message_at',
      'customers.display_name', 'customers.tier', 'cases.number as case_number', 'cases.severity',
    ])
    .orderBy('conversations.last_message_at', 'desc').limit(filter.limit);
  if (filter.status) query = query.where('conversations.status', '=', filter.status);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id, channel: r.channel, status: r.status, assignee: r.assignee_id, priority: r.priority, queuedAt: r.queued_at,
    reason: r.handoff_reason, flow: r.flow, step: r.step, lastMessageAt: r.last_message_at,
    customer: { name: r.display_name, tier: r.tier }, case: r.case_number ? { number: r.case_number, severity: r.severity } : null,
  }));
}

export async function conversationDetail(q: Q, id: string) {
  const conversation = await store.getConversation(q, id);
  if (!conversation) return null;
  const [customer, identities, messages, caseRow, queue] = await Promise.all([
    store.getCustomer(q, conversation.customerId),
    store.listIdentities(q, conversation.customerId),
    store.listMessagesAfter(q, id, 0, 500),
    q.selectFrom('cases').selectAll().where('conversation_id', '=', id).orderBy('created_at', 'desc').limit(1).executeTakeFirst(),
    q.selectFrom('conversations').select(['priority', 'queued_at', 'handoff_reason', 'group_name']).where('id', '=', id).executeTakeFirstOrThrow(),
  ]);
  const history = await q.selectFrom('conversations').select(['id', 'channel', 'status', 'last_message_at'])
    .where('customer_id', '=', conversation.customerId).where('id', '!=', id).orderBy('last_message_at', 'desc').limit(20).execute();
  const timeline = caseRow
    ? await q.selectFrom('case_events').select(['kind', 'actor', 'detail', 'created_at']).where('case_id', '=', caseRow.id).orderBy('seq').execute()
    : [];
  return {
    id: conversation.id,
    channel: conversation.channel,
    status: conversation.status,
    flow: conversation.dialog?.flow ?? null,
    step: conversation.dialog?.step ?? null,
    assignee: conversation.assigneeId,
    queue: { priority: queue.priority, queuedAt: queue.queued_at, reason: queue.handoff_reason, group: queue.group_name },
    customer: customer && {
      id: customer.id, name: customer.displayName, tier: customer.tier, language: customer.language,
      identities: identities.map((i) => ({ channel: i.channel, externalId: i.externalId, name: i.displayName })),
      history: history.map((h) => ({ conversationId: h.id, channel: h.channel, status: h.status, lastMessageAt: h.last_message_at })),
    },
    grading: caseRow ? {
      severity: caseRow.severity, category: caseRow.category, form: caseRow.form, nature: caseRow.nature, reasons: parseJson<string[]>(caseRow.reasons, []),
    } : null,
    case: caseRow ? {
      number: caseRow.number, status: caseRow.status, owner: caseRow.owner_id, subject: caseRow.subject,
      firstResponseDue: caseRow.first_response_due, resolutionDue: caseRow.resolution_due, firstResponseAt: caseRow.first_response_at,
      resolvedAt: caseRow.resolved_at, resolution: caseRow.resolution, slaBreached: caseRow.sla_breached === 1,
      timeline: timeline.map((e) => ({ kind: e.kind, actor: e.actor, detail: parseJson(e.detail, {}), at: e.created_at })),
    } : null,
    // Events (a follow, a timer) are shown as system lines, never as something the customer wrote.
    messages: messages.map((m) => ({
      id: m.id, kind: m.kind, author: m.kind === 'event' ? 'system' : m.authorKind, authorId: m.authorId,
      text: m.kind === 'event' ? `[${m.event ?? 'event'}]` : m.text,
      attachments: m.attachments, createdAt: m.createdAt,
    })),
  };
}
