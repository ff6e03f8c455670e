import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { In, LessThan, Not } from 'typeorm';
import { Env } from '../../config/env.validation';
import { TransactionService } from '../../database/transaction.service';
import { WebhookDeliveryAttempt } from '../entities/webhook-delivery-attempt.entity';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';
import { WebhookEvent } from '../entities/webhook-event.entity';

const BATCH = 500;
const EVERY_MS = 60 * 60 * 1000;

/**
 * Deletes finished deliveries (and their attempts) older than WEBHOOK_DELIVERY_RETENTION_DAYS, in small
 * batches so that no long transaction holds locks that deliveries are waiting on. Pending ones are kept,
 * and so is every event a remaining delivery still sends.
 */
@Injectable()
export class DeliveryRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryRetentionService.name);
  private readonly retentionDays: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly tx: TransactionService,
    config: ConfigService<Env, true>,
  ) {
    this.retentionDays = config.get('WEBHOOK_DELIVERY_RETENTION_DAYS', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.pruneSafely(), EVERY_MS);
    this.timer.unref();
    setTimeout(() => void this.pruneSafely(), 10_000).unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Prunes everything past retention; answers how many deliveries were deleted. */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000);
    let deleted = 0;
    for (;;) {
      const batch = await this.tx.read((m) =>
        m.find(WebhookDelivery, {
          select: { id: true },
          where: { created_at: LessThan(cutoff), status: Not('pending') },
          take: BATCH,
        }),
      );
      if (batch.length === 0) break;
      const ids = batch.map((d) => d.id);
      await this.tx.run(async (m) => {
        await m.delete(WebhookDeliveryAttempt, { delivery_id: In(ids) });
        await m.delete(WebhookDelivery, { id: In(ids) });
      }, 'background');
      deleted += ids.length;
      await new Promise((r) => setImmediate(r));
    }
    await this.pruneEvents(cutoff);
    return deleted;
  }

  /** Events past retention that no delivery refers to any more (fanned out, or sent to no one). */
  private async pruneEvents(cutoff: Date): Promise<void> {
    for (;;) {
      const batch = await this.tx.read((m) =>
        m
          .createQueryBuilder(WebhookEvent, 'e')
          .select('e.id', 'id')
          .where('e.created_at < :cutoff', { cutoff })
          .andWhere('e.fanned_out = :yes', { yes: true })
          .andWhere('NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)')
          .limit(BATCH)
          .getRawMany<{ id: string }>(),
      );
      if (batch.length === 0) return;
      const ids = batch.map((e) => e.id);
      await this.tx.run(
        (m) =>
          m
            .createQueryBuilder()
            .delete()
            .from(WebhookEvent)
            .where('id IN (:...ids)', { ids })
            .andWhere(
              'NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)',
            )
            .execute(),
        'background',
      );
      await new Promise((r) => setImmediate(r));
    }
  }

  private async pruneSafely(): Promise<void> {
    try {
      const deleted = await this.prune();
      if (deleted > 0)
        this.logger.log(`Pruned ${deleted} deliveries older than ${this.retentionDays} days`);
    } catch (error) {
      this.logger.error(`Pruning deliveries failed: ${(error as Error).message}`);
    }
  }
}
