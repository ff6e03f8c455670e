import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '../../../config/env.validation';
import { TransactionService } from '../../../database/transaction.service';
import { BullMqDeliveryQueue } from './bullmq-delivery-queue';
import { selectJobRows } from '../../store/lease-rows';
import { jobFromRow } from '../../leases/delivery-job';
import { WebhookDelivery } from '../../entities/webhook-delivery.entity';

const BATCH = 1000;

/**
 * The database is the source of truth: every so often, due `pending` deliveries that nobody holds are
 * (re-)enqueued. This is what brings deliveries back after Redis is flushed or restarted, or a worker
 * died with jobs in hand. A job that still exists is not added twice (its id names the attempt; see
 * BullMqDeliveryQueue.requeue for deliveries in batch jobs).
 */
@Injectable()
export class DeliveryReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DeliveryReconciler');
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly tx: TransactionService,
    private readonly queue: BullMqDeliveryQueue,
    config: ConfigService<Env, true>,
  ) {
    this.intervalMs = config.get('WEBHOOK_RECONCILE_INTERVAL_MS', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.reconcile(), this.intervalMs);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Enqueues overdue pending deliveries; answers how many it found. */
  async reconcile(now = new Date()): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      // Overdue by more than one interval: a delayed job would have fired by then.
      const overdue = new Date(now.getTime() - this.intervalMs);
      const rows = await this.tx.read(async (m) => {
        const due = await m
          .createQueryBuilder(WebhookDelivery, 'd')
          .select('d.id', 'id')
          .where('d.status = :pending', { pending: 'pending' })
          .andWhere('d.next_attempt_at <= :overdue', { overdue })
          .andWhere('(d.locked_until IS NULL OR d.locked_until < :now)', { now })
          .orderBy('d.next_attempt_at', 'ASC')
          .limit(BATCH)
          .getRawMany<{ id: string }>();
        return due.length > 0
          ? selectJobRows(
              m,
              due.map((d) => d.id),
            )
          : [];
      });
      // No lease: the worker that takes the job claims the delivery first.
      await this.queue.requeue(rows.map((row) => jobFromRow(row, null)));
      return rows.length;
    } catch (error) {
      this.logger.error(`Reconciling deliveries failed: ${(error as Error).message}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
