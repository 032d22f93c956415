import { sql, type Selectable } from 'kysely';
import type { Attachment, AuthorKind, Message } from '../contract.js';
import { prepared, preparedWrite, type PreparedQuery } from '../storage/prepared.js';
import type { MessagesTable } from '../storage/schema.js';
import { newId, toMessage, type Q } from './rows.js';

type MessageValues = {
  id: string; conversation_id: string; channel: string; direction: string; kind: string; meta: string; author_kind: string;
  author_id: string | null; text: string; attachments: string; channel_message_id: string | null; raw: string | null;
  processed_at: number | null; created_at: number;
};
const COLUMNS = ['id', 'conversation_id', 'channel', 'direction', 'kind', 'meta', 'author_kind', 'author_id', 'text', 'attachments',
  'channel_message_id', 'raw', 'processed_at', 'created_at'] as const;
const placeholders = (arg: <K extends keyof MessageValues & string>(name: K) => MessageValues[K]) =>
  Object.fromEntries(COLUMNS.map((c) => [c, arg(c)])) as MessageValues;

const insertOnce = preparedWrite<MessageValues>((db, arg) => db.insertInto('messages').values(placeholders(arg))
  .onConflict((oc) => oc.columns(['channel', 'channel_message_id']).doNothing()), { seq: true });
const insertMessage = preparedWrite<MessageValues>((db, arg) => db.insertInto('messages').values(placeholders(arg)), { seq: true });
const byChannelMessageId = prepared<{ channel: string; id: string }, Selectable<MessagesTable>>((db, arg) => db.selectFrom('messages').selectAll()
  .where('channel', '=', arg('channel')).where('channel_message_id', '=', arg('id')));

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
export async function insertInbound(
  q: Q, m: NewInbound & { processed?: boolean },
): Promise<{ id: string; seq: number; duplicate: boolean; conversationId: string }> {
  const id = newId();
  const inserted = await insertOnce(q, {
    id, conversation_id: m.conversationId, channel: m.channel, direction: 'in', kind: m.kind, meta: JSON.stringify(m.meta), author_kind: 'customer',
    author_id: m.authorId, text: m.text, attachments: JSON.stringify(m.attachments),
    channel_message_id: m.channelMessageId, raw: m.raw === undefined ? null : JSON.stringify(m.raw),
    // Stored as processed when its answer commits in the same transaction (see the pipeline).
    processed_at: m.processed ? m.now : null, created_at: m.now,
  });
  if (inserted.seq !== undefined) return { id, seq: inserted.seq, duplicate: false, conversationId: m.conversationId };
  const [first] = await byChannelMessageId(q, { channel: m.channel, id: m.channelMessageId });
  if (!first) throw new Error('a conflicting message vanished inside the transaction');
  // The first copy's conversation: this one, or an earlier one of the thread since closed.
  return { id: first.id, seq: first.seq, duplicate: true, conversationId: first.conversation_id };
}

export async function findByChannelMessageId(q: Q, channel: string, channelMessageId: string): Promise<Message | undefined> {
  const [row] = await byChannelMessageId(q, { channel, id: channelMessageId });
  return row && toMessage(row);
}

export async function insertOutbound(
  q: Q, m: { conversationId: string; channel: string; authorKind: AuthorKind; authorId: string | null; text: string; now: number },
): Promise<{ id: string; seq: number }> {
  const id = newId();
  const { seq } = await insertMessage(q, {
    id, conversation_id: m.conversationId, channel: m.channel, direction: 'out', kind: 'text', meta: '{}', author_kind: m.authorKind,
    author_id: m.authorId, text: m.text, attachments: '[]', channel_message_id: null, raw: null,
    processed_at: null, created_at: m.now,
  });
  return { id, seq: seq! };
}

export async function getMessage(q: Q, id: string): Promise<Message | undefined> {
  const row = await q.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toMessage(row);
}

const setProcessed = prepared<{ id: string; now: number }, never>((db, arg) => db.updateTable('messages').set({ processed_at: arg('now') }).where('id', '=', arg('id')));
export async function markProcessed(q: Q, id: string, now: number): Promise<void> {
  await setProcessed(q, { id, now });
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


/** What a customer's own view of a thread shows of a message. */
export interface ThreadMessage {
  id: string;
  seq: number;
  authorKind: AuthorKind;
  text: string;
  createdAt: number;
}

type ThreadRow = { id: string; seq: number; author_kind: string; text: string; created_at: number };
// The page size is a literal, not a parameter: SQLite plans `LIMIT ?` worse (measured: a
// third slower). Pages come in one or two sizes, so one prepared query per size.
const threadPages = new Map<number, PreparedQuery<{ channel: string; threadKey: string; after: number }, ThreadRow>>();
const threadMessagesAfter = (limit: number) => {
  let query = threadPages.get(limit);
  if (!query) {
    query = prepared((db, arg) => db.selectFrom('messages').select(['id', 'seq', 'author_kind', 'text', 'created_at'])
      .where('conversation_id', 'in', db.selectFrom('conversations').select('id').where('channel', '=', arg('channel')).where('thread_key', '=', arg('threadKey')))
      .where('seq', '>', arg('after')).where('kind', '!=', sql.lit('event')).orderBy('seq').limit(sql.lit(Math.trunc(limit))));
    if (threadPages.size < 16) threadPages.set(limit, query);
  }
  return query;
};

/** Messages (events left out) of every conversation on one channel thread after a cursor (a web chat session's history). */
export async function listThreadMessagesAfter(q: Q, channel: string, threadKey: string, afterSeq: number, limit: number): Promise<ThreadMessage[]> {
  return (await threadMessagesAfter(limit)(q, { channel, threadKey, after: afterSeq })).map(toThreadMessage);
}

const toThreadMessage = (r: ThreadRow): ThreadMessage => ({ id: r.id, seq: r.seq, authorKind: r.author_kind as AuthorKind, text: r.text, createdAt: r.created_at });

// Per conversation of the thread, its last message by index (SQLite's min/max shortcut does
// not apply across an `IN` list): a quarter cheaper than one `max` over the thread.
const threadLastSeq = prepared<{ channel: string; threadKey: string }, { seq: number | null }>((db, arg) => db.selectFrom('conversations as c')
  .select((eb) => sql<number | null>`max(${eb.selectFrom('messages as m').select('m.seq').whereRef('m.conversation_id', '=', 'c.id')
    .where('m.kind', '!=', sql.lit('event')).orderBy('m.seq', 'desc').limit(sql.lit(1))})`.as('seq'))
  .where('c.channel', '=', arg('channel')).where('c.thread_key', '=', arg('threadKey')));

/** The `seq` of a channel thread's last message as its timeline shows it (events left out; 0: none yet). */
export async function lastThreadSeq(q: Q, channel: string, threadKey: string): Promise<number> {
  const [row] = await threadLastSeq(q, { channel, threadKey });
  return row?.seq ?? 0;
}

const conversationFrom = prepared<{ conversationId: string; from: number }, ThreadRow>((db, arg) => db.selectFrom('messages')
  .select(['id', 'seq', 'author_kind', 'text', 'created_at'])
  .where('conversation_id', '=', arg('conversationId')).where('seq', '>=', arg('from')).where('kind', '!=', sql.lit('event')).orderBy('seq'));

/** A conversation's messages (events left out) from a `seq` on: what a transaction added since its first insert. */
export async function listConversationMessagesFrom(q: Q, conversationId: string, fromSeq: number): Promise<ThreadMessage[]> {
  return (await conversationFrom(q, { conversationId, from: fromSeq })).map(toThreadMessage);
}
