import { DomainEvent } from '../../events/domain-event';
import { EVENTS } from '../../events/event-catalog';

export interface WebhookDisabledData {
  webhook_id: number;
  name: string;
  url: string;
  reason: string;
  /** RFC 3339, whole seconds. */
  disabled_at: string;
}

/** Operator alert: Homa disabled a webhook. Never delivered to that webhook itself. */
export class WebhookDisabledEvent extends DomainEvent<WebhookDisabledData> {
  static readonly eventName = EVENTS.WEBHOOK_DISABLED;
  readonly name = WebhookDisabledEvent.eventName;

  /** The webhook the alert is about, which must not receive it (no loops). */
  get subjectWebhookId(): number {
    return this.data.webhook_id;
  }
}
