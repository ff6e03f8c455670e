import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { Wake, WakeAt } from '../../../common/wake';
import { Env } from '../../../config/env.validation';
import { DeliveryClaimer } from '../../leases/delivery-claimer';
import { DeliveryJob } from '../../leases/delivery-job';
import { DeliveriesReleasedEvent } from '../../events/pipeline.events';

const RENEW_EVERY_MS = 1000;

/**
 * Runs claimed deliveries in this worker (the processor's), which tells `started` and `done` of
 * each one.
 */
export type HeldRunner = (jobs: DeliveryJob[]) => void;

/**
 * The database is the source of truth: a worker claims the due `pending` deliveries nobody holds
 * straight from it, in batches (`FOR UPDATE SKIP LOCKED`, so workers take disjoint sets), and runs
 * them itself. That is how retries come back (a retry is a row's `next_attempt_at`, not a delayed job),
 * and what brings deliveries back after Redis is flushed or restarted, or a worker died holding jobs
 * (once their leases end). It claims again as soon as half of what it holds is done, at a retry's time
 * (see wakeBy), and at least every `WEBHOOK_RECONCILE_INTERVAL_MS`. At most `capacity` deliveries are
 * held at once; the rest wait in the database.
 */
@Injectable()
export class DeliveryReconciler implements OnApplicationShutdown {
  private readonly logger = new Logger('DeliveryReconciler');
  private readonly intervalMs: number;
  private readonly capacity: number;
  private readonly batch: number;
  /** Claimed and not yet done. */
  private held = 0;
  /** Claimed and not yet started: their leases are renewed while they wait. */
  private readonly waiting = new Set<DeliveryJob>();
  private run: HeldRunner | null = null;
  private timer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private readonly retryDue = new WakeAt(() => this.wake());
  /** The last claim was full: more is due, claim again once there is room. */
  private backlog = false;
  private readonly claiming = new Wake(() => this.reconcile());

  constructor(
    private readonly claimer: DeliveryClaimer,
    config: ConfigService<Env, true>,
  ) {
    this.intervalMs = config.get('WEBHOOK_RECONCILE_INTERVAL_MS', { infer: true });
    const concurrency = config.get('WEBHOOK_CONCURRENCY', { infer: true });
    this.batch = Math.max(200, concurrency * 4);
    // Twice a claim: enough to keep every request slot busy between claims, few enough that none
    // waits in hand until its lease needs renewing (a statement more per delivery).
    this.capacity = this.batch * 2;
  }

  /** Starts claiming, with the processor's runner (called once its BullMQ worker runs). */
  start(run: HeldRunner): void {
    this.run = run;
    this.renewTimer = setInterval(() => void this.renewLeases(), RENEW_EVERY_MS);
    this.wake();
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /** Claims nothing more (a stopping worker). */
  stop(): void {
    this.run = null;
    if (this.timer) clearTimeout(this.timer);
    this.retryDue.cancel();
    if (this.renewTimer) clearInterval(this.renewTimer);
  }

  wake(): void {
    this.claiming.wake();
  }

  /** A retry is due at `at`: claim then, if that is before the next regular pass. */
  wakeBy(at: number): void {
    if (this.run) this.retryDue.by(at);
  }

  /** Claims due deliveries nobody holds, as many as there is room for, and runs them; answers how many. */
  async reconcile(): Promise<number> {
    const run = this.run;
    if (!run) return 0;
    try {
      const room = Math.min(this.batch, this.capacity - this.held);
      if (room <= 0) return ((this.backlog = true), 0);
      const jobs = await this.claimer.claimDue(room);
      this.backlog = jobs.length === room;
      this.hand(run, jobs);
      return jobs.length;
    } catch (error) {
      this.logger.error(`Claiming due deliveries failed: ${(error as Error).message}`);
      return 0;
    } finally {
      if (this.timer) clearTimeout(this.timer);
      if (this.run) this.timer = setTimeout(() => this.wake(), this.intervalMs);
    }
  }

  /**
   * The next deliveries of ordered streams, released by an outcome this worker wrote: due now, so
   * claimed and run at once rather than behind the retries due before them.
   */
  @OnEvent(DeliveriesReleasedEvent.NAME)
  async onReleased(event: DeliveriesReleasedEvent): Promise<void> {
    const run = this.run;
    if (!run) return;
    try {
      this.hand(run, await this.claimer.claimIds(event.ids));
    } catch (error) {
      this.logger.error(`Claiming released deliveries failed: ${(error as Error).message}`);
    }
  }

  private hand(run: HeldRunner, jobs: DeliveryJob[]): void {
    this.held += jobs.length;
    for (const job of jobs) this.waiting.add(job);
    if (jobs.length > 0) run(jobs);
  }

  /** A claimed delivery started: its lease is no longer renewed here. */
  started(job: DeliveryJob): void {
    this.waiting.delete(job);
  }

  /** A claimed delivery ended (or was never started). */
  done(job: DeliveryJob): void {
    this.waiting.delete(job);
    this.held -= 1;
    // Half of a full claim is done: claim again now rather than an interval later.
    if (this.backlog && this.held <= this.capacity - this.batch / 2) this.wake();
  }

  /** Leases of claimed deliveries still waiting are extended before they end, a statement per batch. */
  private async renewLeases(): Promise<void> {
    try {
      await this.claimer.renewHeld(this.waiting, RENEW_EVERY_MS * 3);
    } catch (error) {
      this.logger.error(`Renewing delivery leases failed: ${(error as Error).message}`);
    }
  }
}
