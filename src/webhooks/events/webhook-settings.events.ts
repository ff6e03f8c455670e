import type { EntityManager } from 'typeorm';
import type { Webhook } from '../entities/webhook.entity';

/**
 * In-process notices from the webhook settings. The delivery pipeline listens to them; the settings
 * never call into the pipeline (borders run one way).
 */

/**
 * A webhook's settings changed, emitted (with `emitAsync`) inside the transaction that changes them,
 * with its manager: a listener that writes does so in that transaction, and one that fails fails it.
 */
export class WebhookChangedEvent {
  static readonly NAME = 'webhook-settings.changed';

  constructor(
    readonly before: Webhook,
    readonly after: Webhook,
    readonly manager: EntityManager,
  ) {}
}

/** A webhook's cached settings are stale in this process (changed, rotated or deleted). */
export class WebhookInvalidatedEvent {
  static readonly NAME = 'webhook-settings.invalidated';

  constructor(readonly webhookId: number) {}
}
