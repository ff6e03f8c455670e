import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Queue } from 'bullmq';

/** The delivery queue's injection token. Required here: a process without Redis never loads BullMQ. */
function deliveryQueueToken(): string {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { getQueueToken } = require('@nestjs/bullmq') as typeof import('@nestjs/bullmq');
  const { DELIVERY_QUEUE } =
    require('../deliveries/transports/bullmq/bullmq-delivery-queue') as typeof import('../deliveries/transports/bullmq/bullmq-delivery-queue');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return getQueueToken(DELIVERY_QUEUE);
}

/** Redis as the delivery queue sees it, when REDIS_URL is set (only then is it asked). */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async isHealthy(key: string): Promise<HealthIndicatorResult> {
    const check = this.indicator.check(key);
    try {
      const queue = this.moduleRef.get<Queue>(deliveryQueueToken(), { strict: false });
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
