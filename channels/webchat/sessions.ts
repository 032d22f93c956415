/**
 * Web chat sessions: an id and a bearer token (only its SHA-256 is stored). Each session is
 * a channel thread, so one session can never read or write another's messages.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/storage/db.js';
import { KefuError } from '../../src/errors.js';
import { safeEqual, sha256 } from '../../src/server/http.js';
import * as store from '../../src/store/index.js';

export interface WebchatSession {
  id: string;
  customerId: string;
}

const CACHE_LIMIT = 10_000;
const DUMMY_HASH = sha256('no such session');

export class WebchatSessions {
  /** Verified sessions by id: a hot path on every poll. Bounded; the oldest entries go first. */
  private readonly cache = new Map<string, { tokenHash: string; customerId: string }>();

  constructor(private readonly db: Db) {}

  async create(input: { displayName?: string; language?: string }): Promise<{ sessionId: string; token: string }> {
    const sessionId = `wc_${randomBytes(12).toString('base64url')}`;
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    await this.db.kysely.transaction().execute(async (q) => {
      const who = await store.resolveIdentity(q, { channel: 'webchat', externalId: sessionId, displayName: input.displayName, now });
      if (input.language) await store.updateCustomer(q, who.customerId, { language: input.language }, now);
      const conversation = await store.createConversation(q, { customerId: who.customerId, channel: 'webchat', threadKey: sessionId, now });
      await store.insertWebchatSession(q, { id: sessionId, tokenHash: sha256(token), customerId: who.customerId, conversationId: conversation.id, now });
    });
    return { sessionId, token };
  }

  /** The session if `token` is its token; otherwise 401 (the same answer for an unknown id). */
  async authenticate(sessionId: string, token: string): Promise<WebchatSession> {
    let entry = this.cache.get(sessionId);
    if (!entry) {
      const row = await store.getWebchatSession(this.db.kysely, sessionId);
      if (row) {
        entry = { tokenHash: row.tokenHash, customerId: row.customerId };
        if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
        this.cache.set(sessionId, entry);
      }
    }
    // An unknown id is compared against a dummy so that both failures take the same time.
    const valid = safeEqual(sha256(token), entry?.tokenHash ?? DUMMY_HASH);
    if (!entry || !valid) throw new KefuError('unauthorized', 'invalid session or token');
    return { id: sessionId, customerId: entry.customerId };
  }
}
