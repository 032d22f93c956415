/**
 * The friend request queue over a real SQLite database, with scripted friendships and a
 * clock under test control: what happens to requests an earlier run left waiting (expired
 * after a week, declined when the policy changed to `none`, unresumable without a payload).
 */
import { jest } from '@jest/globals';
import type { InboundMessage } from '../../src/contract.js';
import { createLogger } from '../../src/logger.js';
import { FriendStore } from '../../channels/wechaty/friend-store.js';
import { FriendRequests, REQUEST_EXPIRY_MS, type WechatyFriendshipLike } from '../../channels/wechaty/friends.js';
import { useTempSqlite } from '../support/sqlite.js';

const db = useTempSqlite('wechaty-friends');
const HOUR = 3_600_000;
let clock = 1_800_000_000_000;
const accepted: string[] = [];

function friendshipOf(id: string, hello = '你好'): WechatyFriendshipLike {
  return {
    id, type: () => 1, hello: () => hello, contact: () => ({ id: `wxid_${id}`, name: () => id }),
    accept: async () => { accepted.push(id); }, toJSON: () => JSON.stringify({ id, hello }),
  };
}

/** One run of the queue on bot `name`; `recorded` collects the events it stores. */
async function queue(name: string, policy: 'all' | 'none', payloads = true): Promise<{ requests: FriendRequests; recorded: InboundMessage[] }> {
  const recorded: InboundMessage[] = [];
  const requests = new FriendRequests({
    policy, perHour: 1, kindOf: () => 'receive', store: new FriendStore(db(), name),
    resume: async (payload) => friendshipOf((JSON.parse(payload) as { id: string }).id),
    loggedIn: () => true, record: async (message) => { recorded.push(message); }, logger: createLogger('silent'), now: () => clock,
  });
  await requests.start();
  if (!payloads) {
    await db().kysely.updateTable('wechaty_friend_requests' as never).set({ payload: null } as never).execute();
  }
  return { requests, recorded };
}

/** The login resumes the queue; this waits until nothing waits any more, then stops the run. */
async function drainAndClose(requests: FriendRequests): Promise<void> {
  requests.onLogin();
  for (let i = 0; i < 200 && (await requests.pending()) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  await requests.close();
}

const outcome = (m: InboundMessage) => (m.kind === 'event' ? `${m.event}/${m.key}:${m.channelMessageId}` : m.kind);

async function leaveWaiting(name: string, ids: string[]): Promise<void> {
  const { requests } = await queue(name, 'all');
  for (const id of ids) await requests.onFriendship(friendshipOf(`${name}-${id}`));
  await requests.close();
}

test('a request waiting longer than a week is given up, recorded as expired and never accepted', async () => {
  await leaveWaiting('a', ['1', '2']);
  expect(accepted).toEqual(['a-1']);
  clock += REQUEST_EXPIRY_MS + HOUR;
  const { requests, recorded } = await queue('a', 'all');
  await drainAndClose(requests);
  expect(accepted).toEqual(['a-1']);
  expect(recorded.map(outcome)).toEqual(['friend_request/expired:friend-request:a-2']);
});

test('requests left waiting under `all` are declined (recorded) when the next run says `none`', async () => {
  await leaveWaiting('b', ['1', '2', '3']);
  const { requests, recorded } = await queue('b', 'none');
  await drainAndClose(requests);
  expect(accepted.filter((id) => id.startsWith('b-'))).toEqual(['b-1']);
  expect(recorded.map(outcome)).toEqual(['friend_request/policy_none:friend-request:b-2', 'friend_request/policy_none:friend-request:b-3']);
  expect(await requests.pending()).toBe(0);
});

test('a saved request without its payload cannot be accepted after a restart: recorded, not lost', async () => {
  await leaveWaiting('c', ['1', '2']);
  clock += 2 * HOUR;
  const { requests, recorded } = await queue('c', 'all', false);
  await drainAndClose(requests);
  expect(accepted.filter((id) => id.startsWith('c-'))).toEqual(['c-1']);
  expect(recorded.map(outcome)).toEqual(['friend_request/unresumable:friend-request:c-2']);
});

test('stopping while the queue looks for work leaves no timer behind to keep the process alive', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
  try {
    const { requests } = await queue('d', 'all');
    await requests.onFriendship(friendshipOf('d-1'));
    // The hour's one accept is taken: d-2 waits for the cap (a timer), then a login makes the queue look again.
    await requests.onFriendship(friendshipOf('d-2'));
    for (let i = 0; i < 100 && jest.getTimerCount() === 0; i++) await new Promise(setImmediate);
    expect(jest.getTimerCount()).toBe(1);
    requests.onLogin();
    await requests.close();
    expect(jest.getTimerCount()).toBe(0);
    expect(accepted.filter((id) => id.startsWith('d-'))).toEqual(['d-1']);
    expect(await requests.pending()).toBe(1);
  } finally {
    jest.useRealTimers();
  }
});
