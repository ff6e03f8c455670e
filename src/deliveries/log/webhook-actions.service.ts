import { ConflictException, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AuditService } from '../../audit/audit.service';
import { TransactionService } from '../../database/transaction.service';
import { catalogEntry, EVENTS } from '../../events/event-catalog';
import { toRfc3339 } from '../../events/rfc3339';
import { audited, WebhooksService } from '../../webhooks/webhooks.service';
import { AttemptResult } from '../attempt/delivery-attempts.service';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';
import { DeliveryReleases } from '../outcomes/delivery-releases';
import { releaseHeads } from '../store/ordered-rows';
import { DeliveriesService } from './deliveries.service';

/** What an operator asks the pipeline to do for one webhook: a test send now, or a recovery. */
@Injectable()
export class WebhookActionsService {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly deliveries: DeliveriesService,
    private readonly tx: TransactionService,
    private readonly releases: DeliveryReleases,
    private readonly audit: AuditService,
  ) {}

  /** One real, signed attempt of `webhook.test` (or an event's sample), recorded in the log. */
  async test(id: number, event: string = EVENTS.WEBHOOK_TEST): Promise<AttemptResult> {
    const webhook = await this.webhooks.find(id);
    const occurredAt = new Date();
    const data =
      event === EVENTS.WEBHOOK_TEST
        ? {
            test: true,
            message: 'This is a test webhook from Homa',
            webhook_id: webhook.id,
            timestamp: toRfc3339(occurredAt),
          }
        : { ...catalogEntry(event)?.sample, test: true };
    return this.deliveries.sendOnce(
      webhook,
      { name: event, id: uuidv7(), occurredAt, data },
      audited('webhook.test', id),
    );
  }

  /**
   * Puts every failed delivery of the webhook since `since` back in the queue; the poller sends them.
   * Those of an ordered stream go back in their place: each waits for its turn in sequence order.
   */
  async recover(id: number, since: Date): Promise<{ webhook_id: number; requeued: number }> {
    const webhook = await this.webhooks.find(id);
    if (!webhook.enabled)
      throw new ConflictException(
        `Webhook ${id} is disabled; enable it before recovering its deliveries`,
      );
    const now = new Date();
    const { requeued, released } = await this.tx.run(async (m) => {
      const requeue = (ordered: boolean) =>
        m
          .createQueryBuilder()
          .update(WebhookDelivery)
          // A delivery of an ordered stream waits for its turn; the head of each stream is released below.
          .set({ status: 'pending', next_attempt_at: ordered && webhook.ordered ? null : now })
          .where('webhook_id = :id AND status = :failed AND created_at >= :since', {
            id,
            failed: 'failed',
            since,
          })
          .andWhere(ordered ? 'sequence IS NOT NULL' : 'sequence IS NULL')
          .execute();
      const unordered = (await requeue(false)).affected ?? 0;
      const ordered = (await requeue(true)).affected ?? 0;
      await this.audit.record(m, audited('webhook.recover', id));
      return {
        requeued: unordered + ordered,
        released: ordered > 0 && webhook.ordered ? await releaseHeads(m, id, now) : [],
      };
    });
    this.releases.released(released);
    return { webhook_id: id, requeued };
  }
}
