import { MemoryRateLimiter, RATE_WINDOW_MS, SendLog, WINDOW_MARGIN_MS } from './rate-window';

const WINDOW = RATE_WINDOW_MS + WINDOW_MARGIN_MS;

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

describe('rate window (sliding log)', () => {
  it('never lets more than the limit through in any second, under a steady flood of asks', () => {
    const log = new SendLog();
    const sent: number[] = [];
    for (let now = 0; now < 10_000; now += 3) if (log.tryAcquire(50, now).ok) sent.push(now);
    expect(maxInWindow(sent, 1000)).toBe(50);
    // …and yet keeps up: about 50 a second (49 with the jitter margin).
    expect(sent.length).toBeGreaterThanOrEqual(480);
    expect(sent.length).toBeLessThanOrEqual(500);
  });

  it('answers when the next send fits', () => {
    const log = new SendLog();
    for (let i = 0; i < 5; i++) expect(log.tryAcquire(5, 100 + i)).toEqual({ ok: true });
    expect(log.tryAcquire(5, 500)).toEqual({ ok: false, retryInMs: 100 + WINDOW - 500 });
    expect(log.tryAcquire(5, 100 + WINDOW)).toEqual({ ok: true });
  });

  it('follows a lowered limit at once', () => {
    const log = new SendLog();
    for (let i = 0; i < 10; i++) log.tryAcquire(10, i);
    const refused = log.tryAcquire(2, 20);
    expect(refused.ok).toBe(false);
    // Eight of the ten must leave the window first: the ninth oldest (sent at 8).
    expect(refused).toEqual({ ok: false, retryInMs: 8 + WINDOW - 20 });
  });

  it('keeps one log per webhook', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(() => now);
    expect(await limiter.tryAcquire(1, 1)).toEqual({ ok: true });
    expect((await limiter.tryAcquire(1, 1)).ok).toBe(false);
    expect(await limiter.tryAcquire(2, 1)).toEqual({ ok: true });
    now = WINDOW;
    expect(await limiter.tryAcquire(1, 1)).toEqual({ ok: true });
  });
});
