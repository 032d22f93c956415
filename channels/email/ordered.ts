/**
 * Run a batch concurrently while keeping the order of items that share a key: an item starts
 * after every earlier item with a common key has settled. Mail of different customers and
 * threads then shares database commits (SQLite group commit) instead of queueing one by one.
 */
export async function runOrdered<T, R>(
  items: readonly T[], keysOf: (item: T) => readonly string[], run: (item: T) => Promise<R>,
): Promise<Array<{ ok: true; value: R } | { ok: false; error: unknown }>> {
  const last = new Map<string, Promise<unknown>>();
  const tasks = items.map((item) => {
    const keys = keysOf(item);
    const before = keys.map((k) => last.get(k)).filter((p): p is Promise<unknown> => p !== undefined);
    const task = Promise.all(before).then(() => run(item));
    const settled = task.then(() => undefined, () => undefined);
    for (const k of keys) last.set(k, settled);
    return task.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
  });
  return Promise.all(tasks);
}
