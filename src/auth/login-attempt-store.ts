import type Redis from 'ioredis';

export interface FailureCount {
  count: number;
  /** Milliseconds until the window that holds these failures ends. */
  resetsInMs: number;
}

/** Counts failed logins per key within a fixed window; shared across replicas when it lives in Redis. */
export interface LoginAttemptStore {
  get(key: string): Promise<FailureCount>;
  fail(key: string, windowMs: number): Promise<FailureCount>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

/** One process's counts (the embedded default: one API process). */
export class MemoryLoginAttemptStore implements LoginAttemptStore {
  private readonly entries = new Map<string, { count: number; expires: number }>();

  get(key: string, now = Date.now()): Promise<FailureCount> {
    const entry = this.entries.get(key);
    if (!entry || entry.expires <= now) {
      this.entries.delete(key);
      return Promise.resolve({ count: 0, resetsInMs: 0 });
    }
    return Promise.resolve({ count: entry.count, resetsInMs: entry.expires - now });
  }

  fail(key: string, windowMs: number, now = Date.now()): Promise<FailureCount> {
    const entry = this.entries.get(key);
    const live = entry && entry.expires > now ? entry : { count: 0, expires: now + windowMs };
    live.count += 1;
    this.entries.set(key, live);
    if (this.entries.size > 100_000) this.sweep(now);
    return Promise.resolve({ count: live.count, resetsInMs: live.expires - now });
  }

  reset(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
  }
}

/** Counts in Redis, so every API replica sees the same failures. */
export class RedisLoginAttemptStore implements LoginAttemptStore {
  constructor(private readonly redis: Redis) {}

  async get(key: string): Promise<FailureCount> {
    const [count, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
    return { count: Number(count ?? 0), resetsInMs: Math.max(ttl, 0) };
  }

  async fail(key: string, windowMs: number): Promise<FailureCount> {
    const result = await this.redis.multi().incr(key).pexpire(key, windowMs, 'NX').pttl(key).exec();
    const count = Number(result?.[0]?.[1] ?? 0);
    const ttl = Number(result?.[2]?.[1] ?? windowMs);
    return { count, resetsInMs: Math.max(ttl, 0) };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(key);
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
