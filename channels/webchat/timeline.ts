/** A session's messages as the widget sees them, after a cursor (the last `seq` it has). */
import type { Message } from '../../src/contract.js';
import type { Db } from '../../src/storage/db.js';
import { KefuError } from '../../src/errors.js';
import * as store from '../../src/store/index.js';
import { PAGE_SIZE } from './definition.js';

export interface TimelineMessage {
  id: string;
  author: Message['authorKind'];
  text: string;
  createdAt: string;
}

export interface TimelinePage {
  messages: TimelineMessage[];
  cursor: string;
}

export function parseCursor(value: unknown): number {
  if (value === undefined || value === '') return 0;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) throw new KefuError('validation_failed', 'after: must be a cursor returned by this API');
  return Number(value);
}

export async function readTimeline(db: Db, sessionId: string, after: number): Promise<TimelinePage> {
  return timelinePage(await store.listThreadMessagesAfter(db.kysely, 'webchat', sessionId, after, PAGE_SIZE), after);
}

/** The page of `rows`, the messages right after the cursor `after`. */
export function timelinePage(rows: store.ThreadMessage[], after: number): TimelinePage {
  const last = rows.at(-1);
  return {
    messages: rows.map((m) => ({ id: m.id, author: m.authorKind, text: m.text, createdAt: new Date(m.createdAt).toISOString() })),
    cursor: String(last ? last.seq : after),
  };
}
