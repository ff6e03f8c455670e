import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { BullMqDeliveryQueue } from './bullmq-delivery-queue';
import { DELIVERS } from '../delivery-queue';
import { EventFanOut } from '../../fan-out/event-fan-out';
import { EventOutbox } from '../../outbox/event-outbox';

/**
 * With BullMQ, fan-out is delivery work, done by the workers: an API replica's requests never share its
 * event loop with it, however many webhooks an event goes to, and fan-out scales with the workers.
 *
 * An API replica tells the workers that it committed events: a Redis PUBLISH on the queue's own channel,
 * at most one per turn of its event loop. Each worker wakes its fan-out on it, and racing workers take
 * disjoint batches. A nudge is only a hint: one that no worker hears (none running, Redis restarting)
 * delays the event until a worker's next periodic pass, which finds every event not fanned out yet.
 */
@Injectable()
export class FanOutNudge
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(FanOutNudge.name);
  private readonly channel: string;
  private pending = false;
  private stopped = false;
  private subscriber: Redis | null = null;

  constructor(
    private readonly queue: BullMqDeliveryQueue,
    private readonly outbox: EventOutbox,
    private readonly fanOut: EventFanOut,
    @Inject(DELIVERS) private readonly delivers: boolean,
  ) {
    this.channel = queue.queue.toKey('events-committed');
  }

  onModuleInit(): void {
    if (!this.delivers) this.outbox.onCommitted(() => this.publish());
  }

  onApplicationBootstrap(): void {
    // Not awaited: with Redis away, start-up (and /health, which reports it) does not wait for it.
    if (this.delivers) void this.listen();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  /** Subscribes once Redis answers; ioredis subscribes again after each reconnect. */
  private async listen(): Promise<void> {
    try {
      const subscriber = (await this.redis()).duplicate();
      if (this.stopped) return subscriber.disconnect();
      subscriber.on('error', (error: Error) => this.logger.error(`Redis: ${error.message}`));
      subscriber.on('message', () => this.fanOut.wake());
      this.subscriber = subscriber;
      await subscriber.subscribe(this.channel);
    } catch (error) {
      this.logger.error(`Could not listen for nudges: ${(error as Error).message}`);
    }
  }

  /** The queue's own connection (BullMQ types it as its interface; it is an ioredis client). */
  private async redis(): Promise<Redis> {
    return (await this.queue.queue.client) as unknown as Redis;
  }

  /** The commits of one turn of the event loop share one message. */
  private publish(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      void this.redis()
        .then((client) => client.publish(this.channel, '1'))
        .catch((error: Error) => this.logger.warn(`Could not nudge the workers: ${error.message}`));
    });
  }
}
