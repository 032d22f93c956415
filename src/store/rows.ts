/** Row <-> contract mapping, in one place, so JSON columns are parsed the same everywhere. */
import type { Selectable } from 'kysely';
import type { Kysely } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { Case, Conversation, Customer, Message } from '../contract.js';
import type { CasesTable, ConversationsTable, CustomersTable, Database, MessagesTable } from '../storage/schema.js';

/** A query runner: the database or a transaction on it. */
export type Q = Kysely<Database>;

// Random bytes drawn from the system 4 KiB at a time (one call per 256 ids, not one per id).
let pool = Buffer.alloc(0);
let offset = 0;
function randomChunk(): Buffer {
  if (offset + 16 > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  offset += 16;
  return pool.subarray(offset - 16, offset);
}

/**
 * Time-ordered UUIDs (version 7, RFC 9562): new rows land at the end of every index on an
 * id instead of on a random page, which keeps each commit to a few dirty pages.
 */
export function newId(now = Date.now()): string {
  const bytes = Buffer.from(randomChunk());
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** A stored tier: anything but `vip` reads as `standard`. */
export const toTier = (tier: string): Customer['tier'] => (tier === 'vip' ? 'vip' : 'standard');

export function toCustomer(row: Selectable<CustomersTable>): Customer {
  return {
    id: row.id,
    displayName: row.display_name,
    tier: toTier(row.tier),
    language: row.language,
    contactPreferences: { optedOut: [], quietHours: true, ...parseJson(row.contact_prefs, {}) },
    attributes: parseJson(row.attributes, {}),
    mergedInto: row.merged_into,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toConversation(row: Selectable<ConversationsTable>): Conversation {
  return {
    id: row.id,
    customerId: row.customer_id,
    channel: row.channel as Conversation['channel'],
    threadKey: row.thread_key,
    status: row.status as Conversation['status'],
    assigneeId: row.assignee_id,
    dialog: parseJson(row.dialog_state, null),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastMessageAt: row.last_message_at,
  };
}

export function toMessage(row: Selectable<MessagesTable>): Message {
  return {
    id: row.id,
    seq: row.seq,
    conversationId: row.conversation_id,
    channel: row.channel as Message['channel'],
    direction: row.direction === 'out' ? 'out' : 'in',
    kind: row.kind === 'event' ? 'event' : row.kind === 'media' ? 'media' : 'text',
    event: row.kind === 'event' ? (parseJson<{ event?: string }>(row.meta, {}).event ?? null) : null,
    authorKind: row.author_kind as Message['authorKind'],
    authorId: row.author_id,
    text: row.text,
    attachments: parseJson(row.attachments, []),
    channelMessageId: row.channel_message_id,
    raw: parseJson(row.raw, null),
    createdAt: row.created_at,
  };
}

export function toCase(row: Selectable<CasesTable>): Case {
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
    conversationId: row.conversation_id,
    status: row.status,
    severity: row.severity as Case['severity'],
    category: row.category,
    form: row.form,
    nature: row.nature,
    reasons: parseJson(row.reasons, []),
    subject: row.subject,
    ownerId: row.owner_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
