/**
 * The friend requests a bot account accepts, in the database (migration
 * 011-wechaty-friend-requests): what waits for the hourly cap survives a restart, and the
 * accepts of the last hour still count after one. A few queries an hour: plain Kysely.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../../src/storage/db.js';
import type { Database } from '../../src/storage/schema.js';

// This channel's own table: typed here.
interface FriendRequestsTable {
  seq: number;
  bot: string;
  friendship_id: string;
  contact_id: string;
  facts: string;
  payload: string | null;
  state: string;
  received_at: number;
  accepted_at: number | null;
  updated_at: number;
}
const table = (db: Kysely<Database>) => db as unknown as Kysely<{ wechaty_friend_requests: Omit<FriendRequestsTable, 'seq'> & { seq?: number } }>;

/** `waiting` -> `accepting` (claimed: one of the hour's accepts taken) -> one of the final states. */
export type FinalState = 'accepted' | 'failed' | 'expired' | 'declined' | 'unresumable';

export interface RequestFacts {
  id: string;
  contact: { id: string; name?: string };
  hello: string;
}

export interface WaitingRow {
  facts: RequestFacts;
  payload: string | null;
  receivedAt: number;
}

/** `friendship.toJSON()` beyond this is not kept (a payload is a few hundred bytes). */
export const MAX_PAYLOAD_CHARS = 64 * 1024;

function factsOf(json: string, friendshipId: string, contactId: string): RequestFacts {
  try {
    const parsed = JSON.parse(json) as Partial<RequestFacts>;
    const name = typeof parsed.contact?.name === 'string' ? parsed.contact.name : undefined;
    return { id: friendshipId, contact: { id: contactId, name }, hello: typeof parsed.hello === 'string' ? parsed.hello : '' };
  } catch {
    return { id: friendshipId, contact: { id: contactId }, hello: '' };
  }
}

export class FriendStore {
  constructor(private readonly db: Pick<Db, 'kysely' | 'write'>, private readonly bot: string) {}

  /** Keeps a request in the queue; false when this friendship id is known already (handed over again). */
  async add(facts: RequestFacts, payload: string | null, now: number): Promise<boolean> {
    const kept = payload !== null && payload.length <= MAX_PAYLOAD_CHARS ? payload : null;
    return this.db.write(async (q) => {
      const result = await table(q).insertInto('wechaty_friend_requests').values({
        bot: this.bot, friendship_id: facts.id, contact_id: facts.contact.id, facts: JSON.stringify(facts), payload: kept,
        state: 'waiting', received_at: now, accepted_at: null, updated_at: now,
      }).onConflict((c) => c.columns(['bot', 'friendship_id']).doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    });
  }

  async waitingCount(): Promise<number> {
    const row = await table(this.db.kysely).selectFrom('wechaty_friend_requests').select((e) => e.fn.countAll<number>().as('n'))
      .where('bot', '=', this.bot).where('state', '=', 'waiting').executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** The oldest waiting request. */
  async head(): Promise<WaitingRow | undefined> {
    const row = await table(this.db.kysely).selectFrom('wechaty_friend_requests')
      .select(['friendship_id', 'contact_id', 'facts', 'payload', 'received_at'])
      .where('bot', '=', this.bot).where('state', '=', 'waiting').orderBy('seq').limit(1).executeTakeFirst();
    return row && { facts: factsOf(row.facts, row.friendship_id, row.contact_id), payload: row.payload, receivedAt: Number(row.received_at) };
  }

  /** Takes the request for accepting (one of the hour's accepts); false if it is not waiting any more. */
  async claim(friendshipId: string, now: number): Promise<boolean> {
    return this.db.write(async (q) => {
      const result = await table(q).updateTable('wechaty_friend_requests').set({ state: 'accepting', accepted_at: now, updated_at: now })
        .where('bot', '=', this.bot).where('friendship_id', '=', friendshipId).where('state', '=', 'waiting').executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  async finish(friendshipId: string, state: FinalState, now: number): Promise<void> {
    await this.db.write((q) => table(q).updateTable('wechaty_friend_requests').set({ state, updated_at: now })
      .where('bot', '=', this.bot).where('friendship_id', '=', friendshipId).execute());
  }

  /** When the accepts since `since` were taken, oldest first (the hourly cap after a restart). */
  async acceptedSince(since: number): Promise<number[]> {
    const rows = await table(this.db.kysely).selectFrom('wechaty_friend_requests').select('accepted_at')
      .where('bot', '=', this.bot).where('accepted_at', '>', since).orderBy('accepted_at').execute();
    return rows.map((r) => Number(r.accepted_at));
  }

  /**
   * At start: a request claimed when the last run stopped may or may not have reached WeChat;
   * it waits again (accepting twice is harmless, losing it is not). Finished requests older
   * than `before` are forgotten.
   */
  async recover(before: number, now: number): Promise<number> {
    return this.db.write(async (q) => {
      await table(q).deleteFrom('wechaty_friend_requests').where('bot', '=', this.bot)
        .where('state', 'not in', ['waiting', 'accepting']).where('updated_at', '<', before).execute();
      const result = await table(q).updateTable('wechaty_friend_requests').set({ state: 'waiting', updated_at: now })
        .where('bot', '=', this.bot).where('state', '=', 'accepting').executeTakeFirst();
      return Number(result.numUpdatedRows);
    });
  }
}
