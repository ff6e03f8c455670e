import { DeliveryJob } from '../leases/delivery-job';

/** Whether this BullMQ process delivers (`homa worker`, tests' in-process apps) or only serves (`homa serve`). */
export const DELIVERS = Symbol('DELIVERS');

/**
 * Where new and due deliveries go to be attempted. The database stays the source of truth: whatever a
 * queue loses, a poller or the reconciler finds again as a due `pending` row once its lease ends.
 */
export abstract class DeliveryQueue {
  /** This process turns recorded events into deliveries (the CLI leaves that to the server). */
  abstract readonly fansOut: boolean;
  /**
   * A fresh budget for one fan-out batch: answers, per new delivery, whether this process takes it
   * from birth (leased at insert, sent from memory) or leaves it in the database for a poller.
   */
  abstract ownershipBudget(): (webhookId: number) => boolean;
  /** Takes jobs this process holds (their rows are committed); a queue that must ship them somewhere resolves once it has. */
  abstract enqueue(jobs: DeliveryJob[]): void | Promise<void>;
  /** Due deliveries may be waiting in the database. */
  abstract wake(): void;
  /** Jobs queued, delayed or running (for metrics). */
  abstract depth(): Promise<number>;
}

/** For processes that do not deliver (the CLI): events and rows wait for the server. */
export class NoDeliveryQueue extends DeliveryQueue {
  readonly fansOut = false;

  ownershipBudget(): () => boolean {
    return () => false;
  }

  enqueue(): void {}

  wake(): void {}

  depth(): Promise<number> {
    return Promise.resolve(0);
  }
}
