import { sql, type Selectable } from 'kysely';
import type { Conversation, ConversationStatus, DialogState } from '../contract.js';
import { prepared } from '../storage/prepared.js';
import type { ConversationsTable } from '../storage/schema.js';
import { newId, toConversation, type Q } from './rows.js';

type Row = Selectable<ConversationsTable>;
const byId = prepared<{ id: string }, Row>((db, arg) => db.selectFrom('conversations').selectAll().where('id', '=', arg('id')));
const openByThread = prepared<{ channel: string; threadKey: string }, Row>((db, arg) => db.selectFrom('conversations').selectAll()
  // A literal, not a parameter: only then can SQLite use the partial unique index
  // (WHERE status <> 'closed') instead of scanning a status index.
  .where('channel', '=', arg('channel')).where('thread_key', '=', arg('threadKey')).where(sql<boolean>`status <> 'closed'`));
const insertConversation = prepared<{ id: string; customerId: string; channel: string; threadKey: string; now: number }, never>((db, arg) =>
  db.insertInto('conversations').values({
    id: arg('id'), customer_id: arg('customerId'), channel: arg('channel'), thread_key: arg('threadKey'), status: 'bot',
    assignee_id: null, dialog_state: null, flow: null, step: null,
    created_at: arg('now'), updated_at: arg('now'), last_message_at: arg('now'),
  }));
const setDialog = prepared<{ id: string; state: string; flow: string; step: string; now: number }, never>((db, arg) => db.updateTable('conversations')
  .set({ dialog_state: arg('state'), flow: arg('flow'), step: arg('step'), updated_at: arg('now'), last_message_at: arg('now') }).where('id', '=', arg('id')));
const touch = prepared<{ id: string; now: number }, never>((db, arg) => db.updateTable('conversations')
  .set({ last_message_at: arg('now'), updated_at: arg('now') }).where('id', '=', arg('id')));

export async function getConversation(q: Q, id: string): Promise<Conversation | undefined> {
  const [row] = await byId(q, { id });
  return row && toConversation(row);
}

export async function findOpenConversation(q: Q, channel: string, threadKey: string): Promise<Conversation | undefined> {
  const [row] = await openByThread(q, { channel, threadKey });
  return row && toConversation(row);
}

export async function createConversation(
  q: Q, input: { customerId: string; channel: string; threadKey: string; now: number },
): Promise<Conversation> {
  const id = newId();
  await insertConversation(q, { id, customerId: input.customerId, channel: input.channel, threadKey: input.threadKey, now: input.now });
  return {
    id, customerId: input.customerId, channel: input.channel as Conversation['channel'], threadKey: input.threadKey,
    status: 'bot', assigneeId: null, dialog: null, createdAt: input.now, updatedAt: input.now, lastMessageAt: input.now,
  };
}

/** The dialog's state after a turn; the turn is the conversation's latest activity. */
export async function saveDialogState(q: Q, id: string, dialog: DialogState, now: number): Promise<void> {
  await setDialog(q, { id, state: JSON.stringify(dialog), flow: dialog.flow, step: dialog.step, now });
}

export async function setConversationStatus(
  q: Q, id: string, status: ConversationStatus, now: number, assigneeId?: string | null,
): Promise<void> {
  await q.updateTable('conversations')
    .set(assigneeId === undefined ? { status, updated_at: now } : { status, assignee_id: assigneeId, updated_at: now })
    .where('id', '=', id).execute();
}

export async function touchConversation(q: Q, id: string, now: number): Promise<void> {
  await touch(q, { id, now });
}

/**
 * One key per channel thread: the pipeline's queue key on a node, and the thread's lock
 * (`lockThread`) across nodes. `|` never occurs in a channel name, so keys of different
 * channels cannot collide.
 */
export const threadKeyOf = (channel: string, threadKey: string): string => `${channel}|${threadKey}`;

/**
 * Serialise writers of one conversation thread across processes (PostgreSQL only: SQLite
 * has a single writer already). Held until the transaction ends.
 */
export async function lockThread(q: Q, dialect: 'sqlite' | 'postgres', key: string): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(q);
}
