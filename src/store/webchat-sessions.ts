import { prepared } from '../storage/prepared.js';
import type { Q } from './rows.js';

export interface WebchatSessionRow {
  id: string;
  tokenHash: string;
  customerId: string;
  conversationId: string;
}

export async function insertWebchatSession(q: Q, s: WebchatSessionRow & { now: number }): Promise<void> {
  await q.insertInto('webchat_sessions').values({
    id: s.id, token_hash: s.tokenHash, customer_id: s.customerId, conversation_id: s.conversationId,
    created_at: s.now, last_seen_at: s.now,
  }).execute();
}

const byId = prepared<{ id: string }, { id: string; token_hash: string; customer_id: string; conversation_id: string }>((db, arg) =>
  db.selectFrom('webchat_sessions').select(['id', 'token_hash', 'customer_id', 'conversation_id']).where('id', '=', arg('id')));

export async function getWebchatSession(q: Q, id: string): Promise<WebchatSessionRow | undefined> {
  const [row] = await byId(q, { id });
  return row && { id: row.id, tokenHash: row.token_hash, customerId: row.customer_id, conversationId: row.conversation_id };
}

export async function setWebchatConversation(q: Q, id: string, conversationId: string, now: number): Promise<void> {
  await q.updateTable('webchat_sessions').set({ conversation_id: conversationId, last_seen_at: now }).where('id', '=', id).execute();
}
