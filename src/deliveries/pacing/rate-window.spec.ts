import { burstOf, MemoryRateLimiter, SendLog, sendInterval } from './rate-window';

/** The most sends in any window of `ms` (sends sorted). */
function maxInWindow(times: number[], ms: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= ms) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Asks every `stepMs` for `ms`; answers the times let through. */
function flood(log: SendLog, limit: number, stepMs: number, ms: number, from = 0): number[] {
  const sent: number[] = [];
  for (let now = from; now < from + ms; now += stepMs)
    if (log.tryAcquire(limit, now).ok) sent.push(now);
  return sent;
}

describe('rate window (sliding log and cell rate)', () => {
  it.each([1, 8, 50, 500])(
    'never lets more than %i through in any second, and keeps up with the rate',
    (limit) => {
      const sent = flood(new SendLog(), limit, 1, 10_000);
      expect(maxInWindow(sent, 1000)).toBeLessThanOrEqual(limit);
      // About `limit` a second (a little under, for the jitter margin).
      expect(sent.length).toBeGreaterThanOrEqual(Math.floor(limit * 10 * 0.9));
    },
  );

  it('spreads sends out: a burst of a tenth of the rate, then one per interval', () => {
    const sent = flood(new SendLog(), 50, 1, 200);
    expect(burstOf(50)).toBe(5);
    expect(sent.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    // After the burst, one per interval (the first one interval after the burst's first send).
    expect(sent[5]).toBeGreaterThanOrEqual(sendInterval(50));
    const gaps = sent.slice(6).map((at, i) => at - sent[i + 5]);
    expect(gaps.length).toBeGreaterThan(3);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(Math.floor(sendInterval(50)));
  });

  it('answers when the next send fits', () => {
    const log = new SendLog();
    // 40 a second: a burst of four, then one per interval.
    for (let i = 0; i < 4; i++) expect(log.tryAcquire(40, 100)).toEqual({ ok: true });
    expect(log.tryAcquire(40, 100)).toEqual({ ok: false, retryInMs: Math.ceil(sendInterval(40)) });
    expect(log.tryAcquire(40, 100 + sendInterval(40))).toEqual({ ok: true });
    // 2 a second: the burst takes both, and the sliding log the rest of the window.
    const two = new SendLog();
    two.tryAcquire(2, 0);
    two.tryAcquire(2, 0);
    expect(two.tryAcquire(2, 10)).toEqual({ ok: false, retryInMs: 2 * sendInterval(2) - 10 });
  });

  it('follows a lowered limit at once', () => {
    const log = new SendLog();
    const sent = flood(log, 100, 1, 100);
    const lowered = flood(log, 2, 1, 2000, 100);
    expect(
      maxInWindow(
        [...sent, ...lowered].filter((at) => at >= 100),
        1000,
      ),
    ).toBeLessThanOrEqual(2);
    // Nothing more until the sends of the last second have left the window.
    expect(lowered[0]).toBeGreaterThanOrEqual(sent[sent.length - 2] + 1000);
  });

  it('keeps one log per webhook', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(() => now);
    expect(await limiter.tryAcquire(1, 1)).toEqual({ ok: true });
    // One a second: the sliding log refuses a second one, whatever the burst.
    expect((await limiter.tryAcquire(1, 1)).ok).toBe(false);
    expect(await limiter.tryAcquire(2, 1)).toEqual({ ok: true });
    now = sendInterval(1);
    expect(await limiter.tryAcquire(1, 1)).toEqual({ ok: true });
  });
});
