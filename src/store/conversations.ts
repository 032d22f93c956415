import { sql } from 'kysely';
import type { Conversation, ConversationStatus, DialogState } from '../contract.js';
import { newId, toConversation, type Q } from './rows.js';

export async function getConversation(q: Q, id: string): Promise<Conversation | undefined> {
  const row = await q.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toConversation(row);
}

export async function findOpenConversation(q: Q, channel: string, threadKey: string): Promise<Conversation | undefined> {
  const row = await q.selectFrom('conversations').selectAll()
    // A literal, not a parameter: only then can SQLite use the partial unique index
    // (WHERE status <> 'closed') instead of scanning a status index.
    .where('channel', '=', channel).where('thread_key', '=', threadKey).where(sql<boolean>`status <> 'closed'`)
    .executeTakeFirst();
  return row && toConversation(row);
}

export async function createConversation(
  q: Q, input: { customerId: string; channel: string; threadKey: string; now: number },
): Promise<Conversation> {
  const id = newId();
  await q.insertInto('conversations').values({
    id, customer_id: input.customerId, channel: input.channel, thread_key: input.threadKey, status: 'bot',
    assignee_id: null, dialog_state: null, flow: null, step: null,
    created_at: input.now, updated_at: input.now, last_message_at: input.now,
  }).execute();
  return {
    id, customerId: input.customerId, channel: input.channel as Conversation['channel'], threadKey: input.threadKey,
    status: 'bot', assigneeId: null, dialog: null, createdAt: input.now, updatedAt: input.now, lastMessageAt: input.now,
  };
}

export async function saveDialogState(q: Q, id: string, dialog: DialogState, now: number): Promise<void> {
  await q.updateTable('conversations').set({
    dialog_state: JSON.stringify(dialog), flow: dialog.flow, step: dialog.step, updated_at: now,
  }).where('id', '=', id).execute();
}

export async function setConversationStatus(
  q: Q, id: string, status: ConversationStatus, now: number, assigneeId?: string | null,
): Promise<void> {
  await q.updateTable('conversations')
    .set(assigneeId === undefined ? { status, updated_at: now } : { status, assignee_id: assigneeId, updated_at: now })
    .where('id', '=', id).execute();
}

export async function touchConversation(q: Q, id: string, now: number): Promise<void> {
  await q.updateTable('conversations').set({ last_message_at: now, updated_at: now }).where('id', '=', id).execute();
}

/**
 * Serialise writers of one conversation thread across processes (PostgreSQL only: SQLite
 * has a single writer already). Held until the transaction ends.
 */
export async function lockThread(q: Q, dialect: 'sqlite' | 'postgres', key: string): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(q);
}
