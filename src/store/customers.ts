import type { Selectable } from 'kysely';
import type { Customer, Identity } from '../contract.js';
import { prepared } from '../storage/prepared.js';
import type { CustomersTable } from '../storage/schema.js';
import { newId, toCustomer, toTier, type Q } from './rows.js';

const byId = prepared<{ id: string }, Selectable<CustomersTable>>((db, arg) => db.selectFrom('customers').selectAll().where('id', '=', arg('id')));
const identityOf = prepared<{ channel: string; externalId: string }, { identityId: string; customerId: string; mergedInto: string | null }>((db, arg) =>
  db.selectFrom('identities').innerJoin('customers', 'customers.id', 'identities.customer_id')
    .select(['identities.id as identityId', 'customers.id as customerId', 'customers.merged_into as mergedInto'])
    .where('identities.channel', '=', arg('channel')).where('identities.external_id', '=', arg('externalId')));
const insertCustomer = prepared<{ id: string; displayName: string | null; language: string | null; now: number }, never>((db, arg) =>
  db.insertInto('customers').values({
    id: arg('id'), display_name: arg('displayName'), tier: 'standard', language: arg('language'),
    contact_prefs: '{}', attributes: '{}', merged_into: null, created_at: arg('now'), updated_at: arg('now'),
  }));
const insertIdentity = prepared<{ id: string; customerId: string; channel: string; externalId: string; displayName: string | null; now: number }, never>((db, arg) =>
  db.insertInto('identities').values({
    id: arg('id'), customer_id: arg('customerId'), channel: arg('channel'), external_id: arg('externalId'),
    display_name: arg('displayName'), created_at: arg('now'),
  }));

const traitsById = prepared<{ id: string }, { tier: string; language: string | null }>((db, arg) =>
  db.selectFrom('customers').select(['tier', 'language']).where('id', '=', arg('id')));

/** What a bot turn needs of its customer (no JSON columns to parse). */
export async function getCustomerTraits(q: Q, id: string): Promise<Pick<Customer, 'tier' | 'language'> | undefined> {
  const [row] = await traitsById(q, { id });
  return row && { tier: toTier(row.tier), language: row.language };
}

export async function getCustomer(q: Q, id: string): Promise<Customer | undefined> {
  const [row] = await byId(q, { id });
  return row && toCustomer(row);
}

export async function createCustomer(q: Q, input: { displayName?: string | null; language?: string | null; now: number }): Promise<string> {
  const id = newId();
  await insertCustomer(q, { id, displayName: input.displayName ?? null, language: input.language ?? null, now: input.now });
  return id;
}

/**
 * The customer behind a channel identity, created on first contact. A merged customer
 * resolves to the one it was merged into, so old identities keep working.
 */
export async function resolveIdentity(
  q: Q, input: { channel: string; externalId: string; displayName?: string; now: number },
): Promise<{ customerId: string; identityId: string }> {
  const [found] = await identityOf(q, { channel: input.channel, externalId: input.externalId });
  if (found) return { identityId: found.identityId, customerId: found.mergedInto ?? found.customerId };
  const customerId = await createCustomer(q, { displayName: input.displayName ?? null, now: input.now });
  const identityId = newId();
  await insertIdentity(q, {
    id: identityId, customerId, channel: input.channel, externalId: input.externalId, displayName: input.displayName ?? null, now: input.now,
  });
  return { customerId, identityId };
}

export async function listIdentities(q: Q, customerId: string): Promise<Identity[]> {
  const rows = await q.selectFrom('identities').selectAll()
    .where('customer_id', 'in', q.selectFrom('customers').select('id')
      .where((eb) => eb.or([eb('id', '=', customerId), eb('merged_into', '=', customerId)])))
    .orderBy('created_at').execute();
  return rows.map((r) => ({
    id: r.id, customerId: r.customer_id, channel: r.channel as Identity['channel'], externalId: r.external_id,
    displayName: r.display_name, createdAt: r.created_at,
  }));
}

/**
 * Merge `fromId` into `intoId` (the same person seen on two channels): identities and
 * conversations move, the old record stays as a pointer so nothing that referenced it breaks.
 */
export async function mergeCustomers(q: Q, fromId: string, intoId: string, now: number): Promise<void> {
  if (fromId === intoId) return;
  await q.updateTable('identities').set({ customer_id: intoId }).where('customer_id', '=', fromId).execute();
  await q.updateTable('conversations').set({ customer_id: intoId }).where('customer_id', '=', fromId).execute();
  await q.updateTable('cases').set({ customer_id: intoId }).where('customer_id', '=', fromId).execute();
  await q.updateTable('customers').set({ merged_into: intoId, updated_at: now }).where('id', '=', fromId).execute();
  await q.updateTable('customers').set({ merged_into: intoId, updated_at: now }).where('merged_into', '=', fromId).execute();
}

export async function updateCustomer(
  q: Q, id: string, patch: { tier?: Customer['tier']; language?: string; attributes?: Record<string, unknown>; contactPreferences?: Customer['contactPreferences'] }, now: number,
): Promise<void> {
  const current = await getCustomer(q, id);
  if (!current) return;
  await q.updateTable('customers').set({
    tier: patch.tier ?? current.tier,
    language: patch.language ?? current.language,
    attributes: JSON.stringify({ ...current.attributes, ...patch.attributes }),
    contact_prefs: JSON.stringify(patch.contactPreferences ?? current.contactPreferences),
    updated_at: now,
  }).where('id', '=', id).execute();
}
