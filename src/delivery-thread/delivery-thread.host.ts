import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EventOutbox } from '../deliveries/event-outbox';
import { DeliveryThread } from './delivery-thread';

/** In the server's main thread: starts the delivery thread, wakes it on each commit, stops it last. */
@Injectable()
export class DeliveryThreadHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private thread: DeliveryThread | null = null;

  constructor(private readonly outbox: EventOutbox) {}

  async onApplicationBootstrap(): Promise<void> {
    const thread = await DeliveryThread.start();
    this.thread = thread;
    this.outbox.onCommitted(() => thread.wake());
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.thread?.stop();
    this.thread = null;
  }
}
