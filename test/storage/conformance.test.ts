/**
 * The storage conformance suite: the same assertions against SQLite and a real PostgreSQL
 * server, so the one query layer behaves the same on both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../../src/storage/db.js';
import * as store from '../../src/store/index.js';
import { FriendStore } from '../../channels/wechaty/friend-store.js';
import { usePostgres } from '../support/postgres.js';

type Backend = { name: string; open: () => Promise<Db>; teardown: () => Promise<void> };

const tmp = mkdtempSync(join(tmpdir(), 'kefu-store-'));
let counter = 0;

const backends: Backend[] = [
  { name: 'sqlite', open: async () => openDb({ dataDir: join(tmp, `s${counter++}`) }), teardown: async () => undefined },
  {
    name: 'postgres',
    open: async () => openDb({ databaseUrl: await pgServer()!.createDatabase(`conf_${counter++}`), dataDir: tmp }),
    teardown: async () => undefined,
  },
];

const pgServer = usePostgres();

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(backends)('storage on $name', (backend) => {
  let db: Db;
  const now = 1_700_000_000_000;

  beforeEach(async () => {
    if (backend.name === 'postgres' && !pgServer()) return;
    db = await backend.open();
    expect(await db.migrate()).toEqual(['001-init', '002-orders', '003-email', '004-weibo', '005-workspace', '006-aftercare', '007-email-bounces', '008-wechat-quota', '009-weibo-private-invite', '010-lookup-indexes', '011-wechaty-friend-requests', '012-outbox-lease-token']);
  });
  afterEach(async () => {
    await db?.close();
  });

  const skipIfNoPg = () => backend.name === 'postgres' && !pgServer();

  test('migrations are idempotent and ping works', async () => {
    if (skipIfNoPg()) return;
    expect(await db.migrate()).toEqual([]);
    expect(await db.ping()).toBe(true);
  });

  test('an identity resolves to the same customer; merged customers resolve to the survivor', async () => {
    if (skipIfNoPg()) return;
    const q = db.kysely;
    const a = await store.resolveIdentity(q, { channel: 'wechat', externalId: 'openid-1', displayName: '张三', now });
    const again = await store.resolveIdentity(q, { channel: 'wechat', externalId: 'openid-1', now });
    expect(again).toEqual(a);
    const b = await store.resolveIdentity(q, { channel: 'email', externalId: 'zhang@example.com', now });
    expect(b.customerId).not.toBe(a.customerId);
    await store.mergeCustomers(q, b.customerId, a.customerId, now + 1);
    expect((await store.resolveIdentity(q, { channel: 'email', externalId: 'zhang@example.com', now })).customerId).toBe(a.customerId);
    const identities = await store.listIdentities(q, a.customerId);
    expect(identities.map((i) => i.channel).sort()).toEqual(['email', 'wechat']);
    expect((await store.getCustomer(q, b.customerId))?.mergedInto).toBe(a.customerId);
  });

  test('one open conversation per thread; a closed one leaves room for a new one', async () => {
    if (skipIfNoPg()) return;
    const q = db.kysely;
    const { customerId } = await store.resolveIdentity(q, { channel: 'webchat', externalId: 's1', now });
    const first = await store.createConversation(q, { customerId, channel: 'webchat', threadKey: 's1', now });
    // Matched by message: better-sqlite3's error class can come from another Jest realm.
    await expect(store.createConversation(q, { customerId, channel: 'webchat', threadKey: 's1', now }))
      .rejects.toMatchObject({ message: expect.stringMatching(/unique|duplicate key/i) });
    await store.setConversationStatus(q, first.id, 'closed', now);
    const second = await store.createConversation(q, { customerId, channel: 'webchat', threadKey: 's1', now });
    expect((await store.findOpenConversation(q, 'webchat', 's1'))?.id).toBe(second.id);
    await store.saveDialogState(q, second.id, { version: 3, flow: 'reception', step: 'recommend', data: { sku: 'DESK-1' } }, now);
    const loaded = await store.getConversation(q, second.id);
    expect(loaded?.dialog).toEqual({ version: 3, flow: 'reception', step: 'recommend', data: { sku: 'DESK-1' } });
    expect(loaded?.createdAt).toBe(now);
  });

  test('inbound messages are stored once per channel message id, even when inserted concurrently', async () => {
    if (skipIfNoPg()) return;
    const q = db.kysely;
    const { customerId } = await store.resolveIdentity(q, { channel: 'wechat', externalId: 'o1', now });
    const conversation = await store.createConversation(q, { customerId, channel: 'wechat', threadKey: 'o1', now });
    const message = {
      conversationId: conversation.id, channel: 'wechat', kind: 'text' as const, meta: {}, authorId: 'o1', text: '你好',
      attachments: [], channelMessageId: '1234567890123456789', raw: { MsgId: '1234567890123456789' }, now,
    };
    const results = await Promise.all([1, 2, 3, 4].map(() => db.kysely.transaction().execute((t) => store.insertInbound(t, message))));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const listed = await store.listMessagesAfter(q, conversation.id, 0, 10);
    expect(listed).toHaveLength(1);
    expect(listed[0]?.raw).toEqual({ MsgId: '1234567890123456789' });
    expect((await store.listUnprocessed(q, 10)).map((m) => m.id)).toEqual([listed[0]?.id]);
    await store.markProcessed(q, listed[0]!.id, now);
    expect(await store.listUnprocessed(q, 10)).toEqual([]);
  });

  test('message inserts report the stored row\'s seq and a conflict as a duplicate, in a transaction and outside one', async () => {
    if (skipIfNoPg()) return;
    const q = db.kysely;
    const { customerId } = await store.resolveIdentity(q, { channel: 'wechat', externalId: 'o-seq', now });
    const conversation = await store.createConversation(q, { customerId, channel: 'wechat', threadKey: 'o-seq', now });
    const inbound = (channelMessageId: string) => ({
      conversationId: conversation.id, channel: 'wechat', kind: 'text' as const, meta: {}, authorId: 'o-seq', text: channelMessageId,
      attachments: [], channelMessageId, raw: null, now,
    });
    const outbound = (text: string) => ({ conversationId: conversation.id, channel: 'wechat', authorKind: 'bot' as const, authorId: null, text, now });
    // Outside a transaction (Kysely's executor), then inside one (on SQLite: the connection directly).
    const written = [
      await store.insertInbound(q, inbound('1001')),
      await store.insertOutbound(q, outbound('reply 1')),
      ...(await db.kysely.transaction().execute(async (t) => [await store.insertInbound(t, inbound('1002')), await store.insertOutbound(t, outbound('reply 2'))])),
    ];
    const stored = await store.listMessagesAfter(q, conversation.id, 0, 10);
    expect(stored.map((m) => [m.id, m.seq])).toEqual(written.map((w) => [w.id, w.seq]));
    expect(new Set(written.map((w) => w.seq)).size).toBe(4);
    // A redelivery changes nothing and reports the first copy, with its seq, both ways.
    const again = await store.insertInbound(q, inbound('1002'));
    const againInTransaction = await db.kysely.transaction().execute((t) => store.insertInbound(t, inbound('1001')));
    expect(again).toMatchObject({ duplicate: true, id: written[2]!.id, seq: written[2]!.seq });
    expect(againInTransaction).toMatchObject({ duplicate: true, id: written[0]!.id, seq: written[0]!.seq });
    expect(await store.listMessagesAfter(q, conversation.id, 0, 10)).toHaveLength(4);
  });

  test('the outbox leases an entry to one worker, retries with a due time, and dead-letters', async () => {
    if (skipIfNoPg()) return;
    const q = db.kysely;
    const { customerId } = await store.resolveIdentity(q, { channel: 'wechat', externalId: 'o2', now });
    const conversation = await store.createConversation(q, { customerId, channel: 'wechat', threadKey: 'o2', now });
    const out = await store.insertOutbound(q, { conversationId: conversation.id, channel: 'wechat', authorKind: 'bot', authorId: null, text: 'hi', now });
    const id = await store.enqueueOutbox(q, { messageId: out.id, conversationId: conversation.id, channel: 'wechat', payload: { text: 'hi' }, notBefore: now, now });
    expect(await store.dueConversations(q, now, 10)).toEqual([conversation.id]);
    expect(await store.withUnsent(q, [conversation.id, 'no-such-conversation'])).toEqual([conversation.id]);
    expect(await store.withUnsent(q, [])).toEqual([]);
    const claims = await Promise.all([1, 2, 3].map(() => store.claimOutbox(q, id, now, 30_000)));
    const leases = claims.filter((c) => c !== null);
    expect(leases).toHaveLength(1);
    expect(await store.dueConversations(q, now + 1000, 10)).toEqual([]);
    // A lease that expired (the worker died mid-send) makes the entry due again.
    expect(await store.dueConversations(q, now + 31_000, 10)).toEqual([conversation.id]);
    expect(await store.markFailed(q, leases[0]!, { error: 'HTTP 503', retryAt: now + 60_000, now })).toBe(true);
    expect((await store.headOfConversation(q, conversation.id))?.attempts).toBe(1);
    expect(await store.outboxDepth(q)).toMatchObject({ pending: 1, dead: 0 });
    const again = await store.claimOutbox(q, id, now + 60_000, 30_000);
    expect(await store.markFailed(q, again!, { error: 'gave up', retryAt: null, now })).toBe(true);
    expect(await store.outboxDepth(q)).toMatchObject({ pending: 0, dead: 1 });
    expect(await store.getOutboxByMessage(q, out.id)).toEqual({ id, status: 'dead', lastError: 'gave up' });
    expect(await store.withUnsent(q, [conversation.id])).toEqual([]);
  });

  /** An outbox entry of a fresh conversation. */
  async function outboxEntry(threadKey: string): Promise<{ id: string; messageId: string }> {
    const q = db.kysely;
    const { customerId } = await store.resolveIdentity(q, { channel: 'wechat', externalId: threadKey, now });
    const conversation = await store.createConversation(q, { customerId, channel: 'wechat', threadKey, now });
    const out = await store.insertOutbound(q, { conversationId: conversation.id, channel: 'wechat', authorKind: 'bot', authorId: null, text: 'hi', now });
    const id = await store.enqueueOutbox(q, { messageId: out.id, conversationId: conversation.id, channel: 'wechat', payload: { text: 'hi' }, notBefore: now, now });
    return { id, messageId: out.id };
  }

  test('outbox leases: a worker whose lease was taken over changes nothing', async () => {
    if (skipIfNoPg()) return;
    const q = db.kysely;
    const { id, messageId } = await outboxEntry('lease-1');
    const stale = (await store.claimOutbox(q, id, now, 30_000))!;
    expect(await store.renewLease(q, stale, now + 40_000, now + 10_000)).toBe(true);
    // Renewed: not expired at +31 s any more.
    expect(await store.claimOutbox(q, id, now + 31_000, 30_000)).toBeNull();
    const holder = (await store.claimOutbox(q, id, now + 41_000, 30_000))!;
    expect(holder.token).not.toBe(stale.token);
    const before = await q.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(await store.renewLease(q, stale, now + 90_000, now + 42_000)).toBe(false);
    expect(await store.markFailed(q, stale, { error: 'HTTP 503', retryAt: now + 43_000, now: now + 42_000 })).toBe(false);
    expect(await store.markFailed(q, stale, { error: 'gave up', retryAt: null, now: now + 42_000 })).toBe(false);
    expect(await store.deferOutbox(q, stale, { note: 'busy', retryAt: now + 43_000, now: now + 42_000 })).toBe(false);
    expect(await store.markSent(q, stale, now + 42_000)).toBe(false);
    // Another worker holds it (its lease runs until +71 s): a stale success is not recorded either.
    expect(await store.markSentUnlessHeld(q, id, now + 42_000)).toBe(false);
    expect(await q.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow()).toEqual(before);
    expect(await store.markSent(q, holder, now + 50_000)).toBe(true);
    expect(await store.getOutboxByMessage(q, messageId)).toEqual({ id, status: 'sent', lastError: null });
    // Ended: the holder's token is spent too.
    expect(await store.markFailed(q, holder, { error: 'late', retryAt: null, now: now + 51_000 })).toBe(false);
  });

  test('outbox leases: the passive path takes only what nobody holds, and a stale holder cannot undo it', async () => {
    if (skipIfNoPg()) return;
    const q = db.kysely;
    const { id, messageId } = await outboxEntry('lease-2');
    const stale = (await store.claimOutbox(q, id, now, 30_000))!;
    expect(await store.takeForImmediateDelivery(q, id, now + 1)).toBe(false);
    // Expired but still `sending`: it may have gone out, so the passive path leaves it to the dispatcher.
    expect(await store.takeForImmediateDelivery(q, id, now + 31_000)).toBe(false);
    const holder = (await store.claimOutbox(q, id, now + 31_000, 30_000))!;
    expect(await store.markFailed(q, holder, { error: 'HTTP 503', retryAt: now + 40_000, now: now + 32_000 })).toBe(true);
    // Pending again, nobody holds it: the passive reply takes it.
    expect(await store.takeForImmediateDelivery(q, id, now + 33_000)).toBe(true);
    expect(await store.markFailed(q, stale, { error: 'HTTP 503', retryAt: now + 40_000, now: now + 34_000 })).toBe(false);
    expect(await store.markSentUnlessHeld(q, id, now + 34_000)).toBe(false);
    expect(await store.getOutboxByMessage(q, messageId)).toEqual({ id, status: 'sent', lastError: 'HTTP 503' });
  });

  test('outbox leases: a stale success is recorded on an entry nobody holds', async () => {
    if (skipIfNoPg()) return;
    const q = db.kysely;
    const pending = await outboxEntry('lease-3');
    await store.claimOutbox(q, pending.id, now, 30_000);
    const holder = (await store.claimOutbox(q, pending.id, now + 31_000, 30_000))!;
    await store.markFailed(q, holder, { error: 'HTTP 503', retryAt: now + 40_000, now: now + 32_000 });
    expect(await store.markSentUnlessHeld(q, pending.id, now + 33_000)).toBe(true);
    expect(await store.getOutboxByMessage(q, pending.messageId)).toEqual({ id: pending.id, status: 'sent', lastError: null });
    // Leased to a worker whose lease ran out as well.
    const expired = await outboxEntry('lease-4');
    await store.claimOutbox(q, expired.id, now, 30_000);
    await store.claimOutbox(q, expired.id, now + 31_000, 30_000);
    expect(await store.markSentUnlessHeld(q, expired.id, now + 60_000)).toBe(false);
    expect(await store.markSentUnlessHeld(q, expired.id, now + 61_000)).toBe(true);
    // Dead stays dead (an agent may already be acting on it).
    const dead = await outboxEntry('lease-5');
    const last = (await store.claimOutbox(q, dead.id, now, 30_000))!;
    await store.markFailed(q, last, { error: 'gave up', retryAt: null, now });
    expect(await store.markSentUnlessHeld(q, dead.id, now + 1)).toBe(false);
  });

  test('case numbers are unique under concurrency and read like K000001', async () => {
    if (skipIfNoPg()) return;
    const { customerId } = await store.resolveIdentity(db.kysely, { channel: 'email', externalId: 'a@b.c', now });
    const cases = await Promise.all(Array.from({ length: 12 }, (_, i) => db.kysely.transaction().execute((t) => store.createCase(t, {
      customerId, conversationId: null, severity: 'serious', category: 'product', form: 'venting', nature: 'criticism',
      reasons: ['坏了'], subject: `case ${i}`, now,
    }))));
    const numbers = cases.map((c) => c.number).sort();
    expect(new Set(numbers).size).toBe(12);
    expect(numbers[0]).toBe('K000001');
    expect(numbers[11]).toBe('K000012');
    expect((await store.getCaseByNumber(db.kysely, 'K000003'))?.reasons).toEqual(['坏了']);
  });

  test('checkpoints survive and update', async () => {
    if (skipIfNoPg()) return;
    await store.setCheckpoint(db.kysely, 'weibo:since_id', '100', now);
    await store.setCheckpoint(db.kysely, 'weibo:since_id', '205', now + 1);
    expect(await store.getCheckpoint(db.kysely, 'weibo:since_id')).toBe('205');
    expect(await store.getCheckpoint(db.kysely, 'nothing')).toBeUndefined();
  });

  test('wechaty friend requests: queued once per id, in order, claimed once, a claim cut short waits again', async () => {
    if (skipIfNoPg()) return;
    const friends = new FriendStore(db, 'bot-a');
    const request = (id: string) => ({ id, contact: { id: `wxid_${id}`, name: '张三' }, hello: `你好 ${id}` });
    expect(await friends.add(request('f1'), '{"id":"f1"}', now)).toBe(true);
    expect(await friends.add(request('f2'), null, now)).toBe(true);
    expect(await friends.add(request('f1'), '{"id":"f1"}', now + 1)).toBe(false);
    // Another bot account on the same database has its own queue.
    expect(await new FriendStore(db, 'bot-b').add(request('f1'), null, now)).toBe(true);
    expect(await friends.waitingCount()).toBe(2);
    expect(await friends.head()).toEqual({ facts: request('f1'), payload: '{"id":"f1"}', receivedAt: now });
    const claims = await Promise.all([friends.claim('f1', now + 10), friends.claim('f1', now + 11)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await friends.head())?.facts.id).toBe('f2');
    expect(await friends.acceptedSince(now)).toHaveLength(1);
    // The run stopped while f1 was being accepted: it waits again, at the head; its accept still counts.
    expect(await friends.recover(now - 1, now + 20)).toBe(1);
    expect((await friends.head())?.facts.id).toBe('f1');
    expect(await friends.acceptedSince(now)).toHaveLength(1);
    await friends.finish('f2', 'expired', now + 30);
    expect(await friends.recover(now + 31, now + 40)).toBe(0);
    expect(await friends.waitingCount()).toBe(1);
    expect(await friends.add(request('f2'), null, now + 50)).toBe(true);
  });
});
