/**
 * The rate limit's rule, "at most `limit` deliveries to a webhook over any second": a sliding log of
 * the last sends. A fixed window (or a token bucket with a burst) lets up to twice the rate through
 * around a window's edge; the log never does. The window is a little longer than a second
 * (WINDOW_MARGIN_MS) so that a receiver, which sees each request a network's jitter later than it
 * was sent, still counts no more than `limit` in any second of its own clock.
 */
export const RATE_WINDOW_MS = 1000;
export const WINDOW_MARGIN_MS = 20;

/** Sent now, or refused: the next send is possible in `retryInMs`. */
export type RateVerdict = { ok: true } | { ok: false; retryInMs: number };

/** A limiter shared by whoever delivers to the same webhooks (see MemoryRateLimiter, RedisRateLimiter). */
export interface RateLimiter {
  tryAcquire(webhookId: number, limit: number): Promise<RateVerdict>;
}

/** The sliding log of one webhook's sends, in memory. */
export class SendLog {
  private readonly times: number[] = [];

  constructor(private readonly windowMs = RATE_WINDOW_MS + WINDOW_MARGIN_MS) {}

  tryAcquire(limit: number, now: number): RateVerdict {
    while (this.times.length > 0 && this.times[0] <= now - this.windowMs) this.times.shift();
    if (this.times.length < limit) {
      this.times.push(now);
      return { ok: true };
    }
    // The send that must leave the window before one more fits (limit may have been lowered).
    const leaving = this.times[this.times.length - limit];
    return { ok: false, retryInMs: Math.max(1, leaving + this.windowMs - now) };
  }

  get size(): number {
    return this.times.length;
  }
}

/** Without Redis: the one delivering process's own logs. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly logs = new Map<number, SendLog>();

  constructor(private readonly clock: () => number = Date.now) {}

  tryAcquire(webhookId: number, limit: number): Promise<RateVerdict> {
    let log = this.logs.get(webhookId);
    if (!log) this.logs.set(webhookId, (log = new SendLog()));
    return Promise.resolve(log.tryAcquire(limit, this.clock()));
  }
}
