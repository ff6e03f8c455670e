import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { JobsOptions, Queue } from 'bullmq';
import { TransactionService } from '../../../database/transaction.service';
import { selectJobRows } from '../../store/lease-rows';
import { DeliveryJob, jobFromRow } from '../../leases/delivery-job';
import { DeliveriesReleasedEvent } from '../../events/pipeline.events';
import { DELIVERS, DeliveryQueue } from '../delivery-queue';

export const DELIVERY_QUEUE = 'webhook-deliveries';

/** One job per attempt, so a re-enqueued delivery is a no-op while its job for that attempt exists. */
export function jobId(deliveryId: string, attempt: number): string {
  return `${deliveryId}.${attempt}`;
}

/**
 * The first attempts of up to BATCH_SIZE new deliveries of one fan-out pass, in one job: each event's
 * body once (`bodies`, by event id), and the deliveries without it. A worker takes and completes a batch
 * with one round trip to Redis each, instead of one per delivery.
 */
export interface DeliveryBatch {
  bodies: Record<string, string>;
  batch: DeliveryJob[];
}

/** Deliveries per batch job. */
export const BATCH_SIZE = 50;

export function isBatch(data: DeliveryJob | DeliveryBatch): data is DeliveryBatch {
  return 'batch' in data;
}

export function packBatch(jobs: DeliveryJob[]): DeliveryBatch {
  const bodies: Record<string, string> = {};
  for (const job of jobs) bodies[job.eventId] = job.body;
  return { bodies, batch: jobs.map((job) => ({ ...job, body: '' })) };
}

export function unpackBatch({ bodies, batch }: DeliveryBatch): DeliveryJob[] {
  return batch.map((job) => ({ ...job, body: bodies[job.eventId] }));
}

const JOB_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: true, attempts: 1 };
/**
 * Deliveries per `addBulk`: one fan-out pass can make 10,000, and each call holds its jobs' JSON at
 * once (500 single jobs, or 10 batches).
 */
const ADD_CHUNK = 500;
const BATCHES_PER_ADD = Math.max(1, Math.floor(ADD_CHUNK / BATCH_SIZE));

/**
 * Scale-out delivery on BullMQ: a job carries everything its attempts need (the body, the attempt
 * number, the lease its delivery was born with), so a worker sends without reading a row. New
 * deliveries go in batches (see DeliveryBatch); a retry, a requeued delivery and one a worker put back
 * are a job each. A retry is not a job: the reconciler claims it from the database when it is due,
 * as it does a delivery whose job Redis lost.
 */
@Injectable()
export class BullMqDeliveryQueue extends DeliveryQueue {
  /** Fan-out is the workers' (see fan-out-nudge.ts): an API replica only records events. */
  readonly fansOut: boolean;
  private readonly logger = new Logger('DeliveryQueue');

  constructor(
    @InjectQueue(DELIVERY_QUEUE) readonly queue: Queue<DeliveryJob | DeliveryBatch>,
    private readonly tx: TransactionService,
    @Inject(DELIVERS) delivers: boolean,
  ) {
    super();
    this.fansOut = delivers;
    // Without a listener, a Redis restart would be an unhandled 'error' event and end the process.
    this.queue.on('error', (error: Error) => this.logger.error(`Redis: ${error.message}`));
  }

  /** Every new delivery goes to Redis, held from birth until a worker takes its job. */
  ownershipBudget(): () => boolean {
    return () => true;
  }

  /** A fan-out pass's new deliveries, due now and held from birth: in batch jobs. */
  enqueue(jobs: DeliveryJob[]): Promise<void> {
    const batches: DeliveryJob[][] = [];
    for (let i = 0; i < jobs.length; i += BATCH_SIZE) batches.push(jobs.slice(i, i + BATCH_SIZE));
    return this.addInChunks(
      batches.map((batch) => ({
        name: 'deliver-batch',
        data: packBatch(batch),
        // Its first delivery's id (a UUIDv7, made by this pass) names the batch.
        opts: { ...JOB_OPTIONS, jobId: `batch.${batch[0].id}` },
      })),
      BATCHES_PER_ADD,
    );
  }

  /** Due deliveries are the reconciler's to find. */
  wake(): void {}

  /**
   * Adds jobs, each for its next attempt, delayed until `at` when given. Failures are logged, never
   * thrown.
   */
  add(jobs: { job: DeliveryJob; at: Date | null }[]): Promise<void> {
    return this.addInChunks(
      jobs.map(({ job, at }) => ({
        name: 'deliver',
        data: job,
        opts: {
          ...JOB_OPTIONS,
          jobId: jobId(job.id, job.attempts + 1),
          delay: at ? Math.max(0, at.getTime() - Date.now()) : 0,
        },
      })),
      ADD_CHUNK,
    );
  }

  /** `addBulk`, `perCall` jobs at a time, one call after another; a chunk Redis refuses is logged. */
  private async addInChunks(
    jobs: { name: string; data: DeliveryJob | DeliveryBatch; opts: JobsOptions }[],
    perCall: number,
  ): Promise<void> {
    for (let i = 0; i < jobs.length; i += perCall) {
      const chunk = jobs.slice(i, i + perCall);
      try {
        await this.queue.addBulk(chunk);
      } catch (error) {
        // The rows are pending in the database: the reconciler will enqueue them once Redis answers.
        const count = chunk.reduce((n, j) => n + (isBatch(j.data) ? j.data.batch.length : 1), 0);
        this.logger.error(`Could not enqueue ${count} deliveries: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Deliveries of ordered streams released by an outcome an API replica wrote (a redelivery) are
   * enqueued at once, unheld, so the worker that takes one claims it first; a worker claims what its
   * own outcomes release (see DeliveryReconciler.onReleased).
   */
  @OnEvent(DeliveriesReleasedEvent.NAME)
  onReleased(event: DeliveriesReleasedEvent): void {
    if (!this.fansOut) void this.enqueueReleased(event.ids);
  }

  private async enqueueReleased(ids: string[]): Promise<void> {
    try {
      const rows = await this.tx.read((m) => selectJobRows(m, ids));
      await this.add(rows.map((row) => ({ job: jobFromRow(row, null), at: null })));
    } catch (error) {
      this.logger.error(`Could not enqueue released deliveries: ${(error as Error).message}`);
    }
  }

  /** Jobs, not deliveries: a batch counts once (the database's pending count is the deliveries'). */
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
