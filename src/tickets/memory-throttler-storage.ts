import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Hits are counted in slots of this length: a hit expires at most this much later than `ttl`. */
export const SLOT_MS = 100;
const SWEEP_EVERY_MS = 60_000;

/** One key's hits: counts per slot, oldest first, from `head` on; and a block, if one is running. */
interface Window {
  expiries: number[];
  counts: number[];
  head: number;
  total: number;
  blockedUntil: number;
}

/**
 * The client API's rate-limit counts when there is no Redis: a sliding window per key, its hits counted
 * per 100 ms slot. @nestjs/throttler's own in-memory store keeps one timestamp per hit and filters them
 * all, and takes their minimum, on every request: O(limit) time and memory per request and per key
 * (~5 % of the main thread's CPU per ticket with a limit of 10⁸). Here a request costs O(1) amortised,
 * and a key holds at most `ttl / SLOT_MS` slots whatever the limit. The rules are the library's: the
 * request after `limit` blocks the key for `blockDuration` (hits are not counted meanwhile), and the
 * first request after the block starts a fresh window.
 */
export class MemoryThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    // A slot ends up to SLOT_MS after its hits' ttl: the times answered never exceed the ttl.
    const seconds = (ms: number) =>
      Math.min(Math.ceil(ttl / 1000), Math.max(0, Math.ceil(ms / 1000)));
    let window = this.windows.get(key);
    if (!window) {
      window = emptyWindow();
      this.windows.set(key, window);
    }
    if (window.blockedUntil > now) {
      return Promise.resolve({
        totalHits: window.total,
        timeToExpire: seconds(this.oldest(window, now) - now),
        isBlocked: true,
        timeToBlockExpire: Math.max(0, Math.ceil((window.blockedUntil - now) / 1000)),
      });
    }
    if (window.blockedUntil !== 0) Object.assign(window, emptyWindow());
    this.expire(window, now);
    if (blockDuration <= 0 && window.total >= limit) {
      // No block: refused until the oldest hit expires.
      const freed = this.oldest(window, now);
      return Promise.resolve({
        totalHits: window.total + 1,
        timeToExpire: seconds(freed - now),
        isBlocked: true,
        timeToBlockExpire: seconds(freed - now),
      });
    }
    const expiry = Math.ceil((now + ttl) / SLOT_MS) * SLOT_MS;
    const last = window.expiries.length - 1;
    if (last >= window.head && window.expiries[last] === expiry) window.counts[last] += 1;
    else {
      window.expiries.push(expiry);
      window.counts.push(1);
    }
    window.total += 1;
    const isBlocked = window.total > limit;
    if (isBlocked) window.blockedUntil = now + blockDuration;
    return Promise.resolve({
      totalHits: window.total,
      timeToExpire: seconds(this.oldest(window, now) - now),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil(blockDuration / 1000) : 0,
    });
  }

  /** Stops the sweeper and forgets every count (Nest calls it on a provider's instance at shutdown). */
  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.windows.clear();
  }

  /** How many keys hold hits or a block (for tests). */
  get size(): number {
    return this.windows.size;
  }

  /** Forgets keys with neither live hits nor a running block. */
  sweep(now: number): void {
    for (const [key, window] of this.windows) {
      this.expire(window, now);
      if (window.total === 0 && window.blockedUntil <= now) this.windows.delete(key);
    }
  }

  private expire(window: Window, now: number): void {
    while (window.head < window.expiries.length && window.expiries[window.head] <= now) {
      window.total -= window.counts[window.head];
      window.head += 1;
    }
    // Drop the expired slots once they are half the arrays (amortised O(1) per hit).
    if (window.head > 32 && window.head * 2 > window.expiries.length) {
      window.expiries.splice(0, window.head);
      window.counts.splice(0, window.head);
      window.head = 0;
    }
  }

  /** When the oldest live hit expires (`now` if there is none). */
  private oldest(window: Window, now: number): number {
    return window.head < window.expiries.length ? window.expiries[window.head] : now;
  }
}

function emptyWindow(): Window {
  return { expiries: [], counts: [], head: 0, total: 0, blockedUntil: 0 };
}
