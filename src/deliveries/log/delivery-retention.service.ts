import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { In, LessThan, Not } from 'typeorm';
import { Env } from '../../config/env.validation';
import { deleteInBatches, HourlyPruner, PRUNE_BATCH } from '../../database/batched-pruner';
import { TransactionService } from '../../database/transaction.service';
import { WebhookDeliveryAttempt } from '../entities/webhook-delivery-attempt.entity';
import { DeliveryStatus, WebhookDelivery } from '../entities/webhook-delivery.entity';
import { WebhookEvent } from '../entities/webhook-event.entity';

/** No delivery refers to the event (`event` stands for the events table or its alias). */
const unreferenced = (event: string) =>
  `NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = ${event}.id)`;

/**
 * Deletes finished deliveries (and their attempts) older than WEBHOOK_DELIVERY_RETENTION_DAYS, hourly
 * and in small batches. Pending ones are kept, and so is every event a remaining delivery still sends.
 */
@Injectable()
export class DeliveryRetentionService extends HourlyPruner {
  private readonly retentionDays: number;

  constructor(
    private readonly tx: TransactionService,
    config: ConfigService<Env, true>,
  ) {
    super();
    this.retentionDays = config.get('WEBHOOK_DELIVERY_RETENTION_DAYS', { infer: true });
  }

  protected describe(): string {
    return `deliveries older than ${this.retentionDays} days`;
  }

  /** Prunes everything past retention; answers how many deliveries were deleted. */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000);
    const deleted = await deleteInBatches(
      this.tx,
      (m) =>
        m.find(WebhookDelivery, {
          select: { id: true },
          where: { created_at: LessThan(cutoff), status: Not<DeliveryStatus>('pending') },
          take: PRUNE_BATCH,
        }),
      async (m, batch) => {
        const ids = batch.map((d) => d.id);
        await m.delete(WebhookDeliveryAttempt, { delivery_id: In(ids) });
        await m.delete(WebhookDelivery, { id: In(ids) });
      },
    );
    await this.pruneEvents(cutoff);
    return deleted;
  }

  /** Events past retention that no delivery refers to any more (fanned out, or sent to no one). */
  private pruneEvents(cutoff: Date): Promise<number> {
    return deleteInBatches(
      this.tx,
      (m) =>
        m
          .createQueryBuilder(WebhookEvent, 'e')
          .select('e.id', 'id')
          .where('e.created_at < :cutoff', { cutoff })
          .andWhere('e.fanned_out = :yes', { yes: true })
          .andWhere(unreferenced('e'))
          .limit(PRUNE_BATCH)
          .getRawMany<{ id: string }>(),
      (m, batch) =>
        m
          .createQueryBuilder()
          .delete()
          .from(WebhookEvent)
          .where('id IN (:...ids)', { ids: batch.map((e) => e.id) })
          .andWhere(unreferenced('webhook_events'))
          .execute(),
    );
  }
}
