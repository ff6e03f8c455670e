import { Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DelayedError, Job } from 'bullmq';
import { Env } from '../../../config/env.validation';
import {
  BullMqDeliveryQueue,
  DELIVERY_QUEUE,
  DeliveryBatch,
  isBatch,
  unpackBatch,
} from './bullmq-delivery-queue';
import { AttemptsInFlight } from '../../leases/attempts-in-flight';
import { AttemptResult, DeliveryAttemptsService } from '../../attempt/delivery-attempts.service';
import { DeliveryJob } from '../../leases/delivery-job';
import { EndpointSlots, InFlightLimit } from '../endpoint-slots';

const BUSY_WEBHOOK_DELAY_MS = 250;

/**
 * A BullMQ delivery worker. A job is one attempt, or a batch of new deliveries' first attempts (see
 * DeliveryBatch), sent from the job's own data. A delivery whose webhook is at its bound in this worker
 * waits a little for a slot (see endpoint-slots.ts); one that gets none is put back, delayed, instead
 * of holding a slot the other webhooks need. Requests in flight in all are bounded by
 * `WEBHOOK_CONCURRENCY`, whatever the jobs in hand hold.
 */
@Processor(DELIVERY_QUEUE)
export class DeliveryProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('DeliveryWorker');
  private readonly slots: EndpointSlots;
  private readonly inFlight: InFlightLimit;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  /** A stopping worker starts no attempt: what it holds and has not started goes back to Redis. */
  private stopping = false;

  constructor(
    private readonly attempts: DeliveryAttemptsService,
    private readonly queue: BullMqDeliveryQueue,
    private readonly grace: AttemptsInFlight,
    config: ConfigService<Env, true>,
  ) {
    super();
    const perWebhook = config.get('WEBHOOK_PER_ENDPOINT_CONCURRENCY', { infer: true });
    this.slots = new EndpointSlots(perWebhook, perWebhook);
    this.concurrency = config.get('WEBHOOK_CONCURRENCY', { infer: true });
    this.inFlight = new InFlightLimit(this.concurrency);
    this.timeoutMs = config.get('WEBHOOK_TIMEOUT_MS', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.concurrency;
    this.worker.on('error', (error: Error) => this.logger.error(`Redis: ${error.message}`));
  }

  /**
   * Jobs in hand finish, and their outcomes are written, while the database is still open: within
   * SHUTDOWN_GRACE_SECONDS; past it, their requests are interrupted (see AttemptsInFlight).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    let closed = false;
    const closing = this.worker.close().then(() => (closed = true));
    await this.grace.settle(() => !closed);
    await closing;
    this.grace.report();
  }

  async process(job: Job<DeliveryJob | DeliveryBatch>, token?: string): Promise<void> {
    if (isBatch(job.data)) return this.processBatch(unpackBatch(job.data), job.stalledCounter > 0);
    const { webhookId } = job.data;
    if (this.stopping) return this.putBack(job, Date.now(), token);
    if (!(await this.slots.take(webhookId, BUSY_WEBHOOK_DELAY_MS)))
      return this.putBack(job, this.busyUntil(webhookId), token);
    const result = await this.deliver(job.data);
    if (result?.error_code === 'interrupted') {
      // Taken again at once, by another worker or this one's successor, for the same attempt.
      await job.updateData({ ...job.data, ...interruptedJob(result) });
      await this.putBack(job, Date.now(), token);
    } else if (result?.next_attempt_at && result.attempt === job.data.attempts) {
      // Not attempted (pacing/: its endpoint paused, open or at its rate): the same job waits its turn.
      await this.putBack(job, result.next_attempt_at.getTime(), token);
    }
  }

  /** The job goes back to Redis until `at`, for any worker to take. */
  private async putBack(job: Job, at: number, token?: string): Promise<never> {
    await job.moveToDelayed(at, token);
    throw new DelayedError();
  }

  /**
   * A batch's deliveries, one chain per webhook: each chain sends its deliveries in turn, so a batch
   * never holds more than one of a webhook's slots, and all its webhooks are sent to at once. A chain
   * that gets no slot in time puts the rest of its deliveries back, delayed, each as a job of its own.
   * A batch taken again after its worker stalled (died, or was blocked past its lock) trusts none of
   * its leases: each delivery is claimed again first, so none is sent twice at once, and one already
   * done is skipped.
   */
  private async processBatch(jobs: DeliveryJob[], restarted: boolean): Promise<void> {
    const chains = new Map<number, DeliveryJob[]>();
    for (const job of jobs) {
      const chain = chains.get(job.webhookId) ?? [];
      chain.push(restarted ? { ...job, leaseUntil: null } : job);
      chains.set(job.webhookId, chain);
    }
    await Promise.all([...chains.values()].map((chain) => this.runChain(chain)));
  }

  private async runChain(chain: DeliveryJob[]): Promise<void> {
    for (let i = 0; i < chain.length; i++) {
      const { webhookId } = chain[i];
      if (this.stopping) {
        const at = new Date();
        await this.queue.add(chain.slice(i).map((job) => ({ job, at })));
        return;
      }
      if (!(await this.slots.take(webhookId, BUSY_WEBHOOK_DELAY_MS, false))) {
        const at = new Date(this.busyUntil(webhookId));
        await this.queue.add(chain.slice(i).map((job) => ({ job, at })));
        return;
      }
      const result = await this.deliver(chain[i]);
      if (result?.error_code === 'interrupted')
        await this.queue.add([{ job: { ...chain[i], ...interruptedJob(result) }, at: new Date() }]);
    }
  }

  /** When a delivery that found its webhook busy comes back (see EndpointSlots.busyDelayMs). */
  private busyUntil(webhookId: number): number {
    const away = this.slots.busyDelayMs(webhookId, BUSY_WEBHOOK_DELAY_MS, this.timeoutMs);
    return Date.now() + away + Math.floor(Math.random() * BUSY_WEBHOOK_DELAY_MS);
  }

  /**
   * Attempts a delivery whose webhook slot is held. The slot and the place among the worker's requests
   * in flight are freed once the answer is in, while the outcome waits for its group commit.
   */
  private async deliver(data: DeliveryJob): Promise<AttemptResult | null> {
    const { id, webhookId } = data;
    await this.inFlight.take();
    let answered = false;
    const free = (durationMs?: number) => {
      if (answered) return;
      answered = true;
      this.slots.release(webhookId, durationMs);
      this.inFlight.release();
    };
    try {
      const attempted = await this.attempts.attempt(data, { trigger: 'auto', retry: true });
      free(attempted?.result.duration_ms);
      if (!attempted) return null;
      await attempted.recorded;
      const { result } = attempted;
      if (result.error_code === 'interrupted') return result;
      if (result.status === 'pending' && result.next_attempt_at) {
        // The retry claims its delivery again: its lease ended when this outcome was written.
        const retry: DeliveryJob = {
          ...data,
          attempts: result.attempt,
          status: 'pending',
          nextAttemptAt: result.next_attempt_at.getTime(),
          leaseUntil: null,
        };
        await this.queue.add([{ job: retry, at: result.next_attempt_at }]);
      }
      return result;
    } catch (error) {
      this.logger.error(`Delivery ${id} could not be attempted: ${(error as Error).message}`);
      return null;
    } finally {
      free();
    }
  }
}

/**
 * A job for the attempt that was interrupted, made again: its outcome is written (the lease is
 * released, so the worker that takes it claims it first) and the attempt was not counted.
 */
function interruptedJob(result: AttemptResult): Partial<DeliveryJob> {
  return { attempts: result.attempt - 1, status: 'pending', leaseUntil: null };
}
