import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { QueuedDelivery } from './delivery-dispatcher';
import { DeliveryQueue } from './delivery-queue';

export const DELIVERY_QUEUE = 'webhook-deliveries';

export type DeliveryJob = QueuedDelivery;

/** One job per attempt, so a re-enqueued delivery is a no-op while its job for that attempt exists. */
export function jobId(deliveryId: string, attempt: number): string {
  return `${deliveryId}.${attempt}`;
}

const JOB_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: true, attempts: 1 };

/**
 * Scale-out delivery on BullMQ: the queue carries delivery ids only; retry delays are delayed jobs.
 * A job lost with Redis is found again by the reconciler from the database.
 */
@Injectable()
export class BullMqDeliveryQueue extends DeliveryQueue {
  private readonly logger = new Logger('DeliveryQueue');

  constructor(@InjectQueue(DELIVERY_QUEUE) readonly queue: Queue<DeliveryJob>) {
    super();
    // Without a listener, a Redis restart would be an unhandled 'error' event and end the process.
    this.queue.on('error', (error: Error) => this.logger.error(`Redis: ${error.message}`));
  }

  enqueue(deliveries: QueuedDelivery[]): void {
    void this.add(deliveries.map((d) => ({ delivery: d, attempt: 1, at: null })));
  }

  /** Adds jobs, each for a given attempt, delayed until `at` when given. Failures are logged, never thrown. */
  async add(jobs: { delivery: QueuedDelivery; attempt: number; at: Date | null }[]): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await this.queue.addBulk(
        jobs.map(({ delivery, attempt, at }) => ({
          name: 'deliver',
          data: delivery,
          opts: {
            ...JOB_OPTIONS,
            jobId: jobId(delivery.id, attempt),
            delay: at ? Math.max(0, at.getTime() - Date.now()) : 0,
          },
        })),
      );
    } catch (error) {
      // The rows are pending in the database: the reconciler will enqueue them once Redis answers.
      this.logger.error(`Could not enqueue ${jobs.length} deliveries: ${(error as Error).message}`);
    }
  }

  /**
   * Re-enqueues deliveries that the database says are due and unheld. A job still waiting or delayed is
   * left alone; one still `active` belongs to a worker that died holding it (its lease ran out), so a
   * fresh job takes over at once rather than after BullMQ's stalled-job check.
   */
  async requeue(deliveries: { delivery: QueuedDelivery; attempt: number }[]): Promise<void> {
    const jobs = await Promise.all(
      deliveries.map(async ({ delivery, attempt }) => {
        const existing = await this.queue.getJob(jobId(delivery.id, attempt));
        const state = existing ? await existing.getState() : 'missing';
        if (
          state === 'waiting' ||
          state === 'delayed' ||
          state === 'prioritized' ||
          state === 'waiting-children'
        )
          return null;
        const id =
          state === 'missing'
            ? jobId(delivery.id, attempt)
            : `${jobId(delivery.id, attempt)}.${Date.now()}`;
        return { name: 'deliver', data: delivery, opts: { ...JOB_OPTIONS, jobId: id } };
      }),
    );
    const toAdd = jobs.filter((j) => j !== null);
    if (toAdd.length > 0) await this.queue.addBulk(toAdd);
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts(
      'waiting',
      'delayed',
      'active',
      'prioritized',
      'paused',
    );
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }
}
