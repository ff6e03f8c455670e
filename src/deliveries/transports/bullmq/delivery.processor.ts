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
import { DeliveryClaimer } from '../../leases/delivery-claimer';
import { DeliveryJob } from '../../leases/delivery-job';
import { DeliveryDispatcher } from '../delivery-dispatcher';
import { EndpointSlots, InFlightLimit } from '../endpoint-slots';
import { DeliveryReconciler } from './delivery-reconciler';

const BUSY_WEBHOOK_DELAY_MS = 250;
/** Time a job's lease must have left for its attempt to go ahead without claiming it again. */
const LEASE_SLACK_MS = 1_000;

/**
 * A BullMQ delivery worker. A job is one attempt, or a batch of new deliveries' first attempts (see
 * DeliveryBatch), sent from the job's own data. A delivery whose webhook is at its bound in this worker
 * waits a little for a slot (see endpoint-slots.ts); one that gets none is put back (a batch's rest)
 * or left to the database (see leaveToDatabase) instead of holding a slot the other webhooks need. Requests in flight in all are bounded by
 * `WEBHOOK_CONCURRENCY`, whatever the jobs in hand hold. Deliveries the reconciler claims from the
 * database (retries, and whatever no job carries) run here too, taking webhooks in turn.
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
  /** Deliveries the reconciler claimed, waiting for their turn (see runHeld). */
  private readonly held: DeliveryDispatcher<DeliveryJob>;
  /** A stopping worker starts no attempt: what it holds and has not started goes back to Redis. */
  private stopping = false;

  constructor(
    private readonly attempts: DeliveryAttemptsService,
    private readonly queue: BullMqDeliveryQueue,
    private readonly grace: AttemptsInFlight,
    config: ConfigService<Env, true>,
    private readonly claimer: DeliveryClaimer,
    private readonly reconciler: DeliveryReconciler,
  ) {
    super();
    const perWebhook = config.get('WEBHOOK_PER_ENDPOINT_CONCURRENCY', { infer: true });
    this.slots = new EndpointSlots(perWebhook, perWebhook);
    this.concurrency = config.get('WEBHOOK_CONCURRENCY', { infer: true });
    this.inFlight = new InFlightLimit(this.concurrency);
    this.timeoutMs = config.get('WEBHOOK_TIMEOUT_MS', { infer: true });
    // A claimed delivery counts here until its outcome is written; its request is bounded by the
    // slots and the in-flight limit, so one waiting for its group commit does not hold up the next.
    this.held = new DeliveryDispatcher(
      {
        global: this.concurrency * 2,
        perWebhook: perWebhook * 2,
        waitingPerWebhook: Number.MAX_SAFE_INTEGER,
        capacity: Number.MAX_SAFE_INTEGER,
      },
      (job) => this.runHeld(job),
    );
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.concurrency;
    this.worker.on('error', (error: Error) => this.logger.error(`Redis: ${error.message}`));
    this.reconciler.start((jobs) => {
      for (const job of jobs) if (!this.held.push(job, true)) this.reconciler.done(job);
    });
  }

  /**
   * Jobs in hand finish, and their outcomes are written, while the database is still open: within
   * SHUTDOWN_GRACE_SECONDS; past it, their requests are interrupted (see AttemptsInFlight).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // Claimed deliveries not started yet are left to their leases' end.
    this.reconciler.stop();
    this.held.stop();
    let closed = false;
    const closing = this.worker.close().then(() => (closed = true));
    await this.grace.settle(() => !closed || this.held.inFlight > 0);
    await closing;
    this.grace.report();
  }

  async process(job: Job<DeliveryJob | DeliveryBatch>, token?: string): Promise<void> {
    if (isBatch(job.data)) return this.processBatch(unpackBatch(job.data), job.stalledCounter > 0);
    const { webhookId } = job.data;
    if (this.stopping) return this.putBack(job, Date.now(), token);
    if (!(await this.slots.take(webhookId, BUSY_WEBHOOK_DELAY_MS)))
      return this.leaveToDatabase([job.data]);
    const result = await this.deliver(job.data);
    if (result?.error_code === 'interrupted') {
      // Taken again at once, by another worker or this one's successor, for the same attempt.
      await job.updateData({ ...job.data, ...interruptedJob(result) });
      await this.putBack(job, Date.now(), token);
    }
    // One pacing/ deferred (its endpoint paused, open or at its rate) waits in its row like a retry:
    // deliver() woke the reconciler for its time.
  }

  /** The job goes back to Redis until `at`, for any worker to take. */
  private async putBack(job: Job, at: number, token?: string): Promise<never> {
    await job.moveToDelayed(at, token);
    throw new DelayedError();
  }

  /**
   * A batch's deliveries, one chain per webhook: each chain sends its deliveries in turn, so a batch
   * never holds more than one of a webhook's slots, and all its webhooks are sent to at once. A chain
   * that gets no slot in time puts the rest of its deliveries back in Redis, delayed, each as a job of
   * its own, or, in a late batch, leaves them to the database; a job put back that finds its webhook
   * busy again is left to the database.
   * A batch taken again after its worker stalled (died, or was blocked past its lock) trusts none of
   * its leases: each delivery is claimed again first, so none is sent twice at once, and one already
   * done is skipped.
   */
  private async processBatch(jobs: DeliveryJob[], restarted: boolean): Promise<void> {
    const chains = new Map<number, DeliveryJob[]>();
    const held = await this.holdBatch(jobs, restarted);
    for (const job of held.jobs) {
      const chain = chains.get(job.webhookId) ?? [];
      chain.push(job);
      chains.set(job.webhookId, chain);
    }
    await Promise.all([...chains.values()].map((chain) => this.runChain(chain, held.late)));
  }

  /**
   * A batch's deliveries as held now: those whose lease ran out (or might have: a batch taken again
   * after its worker stalled) are claimed again together, in one transaction, and the ones someone
   * else holds or that are done are dropped; in the batch's order. `late`: some had to be claimed
   * again, so the batch waited in Redis past its lease (a backlog, or a worker that died).
   */
  private async holdBatch(
    jobs: DeliveryJob[],
    restarted: boolean,
  ): Promise<{ jobs: DeliveryJob[]; late: boolean }> {
    const soon = Date.now() + this.timeoutMs + LEASE_SLACK_MS;
    const stale = jobs.filter((j) => restarted || j.leaseUntil === null || j.leaseUntil < soon);
    if (stale.length === 0) return { jobs, late: false };
    const leases = new Set(stale.map((j) => j.leaseUntil));
    const held = !restarted && leases.size === 1 ? [...leases][0] : null;
    const claimed = new Map(
      (
        await this.claimer.claimIds(
          stale.map((j) => j.id),
          held,
        )
      ).map((j) => [j.id, j]),
    );
    const isStale = new Set(stale);
    return {
      jobs: jobs.flatMap((j) =>
        !isStale.has(j) ? [j] : claimed.has(j.id) ? [claimed.get(j.id)!] : [],
      ),
      late: true,
    };
  }

  /**
   * A delivery the reconciler claimed, in its turn: sent once its webhook has a slot in this worker
   * (shared with the jobs from Redis); one that gets none within the webhook's timeout is left to the
   * database again.
   */
  private async runHeld(job: DeliveryJob): Promise<void> {
    this.reconciler.started(job);
    try {
      if (this.stopping) return;
      if (!(await this.slots.take(job.webhookId, this.timeoutMs, false)))
        return await this.leaveToDatabase([job]);
      const result = await this.deliver(job);
      if (result?.error_code === 'interrupted')
        await this.queue.add([{ job: { ...job, ...interruptedJob(result) }, at: new Date() }]);
    } finally {
      this.reconciler.done(job);
    }
  }

  private async runChain(chain: DeliveryJob[], late: boolean): Promise<void> {
    for (let i = 0; i < chain.length; i++) {
      const { webhookId } = chain[i];
      if (this.stopping) {
        const at = new Date();
        await this.queue.add(chain.slice(i).map((job) => ({ job, at })));
        return;
      }
      if (!(await this.slots.take(webhookId, BUSY_WEBHOOK_DELAY_MS, false))) {
        // A late batch is part of a backlog: the rest waits in the database, for the reconcilers'
        // batches. A burst's goes back to Redis, for whichever worker is free first (left to the
        // database, the releasing worker's reconciler would claim most of it again itself).
        if (late) return this.leaveToDatabase(chain.slice(i));
        const at = new Date(this.busyUntil(webhookId));
        await this.queue.add(chain.slice(i).map((job) => ({ job, at })));
        return;
      }
      const result = await this.deliver(chain[i]);
      if (result?.error_code === 'interrupted')
        await this.queue.add([{ job: { ...chain[i], ...interruptedJob(result) }, at: new Date() }]);
    }
  }

  /** When a batch's rest that found its webhook busy comes back (see EndpointSlots.busyDelayMs). */
  private busyUntil(webhookId: number): number {
    const away = this.slots.busyDelayMs(webhookId, BUSY_WEBHOOK_DELAY_MS, this.timeoutMs);
    return Date.now() + away + Math.floor(Math.random() * BUSY_WEBHOOK_DELAY_MS);
  }

  /**
   * Deliveries whose webhook stayed busy: their leases are given up and they wait in the database,
   * due as they were, where the reconciler claims them in its next batch and holds them until the
   * webhook has a slot. (Put back in Redis again and again, a backlog for a few busy webhooks bounced
   * between Redis and the worker, a job each, every few hundred milliseconds.)
   */
  private async leaveToDatabase(jobs: DeliveryJob[]): Promise<void> {
    try {
      await this.claimer.release(jobs);
    } catch (error) {
      // Their leases end by themselves; the reconciler claims them then.
      this.logger.error(`Releasing ${jobs.length} deliveries failed: ${(error as Error).message}`);
    }
    this.reconciler.wake();
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
      // A retry is its row's next_attempt_at (its lease ended with this outcome): a reconciler claims
      // it from the database then, with the other retries due, in batches.
      if (result.status === 'pending' && result.next_attempt_at)
        this.reconciler.wakeBy(result.next_attempt_at.getTime());
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
