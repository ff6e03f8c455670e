import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { Wake, WakeAt } from '../../../common/wake';
import { Env } from '../../../config/env.validation';
import { DeliveryAttemptsService } from '../../attempt/delivery-attempts.service';
import { AttemptsInFlight } from '../../leases/attempts-in-flight';
import { DeliveryClaimer } from '../../leases/delivery-claimer';
import { DeliveryDispatcher } from '../delivery-dispatcher';
import { DeliveryJob } from '../../leases/delivery-job';
import { DeliveriesReleasedEvent } from '../../events/pipeline.events';
import { DeliveryQueue } from '../delivery-queue';
import { OutcomeRecorder } from '../../outcomes/outcome-recorder';

const RENEW_EVERY_MS = 1000;

/**
 * The embedded default: deliveries are attempted in this process. New ones arrive from the fan-out
 * already held and are sent from memory; a poller claims what else is due from the database (retries,
 * deliveries the queue had no room for, and everything left by a crash or restart), in batches.
 * At most `capacity` jobs are held in memory: the rest wait in the database.
 */
@Injectable()
export class InProcessDeliveryQueue
  extends DeliveryQueue
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  readonly fansOut = true;
  private readonly logger = new Logger('DeliveryQueue');
  private readonly dispatcher: DeliveryDispatcher<DeliveryJob>;
  private readonly pollIntervalMs: number;
  private readonly pollBatch: number;
  private timer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  /** Polls at the earliest retry's time, if that is before the next regular poll. */
  private readonly retryDue = new WakeAt(() => this.wake());
  private backlog = false;
  private started = false;
  /** One poll at a time; wakes during it poll once more after it. */
  private readonly poller = new Wake(() => this.poll());

  constructor(
    private readonly attempts: DeliveryAttemptsService,
    private readonly claimer: DeliveryClaimer,
    private readonly recorder: OutcomeRecorder,
    private readonly inFlight: AttemptsInFlight,
    config: ConfigService<Env, true>,
  ) {
    super();
    const global = config.get('WEBHOOK_CONCURRENCY', { infer: true });
    const perWebhook = config.get('WEBHOOK_PER_ENDPOINT_CONCURRENCY', { infer: true });
    this.pollIntervalMs = config.get('WEBHOOK_POLL_INTERVAL_MS', { infer: true });
    this.pollBatch = Math.max(200, global * 4);
    this.dispatcher = new DeliveryDispatcher(
      {
        global,
        perWebhook,
        waitingPerWebhook: Math.max(perWebhook * 16, 64),
        capacity: Math.max(2000, global * 20),
      },
      (job) => this.run(job),
    );
  }

  onApplicationBootstrap(): void {
    this.started = true;
    this.renewTimer = setInterval(() => void this.renewLeases(), RENEW_EVERY_MS);
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.retryDue.cancel();
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.dispatcher.stop();
    // Attempts in flight finish within SHUTDOWN_GRACE_SECONDS; past it they are interrupted.
    await this.inFlight.settle(() => this.dispatcher.inFlight > 0);
    // Outcomes of the attempts that just finished are written before the database closes.
    await this.recorder.flush();
    this.inFlight.report();
  }

  ownershipBudget(): (webhookId: number) => boolean {
    const taken = new Map<number, number>();
    let total = 0;
    return (webhookId) => {
      const mine = taken.get(webhookId) ?? 0;
      if (!this.started || !this.dispatcher.hasRoom(webhookId, mine, total)) {
        this.backlog = true;
        return false;
      }
      taken.set(webhookId, mine + 1);
      total += 1;
      return true;
    };
  }

  enqueue(jobs: DeliveryJob[]): void {
    // Held by this process: accepted even past the bounds (by at most one fan-out batch).
    for (const job of jobs) this.dispatcher.push(job, true);
  }

  /** Released deliveries of ordered streams are due now: the poller claims them. */
  @OnEvent(DeliveriesReleasedEvent.NAME)
  onReleased(): void {
    this.wake();
  }

  wake(): void {
    this.poller.wake();
  }

  depth(): Promise<number> {
    return Promise.resolve(this.dispatcher.size);
  }

  private async run(job: DeliveryJob): Promise<void> {
    try {
      const attempted = await this.attempts.attempt(job, { trigger: 'auto', retry: true });
      const next = attempted?.result.next_attempt_at;
      if (attempted && attempted.result.status === 'pending' && next) {
        // The retry is claimed from the database once its outcome is written and its time has come.
        attempted.recorded.then(
          () => this.started && this.retryDue.by(next.getTime()),
          () => undefined,
        );
      } else {
        attempted?.recorded.catch(() => undefined);
      }
    } catch (error) {
      this.logger.error(`Delivery ${job.id} could not be attempted: ${(error as Error).message}`);
    } finally {
      if (this.backlog && this.dispatcher.size < this.pollBatch / 2) this.wake();
    }
  }

  /**
   * Waiting jobs keep their deliveries: leases that would end before a whole attempt could run are
   * extended, a statement per lease batch, so a backlog in memory never falls back to one claim each.
   */
  private async renewLeases(): Promise<void> {
    try {
      await this.claimer.renewHeld(this.dispatcher.waitingJobs(), RENEW_EVERY_MS * 3);
    } catch (error) {
      this.logger.error(`Renewing delivery leases failed: ${(error as Error).message}`);
    }
  }

  /** Claims due pending deliveries that nobody holds, skipping webhooks whose queue is full. */
  private async poll(): Promise<void> {
    if (!this.started) return;
    try {
      const room = Math.min(this.pollBatch, this.dispatcher.room);
      if (room === 0) {
        this.backlog = true;
        return;
      }
      const due = await this.claimer.claimDue(room, this.dispatcher.saturated());
      for (const job of due) this.dispatcher.push(job, true);
      // A full batch means more may be due: poll again as soon as jobs finish, not a whole interval later.
      this.backlog = due.length === room;
    } catch (error) {
      this.logger.error(`Polling for due deliveries failed: ${(error as Error).message}`);
    } finally {
      if (this.timer) clearTimeout(this.timer);
      if (this.started) this.timer = setTimeout(() => this.wake(), this.pollIntervalMs);
    }
  }
}
