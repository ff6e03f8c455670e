import { DomainEvent } from '../../events/domain-event';
import { EVENTS } from '../../events/event-catalog';

export interface DeliveryFailedData {
  delivery_id: string;
  webhook_id: number;
  webhook_name: string;
  /** The event whose delivery failed, e.g. `ticket.created`. */
  event: string;
  event_id: string;
  attempts: number;
  last_status_code: number | null;
  last_error_code: string | null;
  last_error: string | null;
  /** RFC 3339, whole seconds. */
  failed_at: string;
}

/** Operator alert: a delivery failed its last retry. Never delivered to the webhook that failed. */
export class DeliveryFailedEvent extends DomainEvent<DeliveryFailedData> {
  static readonly eventName = EVENTS.DELIVERY_FAILED;
  readonly name = DeliveryFailedEvent.eventName;

  /** The webhook the alert is about, which must not receive it (no loops). */
  get subjectWebhookId(): number {
    return this.data.webhook_id;
  }
}
