import type Redis from 'ioredis';
import { RATE_WINDOW_MS, RateLimiter, RateVerdict, WINDOW_MARGIN_MS } from './rate-window';

/**
 * The sliding log (rate-window.ts) in Redis, shared by every worker and server: one sorted set of
 * send times per webhook, checked and added to by one Lua script, so two workers can never both take
 * the last place in a second. Times come from the Redis server's clock (TIME), so workers on machines
 * whose clocks differ still agree. Members are made unique by a counter beside the set.
 */
const SCRIPT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  local seq = redis.call('INCR', KEYS[2])
  redis.call('ZADD', KEYS[1], now, now .. ':' .. seq)
  redis.call('PEXPIRE', KEYS[1], window)
  redis.call('PEXPIRE', KEYS[2], window)
  return {1, 0}
end
local leaving = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
return {0, tonumber(leaving[2]) + window - now}
`;

type PacedRedis = Redis & {
  homaRateAcquire(log: string, seq: string, limit: number, windowMs: number): Promise<number[]>;
};

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: PacedRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('homaRateAcquire', { numberOfKeys: 2, lua: SCRIPT });
    this.redis = redis as PacedRedis;
  }

  async tryAcquire(webhookId: number, limit: number): Promise<RateVerdict> {
    // One hash tag per webhook: both keys land on the same slot of a Redis Cluster.
    const key = `${this.prefix}:rate:{${webhookId}}`;
    const [ok, retryInMs] = await this.redis.homaRateAcquire(
      key,
      `${key}:seq`,
      limit,
      RATE_WINDOW_MS + WINDOW_MARGIN_MS,
    );
    return ok === 1 ? { ok: true } : { ok: false, retryInMs: Math.max(1, retryInMs) };
  }
}
