import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Queue } from 'bullmq';
import { DELIVERY_QUEUE } from '../deliveries/bullmq-delivery-queue';

/** Redis as the delivery queue sees it, when REDIS_URL is set. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async isHealthy(key: string): Promise<HealthIndicatorResult> {
    const check = this.indicator.check(key);
    try {
      const queue = this.moduleRef.get<Queue>(getQueueToken(DELIVERY_QUEUE), { strict: false });
      const client = await queue.client;
      const answer: unknown = await Promise.race([
        client.runCommand('ping', []) as Promise<unknown>,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('timeout after 3000 ms')), 3000),
        ),
      ]);
      return answer === 'PONG'
        ? check.up()
        : check.down({ message: `unexpected answer ${JSON.stringify(answer)}` });
    } catch (error) {
      return check.down({ message: (error as Error).message });
    }
  }
}
