import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type Redis from 'ioredis';
import { Env } from '../../config/env.validation';
import { MemoryRateLimiter, RateLimiter, RateVerdict } from './rate-window';
import { RedisRateLimiter } from './redis-rate-limiter';

/** Whoever cannot ask the limiter (Redis down) waits this long and asks again: a rate is never exceeded. */
const UNKNOWN_WAIT_MS = 1000;

/**
 * The rate limiter every webhook's `rate_limit_per_second` is checked against: with REDIS_URL, one in
 * Redis shared by every server and worker (its own connection); without, this process's own (the one
 * delivering process).
 */
@Injectable()
export class SharedRateLimiter implements RateLimiter, OnApplicationShutdown {
  private readonly logger = new Logger('EndpointPacing');
  private readonly limiter: RateLimiter;
  private readonly redis: Redis | null = null;

  constructor(config: ConfigService<Env, true>) {
    const url = config.get('REDIS_URL', { infer: true });
    if (url) {
      // Loaded only with Redis: `homa serve` without it never loads ioredis (module-footprint test).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Client = (require('ioredis') as typeof import('ioredis')).default;
      this.redis = new Client(url, { maxRetriesPerRequest: 1, lazyConnect: true });
      this.redis.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
      const prefix = config.get('REDIS_QUEUE_PREFIX', { infer: true });
      this.limiter = new RedisRateLimiter(this.redis, prefix);
    } else this.limiter = new MemoryRateLimiter();
  }

  async tryAcquire(webhookId: number, limit: number): Promise<RateVerdict> {
    try {
      return await this.limiter.tryAcquire(webhookId, limit);
    } catch (error) {
      this.logger.warn(`Rate limiter unavailable: ${(error as Error).message}`);
      return { ok: false, retryInMs: UNKNOWN_WAIT_MS };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis || this.redis.status === 'end') return;
    if (this.redis.status === 'wait') this.redis.disconnect();
    else await this.redis.quit().catch(() => undefined);
  }
}
