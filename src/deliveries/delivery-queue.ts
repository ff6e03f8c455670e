import { QueuedDelivery } from './delivery-dispatcher';

/**
 * Where new and due deliveries go to be attempted. The database stays the source of truth: a queue
 * only carries ids, and whatever it loses the poller or reconciler finds again as a due `pending` row.
 */
export abstract class DeliveryQueue {
  abstract enqueue(deliveries: QueuedDelivery[]): void;
  /** Jobs queued, delayed or running (for metrics). */
  abstract depth(): Promise<number>;
}

/** For processes that do not deliver (the CLI): rows stay pending for the server to send. */
export class NoDeliveryQueue extends DeliveryQueue {
  enqueue(): void {}

  depth(): Promise<number> {
    return Promise.resolve(0);
  }
}
