/**
 * The rate limit's rule, "at most `limit` deliveries to a webhook over any second", held two ways at
 * once. A sliding log of the last sends keeps any window of RATE_WINDOW_MS + WINDOW_MARGIN_MS to
 * `limit` (a fixed window, or a token bucket with a full second's burst, lets up to twice the rate
 * through around a window's edge). A cell rate (GCRA: one send per `interval`, with a small burst) spreads them out: a receiver sees each request a network's jitter later than it
 * was sent, and a burst of requests reaches it with the most uneven delays, which could put one
 * more than `limit` into a second of its clock. The margin covers what jitter is left.
 */
export const RATE_WINDOW_MS = 1000;
export const WINDOW_MARGIN_MS = 100;
const WINDOW_MS = RATE_WINDOW_MS + WINDOW_MARGIN_MS;

/** Sent now, or refused: the next send is possible in `retryInMs`. */
export type RateVerdict = { ok: true } | { ok: false; retryInMs: number };

/** A limiter shared by whoever delivers to the same webhooks (see MemoryRateLimiter, RedisRateLimiter). */
export interface RateLimiter {
  tryAcquire(webhookId: number, limit: number): Promise<RateVerdict>;
}

/** The time between two sends at `limit` a second (the sliding log's window spread over them). */
export function sendInterval(limit: number): number {
  return WINDOW_MS / limit;
}

/**
 * Sends that may go back to back before the interval applies: a tenth of the rate, and at least two,
 * so that a send that came for its turn a little late does not cost the next one its turn.
 */
export function burstOf(limit: number): number {
  return Math.max(2, Math.floor(limit / 10));
}

/** The sliding log and cell rate of one webhook's sends, in memory. */
export class SendLog {
  private readonly times: number[] = [];
  /** GCRA's theoretical arrival time of the next send. */
  private tat = 0;

  tryAcquire(limit: number, now: number): RateVerdict {
    while (this.times.length > 0 && this.times[0] <= now - WINDOW_MS) this.times.shift();
    const interval = sendInterval(limit);
    const earliest = this.tat - (burstOf(limit) - 1) * interval;
    // The send that must leave the window before one more fits (limit may have been lowered).
    const leaving =
      this.times.length >= limit ? this.times[this.times.length - limit] + WINDOW_MS : 0;
    const wait = Math.max(earliest - now, leaving - now);
    if (wait > 0) return { ok: false, retryInMs: Math.max(1, Math.ceil(wait)) };
    this.times.push(now);
    this.tat = Math.max(this.tat, now) + interval;
    return { ok: true };
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
