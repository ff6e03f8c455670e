import { DomainEvent } from '../../events/domain-event';
import { EVENTS } from '../../events/event-catalog';

export interface WebhookCircuitOpenedData {
  webhook_id: number;
  name: string;
  url: string;
  consecutive_failures: number;
  /** RFC 3339, whole seconds. */
  opened_at: string;
  next_probe_at: string;
}

/** Operator alert: a webhook's circuit opened (pacing/endpoint-breaker.ts). Never sent to that webhook. */
export class WebhookCircuitOpenedEvent extends DomainEvent<WebhookCircuitOpenedData> {
  static readonly eventName = EVENTS.WEBHOOK_CIRCUIT_OPENED;
  readonly name = WebhookCircuitOpenedEvent.eventName;

  get subjectWebhookId(): number {
    return this.data.webhook_id;
  }
}
