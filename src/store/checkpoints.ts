import type { Q } from './rows.js';

/** A named value that survives restarts (a channel cursor, an IMAP UID). */
export async function getCheckpoint(q: Q, name: string): Promise<string | undefined> {
  const row = await q.selectFrom('checkpoints').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

export async function setCheckpoint(q: Q, name: string, value: string, now: number): Promise<void> {
  await q.insertInto('checkpoints').values({ name, value, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now })).execute();
}

/** Atomically increments a named counter and returns the new value (row-locked on PostgreSQL). */
export async function nextCounter(q: Q, name: string, now: number): Promise<number> {
  await q.insertInto('checkpoints').values({ name, value: '0', updated_at: now })
    .onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await q.updateTable('checkpoints')
    .set((eb) => ({ value: eb.cast(eb(eb.cast('value', 'integer'), '+', 1), 'text'), updated_at: now }))
    .where('name', '=', name).returning('value').executeTakeFirstOrThrow();
  return Number(row.value);
}
