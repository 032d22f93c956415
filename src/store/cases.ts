import type { Case, Severity } from '../contract.js';
import { nextCounter } from './checkpoints.js';
import { newId, toCase, type Q } from './rows.js';

/** Case numbers read like `K000123`: short enough to say on the phone or put in a subject. */
export const formatCaseNumber = (n: number): string => `K${String(n).padStart(6, '0')}`;

export interface NewCase {
  customerId: string;
  conversationId: string | null;
  severity: Severity;
  category: string | null;
  form: string | null;
  nature: string | null;
  reasons: string[];
  subject: string;
  now: number;
}

export async function createCase(q: Q, c: NewCase): Promise<Case> {
  const id = newId();
  const number = formatCaseNumber(await nextCounter(q, 'case_number', c.now));
  await q.insertInto('cases').values({
    id, number, customer_id: c.customerId, conversation_id: c.conversationId, status: 'open', severity: c.severity,
    category: c.category, form: c.form, nature: c.nature, reasons: JSON.stringify(c.reasons), subject: c.subject.slice(0, 500),
    owner_id: null, created_at: c.now, updated_at: c.now,
  }).execute();
  return toCase((await q.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow()));
}

export async function getCaseByConversation(q: Q, conversationId: string): Promise<Case | undefined> {
  const row = await q.selectFrom('cases').selectAll().where('conversation_id', '=', conversationId)
    .orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  return row && toCase(row);
}

export async function getCaseByNumber(q: Q, number: string): Promise<Case | undefined> {
  const row = await q.selectFrom('cases').selectAll().where('number', '=', number).executeTakeFirst();
  return row && toCase(row);
}
