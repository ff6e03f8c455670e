import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ALERT_EVENTS } from '../../events/event-catalog';
import { toRfc3339 } from '../../events/rfc3339';
import { AlertRateLimit } from './alert-rate-limit';
import type { Webhook } from '../../webhooks/entities/webhook.entity';
import { urlWithoutCredentials } from '../../webhooks/webhook-credentials';
import { WebhookDisabledEvent } from '../events/webhook-disabled.event';
import { DomainEvent } from '../../events/domain-event';
import { EventOutbox } from '../outbox/event-outbox';
import { DeliveryFailedEvent } from '../events/delivery-failed.event';
import { WebhookCircuitOpenedEvent } from '../events/webhook-circuit-opened.event';
import type { OpenedCircuit } from '../pacing/endpoint-states';

/** Alerts about one webhook: at most this many per window (per delivering process). */
export const ALERTS_PER_WEBHOOK = 5;
export const ALERT_WINDOW_MS = 60 * 60 * 1000;

export interface GivenUp {
  deliveryId: string;
  webhook: Webhook;
  event: string;
  eventId: string;
  attempts: number;
  statusCode: number | null;
  errorCode: string | null;
  error: string | null;
  at: Date;
}

/**
 * Operator alerts (`webhook.disabled`, `delivery.failed`, `webhook.circuit_opened`) are events like any other: written to the
 * outbox in the transaction that disables the webhook or gives up on the delivery, then fanned out
 * to the webhooks subscribed to them — except the webhook they are about (the fan-out sees to that),
 * so a failing endpoint never feeds on its own failures. A failed alert delivery raises no alert.
 */
@Injectable()
export class OperatorAlerts {
  private readonly logger = new Logger(OperatorAlerts.name);
  private readonly limit = new AlertRateLimit(ALERTS_PER_WEBHOOK, ALERT_WINDOW_MS);

  constructor(private readonly outbox: EventOutbox) {}

  async webhookDisabled(m: EntityManager, webhook: Webhook, reason: string, at: Date) {
    await this.publish(
      m,
      webhook.id,
      new WebhookDisabledEvent(
        {
          webhook_id: webhook.id,
          name: webhook.name,
          // Never a credential: the URL without user info, query or fragment.
          url: urlWithoutCredentials(webhook.url),
          reason,
          disabled_at: toRfc3339(at),
        },
        at,
      ),
    );
  }

  /** Once per opening (pacing/endpoint-states.ts answers the circuits a batch opened). */
  async circuitOpened(m: EntityManager, webhook: Webhook, opened: OpenedCircuit): Promise<void> {
    await this.publish(
      m,
      webhook.id,
      new WebhookCircuitOpenedEvent(
        {
          webhook_id: webhook.id,
          name: webhook.name,
          url: urlWithoutCredentials(webhook.url),
          consecutive_failures: opened.consecutiveFailures,
          opened_at: toRfc3339(opened.openedAt),
          next_probe_at: toRfc3339(opened.nextProbeAt),
        },
        opened.openedAt,
      ),
    );
  }

  async deliveryFailed(m: EntityManager, failed: GivenUp): Promise<void> {
    if (ALERT_EVENTS.has(failed.event)) return;
    await this.publish(
      m,
      failed.webhook.id,
      new DeliveryFailedEvent(
        {
          delivery_id: failed.deliveryId,
          webhook_id: failed.webhook.id,
          webhook_name: failed.webhook.name,
          event: failed.event,
          event_id: failed.eventId,
          attempts: failed.attempts,
          last_status_code: failed.statusCode,
          last_error_code: failed.errorCode,
          last_error: failed.error,
          failed_at: toRfc3339(failed.at),
        },
        failed.at,
      ),
    );
  }

  private async publish(m: EntityManager, webhookId: number, event: DomainEvent): Promise<void> {
    if (!this.limit.tryAcquire(webhookId)) {
      this.logger.warn(`${event.name} about webhook ${webhookId} not published: alert rate limit`);
      return;
    }
    await this.outbox.record(m, {
      name: event.name,
      id: event.id,
      occurredAt: event.occurredAt,
      data: event.data,
    });
  }
}
