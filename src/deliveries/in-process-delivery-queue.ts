import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '../config/env.validation';
import { TransactionService } from '../database/transaction.service';
import { DeliveryAttemptsService } from './delivery-attempts.service';
import { DeliveryDispatcher, QueuedDelivery } from './delivery-dispatcher';
import { DeliveryQueue } from './delivery-queue';
import { WebhookDelivery } from './entities/webhook-delivery.entity';

const SHUTDOWN_GRACE_MS = 5000;

/**
 * The embedded default: deliveries are attempted in this process. New ones start at once; a poller
 * picks up what is due from the database (retries, and everything left pending by a crash or restart).
 */
@Injectable()
export class InProcessDeliveryQueue
  extends DeliveryQueue
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('DeliveryQueue');
  private readonly dispatcher: DeliveryDispatcher;
  private readonly pollIntervalMs: number;
  private readonly pollBatch: number;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private backlog = false;
  private started = false;

  constructor(
    private readonly attempts: DeliveryAttemptsService,
    private readonly tx: TransactionService,
    config: ConfigService<Env, true>,
  ) {
    super();
    const global = config.get('WEBHOOK_CONCURRENCY', { infer: true });
    const perWebhook = config.get('WEBHOOK_PER_ENDPOINT_CONCURRENCY', { infer: true });
    this.pollIntervalMs = config.get('WEBHOOK_POLL_INTERVAL_MS', { infer: true });
    this.pollBatch = Math.max(100, global * 4);
    this.dispatcher = new DeliveryDispatcher(
      { global, perWebhook, waitingPerWebhook: Math.max(perWebhook * 8, 32) },
      (job) => this.run(job),
    );
  }

  onApplicationBootstrap(): void {
    this.started = true;
    void this.poll();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.dispatcher.stop();
    const deadline = Date.now() + SHUTDOWN_GRACE_MS;
    while (this.dispatcher.inFlight > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  enqueue(deliveries: QueuedDelivery[]): void {
    if (!this.started) return;
    for (const d of deliveries) {
      // A full webhook queue leaves the rest in the database: fetch them as soon as there is room.
      if (!this.dispatcher.push(d)) this.backlog = true;
    }
  }

  depth(): Promise<number> {
    return Promise.resolve(this.dispatcher.size);
  }

  private async run(job: QueuedDelivery): Promise<void> {
    try {
      await this.attempts.attempt(job.id, { trigger: 'auto', retry: true });
    } catch (error) {
      this.logger.error(`Delivery ${job.id} could not be attempted: ${(error as Error).message}`);
    } finally {
      if (this.backlog && this.dispatcher.size < this.pollBatch / 2) void this.poll();
    }
  }

  /** Loads due pending deliveries that are not queued yet, skipping webhooks whose queue is full. */
  private async poll(): Promise<void> {
    if (!this.started || this.polling) return;
    this.polling = true;
    try {
      if (this.dispatcher.size < this.pollBatch) {
        const due = await this.due(this.dispatcher.saturated());
        let refused = 0;
        for (const d of due)
          if (!this.dispatcher.push({ id: d.id, webhookId: d.webhook_id })) refused += 1;
        // A full batch means more may be due: poll again as soon as jobs finish, not a whole interval later.
        this.backlog = due.length === this.pollBatch || refused > 0;
      }
    } catch (error) {
      this.logger.error(`Polling for due deliveries failed: ${(error as Error).message}`);
    } finally {
      this.polling = false;
      if (this.timer) clearTimeout(this.timer);
      if (this.started) this.timer = setTimeout(() => void this.poll(), this.pollIntervalMs);
    }
  }

  private due(skipWebhooks: number[]): Promise<Pick<WebhookDelivery, 'id' | 'webhook_id'>[]> {
    return this.tx.read((m) => {
      const query = m
        .createQueryBuilder(WebhookDelivery, 'd')
        .select(['d.id', 'd.webhook_id'])
        .where('d.status = :status', { status: 'pending' })
        .andWhere('d.next_attempt_at <= :now', { now: new Date() })
        .orderBy('d.next_attempt_at', 'ASC')
        .limit(this.pollBatch);
      if (skipWebhooks.length > 0)
        query.andWhere('d.webhook_id NOT IN (:...skip)', { skip: skipWebhooks });
      return query.getMany();
    });
  }
}
