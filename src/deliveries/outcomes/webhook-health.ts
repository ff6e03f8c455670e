import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { Env } from '../../config/env.validation';
import { TransactionService } from '../../database/transaction.service';
import { MetricsService } from '../../metrics/metrics.service';
import { Webhook } from '../../webhooks/entities/webhook.entity';
import { stopPendingWith } from '../store/ordered-rows';
import { parseSchedule } from '../retry-policy';
import { OperatorAlerts } from './operator-alerts';
import { WebhookCache } from '../../webhooks/webhook-cache';

/** A disabled webhook's pending deliveries are stopped at most this often by one process. */
const STOP_AGAIN_AFTER_MS = 1000;

/** What a batch of attempts says about one webhook. */
export interface HealthReport {
  webhook: Webhook;
  anySuccess: boolean;
  /** An automatic attempt was answered 410 Gone. */
  gone: boolean;
  at: Date;
}

/**
 * A webhook's health: any success clears its failure window; 410 Gone, or failures for longer than
 * WEBHOOK_AUTO_DISABLE_AFTER, disable it and stop its pending deliveries.
 */
@Injectable()
export class WebhookHealth {
  private readonly logger = new Logger(WebhookHealth.name);
  private readonly autoDisableMs: number;
  /** When each disabled webhook's pending deliveries may be stopped again (see stopPendingOnce). */
  private readonly stopped = new Map<number, number>();

  constructor(
    private readonly tx: TransactionService,
    private readonly metrics: MetricsService,
    private readonly webhooks: WebhookCache,
    private readonly alerts: OperatorAlerts,
    config: ConfigService<Env, true>,
  ) {
    this.autoDisableMs = parseSchedule(
      config.get('WEBHOOK_AUTO_DISABLE_AFTER', { infer: true }),
    )[0];
  }

  /** Applies the reports with the caller's transaction (webhooks in id order, against deadlocks). */
  async apply(m: EntityManager, reports: HealthReport[]): Promise<void> {
    for (const report of [...reports].sort((a, b) => a.webhook.id - b.webhook.id))
      await this.applyOne(m, report);
  }

  private async applyOne(m: EntityManager, { webhook, anySuccess, gone, at }: HealthReport) {
    if (anySuccess && !gone) {
      if (webhook.failing_since) {
        await m.update(Webhook, { id: webhook.id }, { failing_since: null });
        this.webhooks.invalidate(webhook.id);
      }
      return;
    }
    const since = webhook.failing_since ?? at;
    let reason: string | null = null;
    if (gone) reason = `Endpoint answered 410 Gone on ${at.toISOString()}`;
    else if (at.getTime() - since.getTime() >= this.autoDisableMs) {
      reason = `Every delivery failed since ${since.toISOString()}; disabled automatically on ${at.toISOString()}`;
    }
    if (reason && webhook.enabled) {
      await m.update(
        Webhook,
        { id: webhook.id },
        { enabled: false, disabled_reason: reason, failing_since: since },
      );
      await stopPendingWith(m, webhook.id, reason);
      await this.alerts.webhookDisabled(m, webhook, reason, at);
      this.metrics.webhooksDisabled.inc({ reason: gone ? 'gone' : 'failing' });
      this.logger.warn(`Webhook ${webhook.id} disabled: ${reason}`);
      this.webhooks.invalidate(webhook.id);
    } else if (!webhook.failing_since) {
      // Conditional: another worker (or a cached copy older than the row) may have started the window already.
      await m
        .createQueryBuilder()
        .update(Webhook)
        .set({ failing_since: since })
        .where('id = :id AND failing_since IS NULL', { id: webhook.id })
        .execute();
      this.webhooks.invalidate(webhook.id);
    }
  }

  /**
   * A disabled webhook's pending deliveries stop: marked failed with the reason, except an ordered
   * webhook's, which wait (in order) for it to be enabled again.
   */
  async stopPendingOnce(webhook: Webhook): Promise<void> {
    const now = Date.now();
    if ((this.stopped.get(webhook.id) ?? 0) > now) return;
    this.stopped.set(webhook.id, now + STOP_AGAIN_AFTER_MS);
    const reason = webhook.disabled_reason ?? 'Webhook disabled';
    await this.tx.run((m) => stopPendingWith(m, webhook.id, reason), 'background');
  }
}
