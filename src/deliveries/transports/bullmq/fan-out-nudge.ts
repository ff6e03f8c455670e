import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { Redis } from 'ioredis';
import { Wake } from '../../../common/wake';
import { EventsCommittedEvent } from '../../events/pipeline.events';
import { BullMqDeliveryQueue } from './bullmq-delivery-queue';
import { DELIVERS } from '../delivery-queue';

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
export class FanOutNudge implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FanOutNudge.name);
  private readonly channel: string;
  /** The commits of one turn of the event loop share one message. */
  private readonly publishing = new Wake(
    async () => (await this.redis()).publish(this.channel, '1'),
    (error) => this.logger.warn(`Could not nudge the workers: ${error.message}`),
  );
  private stopped = false;
  private subscriber: Redis | null = null;

  constructor(
    private readonly queue: BullMqDeliveryQueue,
    private readonly emitter: EventEmitter2,
    @Inject(DELIVERS) private readonly delivers: boolean,
  ) {
    this.channel = queue.queue.toKey('events-committed');
  }

  /** An API replica committed events: tell the workers. */
  @OnEvent(EventsCommittedEvent.NAME)
  onEventsCommitted(): void {
    if (!this.delivers) this.publishing.wake();
  }

  onApplicationBootstrap(): void {
    // Not awaited: with Redis away, start-up (and /health, which reports it) does not wait for it.
    if (this.delivers) void this.listen();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.publishing.stop(1000);
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
      // A worker hears another replica's commits as its own: its fan-out wakes.
      subscriber.on('message', () =>
        this.emitter.emit(EventsCommittedEvent.NAME, new EventsCommittedEvent()),
      );
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
}
