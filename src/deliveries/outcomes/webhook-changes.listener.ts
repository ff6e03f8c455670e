import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { TransactionService } from '../../database/transaction.service';
import { WebhookChangedEvent } from '../../webhooks/events/webhook-settings.events';
import { DeliveryReleases } from './delivery-releases';
import { releaseAll, releaseHeads } from '../store/ordered-rows';

/**
 * Ordered streams follow their webhook's settings, in the transaction that changes them: re-enabling
 * an ordered webhook makes the head of each of its streams due again; a webhook that stops being
 * ordered lets every waiting delivery go.
 */
@Injectable()
export class WebhookChangesListener {
  constructor(
    private readonly tx: TransactionService,
    private readonly releases: DeliveryReleases,
  ) {}

  @OnEvent(WebhookChangedEvent.NAME, { suppressErrors: false })
  async onChanged({ before, after, manager }: WebhookChangedEvent): Promise<void> {
    const now = new Date();
    if (before.ordered && !after.ordered) {
      await releaseAll(manager, after.id, now);
    } else if (after.ordered && after.enabled && !before.enabled) {
      const released = await releaseHeads(manager, after.id, now);
      this.tx.afterCommit(manager, () => this.releases.released(released));
    }
  }
}
