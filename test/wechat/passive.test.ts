/** The retry records (InflightMessages): who answers a message WeChat sent several times. */
import { InflightMessages } from '../../channels/wechat/passive.js';
import type { Handled } from '../../src/pipeline/pipeline.js';

const handled = Promise.resolve<Handled>({ conversationId: 'c1', replies: [], status: 'bot' });

describe('InflightMessages', () => {
  let now = 1_000_000;
  const records = () => new InflightMessages(() => now);

  test('a retry answers only if every copy before it was abandoned, and only once', async () => {
    const inflight = records();
    inflight.first('m1', handled)('abandoned');
    const second = await inflight.retry('m1', 100);
    expect(second.handled).toBe(handled);
    second.settle('replied');
    expect((await inflight.retry('m1', 100)).handled).toBeNull();
  });

  test('a retry waits for the copy still being answered, and leaves it the answer', async () => {
    const inflight = records();
    const settleFirst = inflight.first('m1', handled);
    const retry = inflight.retry('m1', 1000);
    settleFirst('replied');
    expect((await retry).handled).toBeNull();
  });

  test('still undecided at the retry\'s deadline: never risk a second answer', async () => {
    const inflight = records();
    inflight.first('m1', handled);
    expect((await inflight.retry('m1', 10)).handled).toBeNull();
  });

  test('records are forgotten 30 s after the first copy, without a timer per message', async () => {
    const inflight = records();
    inflight.first('m1', handled)('abandoned');
    now += 30_001;
    expect((await inflight.retry('m1', 10)).handled).toBeNull();
    // The next first copy sweeps the expired record away; a fresh one is kept.
    inflight.first('m2', handled)('abandoned');
    expect((await inflight.retry('m2', 10)).handled).toBe(handled);
  });
});
