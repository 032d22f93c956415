import type { Attachment, AuthorKind, Message } from '../contract.js';
import { newId, toMessage, type Q } from './rows.js';

export interface NewInbound {
  conversationId: string;
  kind: 'text' | 'media' | 'event';
  meta: { event?: string; key?: string; public?: boolean };
  channel: string;
  authorId: string | null;
  text: string;
  attachments: Attachment[];
  channelMessageId: string;
  raw: unknown;
  now: number;
}

/**
 * Stores an inbound message once per (channel, channel message id). A redelivery finds
 * the first copy and reports it as a duplicate, so it is neither stored nor answered again.
 */
export async function insertInbound(q: Q, m: NewInbound): Promise<{ id: string; seq: number; duplicate: boolean }> {
  const id = newId();
  const inserted = await q.insertInto('messages').values({
    id, conversation_id: m.conversationId, channel: m.channel, direction: 'in', kind: m.kind, meta: JSON.stringify(m.meta), author_kind: 'customer',
    author_id: m.authorId, text: m.text, attachments: JSON.stringify(m.attachments),
    channel_message_id: m.channelMessageId, raw: m.raw === undefined ? null : JSON.stringify(m.raw),
    processed_at: null, created_at: m.now,
  }).onConflict((oc) => oc.columns(['channel', 'channel_message_id']).doNothing())
    .returning('seq').executeTakeFirst();
  if (inserted) return { id, seq: inserted.seq, duplicate: false };
  const first = await q.selectFrom('messages').select(['id', 'seq'])
    .where('channel', '=', m.channel).where('channel_message_id', '=', m.channelMessageId).executeTakeFirstOrThrow();
  return { ...first, duplicate: true };
}

export async function findByChannelMessageId(q: Q, channel: string, channelMessageId: string): Promise<Message | undefined> {
  const row = await q.selectFrom('messages').selectAll()
    .where('channel', '=', channel).where('channel_message_id', '=', channelMessageId).executeTakeFirst();
  return row && toMessage(row);
}

export async function insertOutbound(
  q: Q, m: { conversationId: string; channel: string; authorKind: AuthorKind; authorId: string | null; text: string; now: number },
): Promise<{ id: string; seq: number }> {
  const id = newId();
  const row = await q.insertInto('messages').values({
    id, conversation_id: m.conversationId, channel: m.channel, direction: 'out', kind: 'text', meta: '{}', author_kind: m.authorKind,
    author_id: m.authorId, text: m.text, attachments: '[]', channel_message_id: null, raw: null,
    processed_at: null, created_at: m.now,
  }).returning('seq').executeTakeFirstOrThrow();
  return { id, seq: row.seq };
}

export async function getMessage(q: Q, id: string): Promise<Message | undefined> {
  const row = await q.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toMessage(row);
}

export async function markProcessed(q: Q, id: string, now: number): Promise<void> {
  await q.updateTable('messages').set({ processed_at: now }).where('id', '=', id).execute();
}

export async function isProcessed(q: Q, id: string): Promise<boolean> {
  const row = await q.selectFrom('messages').select('processed_at').where('id', '=', id).executeTakeFirst();
  return row?.processed_at != null;
}

/** Messages of a conversation after a cursor (a `seq`), oldest first. */
export async function listMessagesAfter(q: Q, conversationId: string, afterSeq: number, limit: number): Promise<Message[]> {
  const rows = await q.selectFrom('messages').selectAll()
    .where('conversation_id', '=', conversationId).where('seq', '>', afterSeq)
    .orderBy('seq').limit(limit).execute();
  return rows.map(toMessage);
}

/** What the dialog needs of a stored inbound message. */
export async function getInboundForDialog(q: Q, id: string) {
  const row = await q.selectFrom('messages').select(['conversation_id', 'channel', 'kind', 'meta', 'text', 'processed_at'])
    .where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const meta = JSON.parse(row.meta) as { event?: string; key?: string; public?: boolean };
  return {
    conversationId: row.conversation_id, channel: row.channel, kind: row.kind as NewInbound['kind'], text: row.text,
    event: meta.event, key: meta.key, public: meta.public === true, processed: row.processed_at !== null,
  };
}

/** Inbound messages stored but not yet handled: re-run after a crash or restart. */
export async function listUnprocessed(q: Q, limit: number): Promise<Array<{ id: string; conversationId: string }>> {
  const rows = await q.selectFrom('messages').select(['id', 'conversation_id'])
    .where('direction', '=', 'in').where('processed_at', 'is', null).orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, conversationId: r.conversation_id }));
}


/** Messages (events left out) of every conversation on one channel thread after a cursor (a web chat session's history). */
export async function listThreadMessagesAfter(q: Q, channel: string, threadKey: string, afterSeq: number, limit: number): Promise<Message[]> {
  const ids = (await q.selectFrom('conversations').select('id').where('channel', '=', channel).where('thread_key', '=', threadKey).execute()).map((r) => r.id);
  if (ids.length === 0) return [];
  // One conversation (the usual case): an equality lets the (conversation_id, seq) index
  // deliver rows in order, with no sort.
  const rows = await q.selectFrom('messages').selectAll()
    .where((eb) => (ids.length === 1 ? eb('conversation_id', '=', ids[0]!) : eb('conversation_id', 'in', ids)))
    .where('seq', '>', afterSeq).where('kind', '!=', 'event').orderBy('seq').limit(limit).execute();
  return rows.map(toMessage);
}
