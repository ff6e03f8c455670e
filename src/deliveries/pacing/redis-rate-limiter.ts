import type Redis from 'ioredis';
import {
  burstOf,
  RATE_WINDOW_MS,
  RateLimiter,
  RateVerdict,
  sendInterval,
  WINDOW_MARGIN_MS,
} from './rate-window';

/**
 * The limiter of rate-window.ts in Redis, shared by every worker and server: per webhook a sorted set
 * of send times (the sliding log), a counter that keeps its members unique, and the cell rate's next
 * time, checked and written by one Lua script, so two workers can never both take the last place in
 * a second. Times come from the Redis server's clock (TIME), so workers whose clocks differ agree.
 * (A maintained package was the first choice, but rate-limiter-flexible and its kin count fixed
 * windows or buckets with a burst, which let up to twice the rate through across a window's edge.)
 */
const SCRIPT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local interval = tonumber(ARGV[3])
local burst = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local tat = tonumber(redis.call('GET', KEYS[3]) or '0')
local wait = tat - (burst - 1) * interval - now
if count >= limit then
  local leaving = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  wait = math.max(wait, tonumber(leaving[2]) + window - now)
end
if wait > 0 then
  return {0, math.ceil(wait)}
end
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], now, seq)
redis.call('SET', KEYS[3], tostring(math.max(tat, now) + interval), 'PX', window * 2)
redis.call('PEXPIRE', KEYS[1], window * 2)
redis.call('PEXPIRE', KEYS[2], window * 2)
return {1, 0}
`;

type PacedRedis = Redis & {
  homaRateAcquire(
    log: string,
    seq: string,
    tat: string,
    limit: number,
    windowMs: number,
    intervalMs: number,
    burst: number,
  ): Promise<number[]>;
};

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: PacedRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('homaRateAcquire', { numberOfKeys: 3, lua: SCRIPT });
    this.redis = redis as PacedRedis;
  }

  async tryAcquire(webhookId: number, limit: number): Promise<RateVerdict> {
    // One hash tag per webhook: its keys land on the same slot of a Redis Cluster.
    const key = `${this.prefix}:rate:{${webhookId}}`;
    const [ok, retryInMs] = await this.redis.homaRateAcquire(
      key,
      `${key}:seq`,
      `${key}:tat`,
      limit,
      RATE_WINDOW_MS + WINDOW_MARGIN_MS,
      sendInterval(limit),
      burstOf(limit),
    );
    return ok === 1 ? { ok: true } : { ok: false, retryInMs: Math.max(1, retryInMs) };
  }
}
