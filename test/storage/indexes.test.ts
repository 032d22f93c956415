/**
 * The per-conversation lookups of the outbox and of cases are served by an index, not a
 * scan of the whole table (SQLite's query plan names the index it uses).
 */
import { sql } from 'kysely';
import { useTempSqlite } from '../support/sqlite.js';

const db = useTempSqlite('idx');

const planOf = async (query: string): Promise<string> => {
  const { rows } = await sql.raw<{ detail: string }>(`explain query plan ${query}`).execute(db().kysely);
  return rows.map((r) => r.detail).join(' | ');
};

test('the oldest unsent outbox entry of a conversation is found through outbox_conversation_seq', async () => {
  const plan = await planOf("select * from outbox where conversation_id = 'c1' and status in ('pending', 'sending') order by seq limit 1");
  expect(plan).toContain('outbox_conversation_seq');
  expect(plan).not.toMatch(/SCAN outbox(?! USING)/);
});

test("a conversation's cases are found through cases_conversation", async () => {
  const plan = await planOf("select * from cases where conversation_id = 'c1'");
  expect(plan).toContain('cases_conversation');
});
