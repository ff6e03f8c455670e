import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { Env } from '../config/env.validation';
import { MetricsService } from '../metrics/metrics.service';
import { TransactionService } from '../database/transaction.service';
import { VERSION } from '../version';
import { Webhook } from '../webhooks/entities/webhook.entity';
import { AttemptTrigger, WebhookDeliveryAttempt } from './entities/webhook-delivery-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { parseSchedule, RetrySchedule } from './retry-schedule';
import { signDelivery } from './webhook-signer';
import { AttemptOutcome, WebhookSender } from './webhook-sender';
import { activeSecrets } from './webhook-secrets';
import { WebhookCache } from './webhook-cache';

export interface AttemptOptions {
  trigger: AttemptTrigger;
  /** Schedule retries after a failure (false for a one-off test send). */
  retry: boolean;
}

export interface AttemptResult extends AttemptOutcome {
  delivery_id: string;
  attempt: number;
  status: WebhookDelivery['status'];
  next_attempt_at: Date | null;
}

const LEASE_MARGIN_MS = 5_000;
const DUE_TOLERANCE_MS = 50;
const HEADER_NAMES_RESERVED =
  /^(content-type|content-length|host|user-agent|x-webhook-.*|webhook-.*)$/i;

/** Makes one HTTP attempt of a delivery and records it: the attempt row, the delivery, the webhook's health. */
@Injectable()
export class DeliveryAttemptsService {
  private readonly logger = new Logger(DeliveryAttemptsService.name);
  readonly schedule: RetrySchedule;
  private readonly defaultTimeoutMs: number;
  private readonly autoDisableMs: number;

  constructor(
    private readonly tx: TransactionService,
    private readonly sender: WebhookSender,
    private readonly metrics: MetricsService,
    private readonly webhooks: WebhookCache,
    config: ConfigService<Env, true>,
  ) {
    this.schedule = new RetrySchedule(
      parseSchedule(config.get('WEBHOOK_RETRY_SCHEDULE', { infer: true })),
    );
    this.defaultTimeoutMs = config.get('WEBHOOK_TIMEOUT_MS', { infer: true });
    this.autoDisableMs = parseSchedule(
      config.get('WEBHOOK_AUTO_DISABLE_AFTER', { infer: true }),
    )[0];
  }

  /** Attempts a delivery now. Returns null when there is nothing to attempt (gone, or no longer due). */
  async attempt(deliveryId: string, options: AttemptOptions): Promise<AttemptResult | null> {
    const delivery = await this.claim(deliveryId, options.trigger);
    if (!delivery) return null;
    const webhook = await this.webhooks.get(delivery.webhook_id);
    if (!webhook) return null;
    if (options.trigger === 'auto' && !webhook.enabled) {
      await this.stopPending(delivery.webhook_id, webhook.disabled_reason ?? 'Webhook disabled');
      return null;
    }
    const timeoutMs = webhook.timeout_ms ?? this.defaultTimeoutMs;
    if (timeoutMs > this.defaultTimeoutMs) await this.extendLease(delivery.id, timeoutMs);

    const attempt = delivery.attempts + 1;
    const body = Buffer.from(delivery.payload, 'utf8');
    const outcome = await this.sender.send({
      url: webhook.url,
      body,
      timeoutMs,
      headers: {
        ...customHeaders(webhook.headers),
        'Content-Type': 'application/json',
        'User-Agent': `Homa-Webhook/${VERSION}`,
        'X-Webhook-Event': delivery.event,
        'X-Webhook-Delivery': delivery.id,
        'X-Webhook-Attempt': String(attempt),
        ...signDelivery(activeSecrets(webhook), delivery.id, body),
      },
    });
    const result = await this.record(delivery, webhook, attempt, outcome, options);
    if (!outcome.success) {
      this.logger.warn(
        `Delivery ${delivery.id} (${delivery.event}) to webhook ${webhook.id} failed on attempt ${attempt}: ${outcome.error_code} ${outcome.error ?? ''}`,
      );
    }
    return result;
  }

  /**
   * Takes the delivery for one attempt and reads it, in one transaction, so that no other worker or
   * process attempts it at the same time. An automatic attempt only takes a pending delivery whose time
   * has come (a stale queue job may arrive early). The lease outlives the attempt's timeout; if this
   * process dies, the delivery is free again once it ends.
   */
  private async claim(id: string, trigger: AttemptTrigger): Promise<WebhookDelivery | null> {
    const now = new Date();
    return this.tx.run(async (m) => {
      const query = m
        .createQueryBuilder()
        .update(WebhookDelivery)
        .set({ locked_until: new Date(now.getTime() + this.defaultTimeoutMs + LEASE_MARGIN_MS) })
        .where('id = :id', { id })
        .andWhere('(locked_until IS NULL OR locked_until < :now)', { now });
      if (trigger === 'auto') {
        query
          .andWhere('status = :pending', { pending: 'pending' })
          .andWhere('next_attempt_at <= :due', { due: new Date(now.getTime() + DUE_TOLERANCE_MS) });
      }
      const claimed = (await query.execute()).affected === 1;
      if (claimed) return m.findOneBy(WebhookDelivery, { id });
      if (trigger === 'manual' && (await m.existsBy(WebhookDelivery, { id }))) {
        throw new ConflictException(`Delivery ${id} is being attempted right now`);
      }
      return null;
    }, 'background');
  }

  private async extendLease(id: string, timeoutMs: number): Promise<void> {
    const until = new Date(Date.now() + timeoutMs + LEASE_MARGIN_MS);
    await this.tx.run(
      (m) => m.update(WebhookDelivery, { id }, { locked_until: until }),
      'background',
    );
  }

  private async record(
    delivery: WebhookDelivery,
    webhook: Webhook,
    attempt: number,
    outcome: AttemptOutcome,
    options: AttemptOptions,
  ): Promise<AttemptResult> {
    const now = new Date();
    const next = this.nextState(delivery, attempt, outcome, options, now);
    const gone = !outcome.success && outcome.status_code === 410 && options.trigger === 'auto';
    await this.tx.run(async (m) => {
      // The delivery row first: taking its write lock before the attempt's foreign-key check avoids deadlocks.
      await m.update(
        WebhookDelivery,
        { id: delivery.id },
        {
          attempts: attempt,
          status: next.status,
          success: next.status === 'succeeded',
          status_code: outcome.status_code,
          response: outcome.response,
          error: outcome.error,
          duration_ms: outcome.duration_ms,
          next_attempt_at: next.next_attempt_at,
          delivered_at: outcome.success ? now : delivery.delivered_at,
          locked_until: null,
        },
      );
      await m
        .createQueryBuilder()
        .insert()
        .into(WebhookDeliveryAttempt)
        .values({
          delivery_id: delivery.id,
          attempt,
          trigger: options.trigger,
          status_code: outcome.status_code,
          response: outcome.response,
          error_code: outcome.error_code,
          error: outcome.error,
          duration_ms: outcome.duration_ms,
        })
        .updateEntity(false)
        .execute();
      await this.updateHealth(m, webhook, outcome, gone, now);
    }, 'background');
    this.count(delivery, outcome, next.status, options);
    return { ...outcome, delivery_id: delivery.id, attempt, ...next };
  }

  private count(
    delivery: WebhookDelivery,
    outcome: AttemptOutcome,
    status: WebhookDelivery['status'],
    options: AttemptOptions,
  ): void {
    const event = delivery.event;
    this.metrics.attempts.inc({
      event,
      outcome: outcome.success ? 'success' : (outcome.error_code ?? 'error'),
    });
    this.metrics.attemptDuration.observe(
      { outcome: outcome.success ? 'success' : 'failure' },
      outcome.duration_ms / 1000,
    );
    if (status !== delivery.status && status !== 'pending')
      this.metrics.deliveries.inc({ event, outcome: status });
    if (status === 'pending' && !outcome.success && options.trigger === 'auto')
      this.metrics.retriesScheduled.inc({ event });
  }

  private nextState(
    delivery: WebhookDelivery,
    attempt: number,
    outcome: AttemptOutcome,
    options: AttemptOptions,
    now: Date,
  ): { status: WebhookDelivery['status']; next_attempt_at: Date | null } {
    if (outcome.success) return { status: 'succeeded', next_attempt_at: null };
    if (options.trigger === 'manual') {
      // A manual attempt never cuts short or restarts the automatic schedule.
      return delivery.status === 'pending' && options.retry
        ? { status: 'pending', next_attempt_at: delivery.next_attempt_at }
        : {
            status: delivery.status === 'succeeded' ? 'succeeded' : 'failed',
            next_attempt_at: null,
          };
    }
    if (!options.retry || outcome.status_code === 410)
      return { status: 'failed', next_attempt_at: null };
    const scheduled = this.schedule.nextDelayMs(attempt);
    if (scheduled === null) return { status: 'failed', next_attempt_at: null };
    const delay = this.schedule.boundRetryAfter(scheduled, outcome.retry_after_ms);
    return { status: 'pending', next_attempt_at: new Date(now.getTime() + delay) };
  }

  /** Success clears the failure window; 410 Gone, or failures past the window, disable the webhook. */
  private async updateHealth(
    m: EntityManager,
    webhook: Webhook,
    outcome: AttemptOutcome,
    gone: boolean,
    now: Date,
  ) {
    if (outcome.success) {
      if (webhook.failing_since) {
        await m.update(Webhook, { id: webhook.id }, { failing_since: null });
        this.webhooks.invalidate(webhook.id);
      }
      return;
    }
    const since = webhook.failing_since ?? now;
    let reason: string | null = null;
    if (gone) reason = `Endpoint answered 410 Gone on ${now.toISOString()}`;
    else if (now.getTime() - since.getTime() >= this.autoDisableMs) {
      reason = `Every delivery failed since ${since.toISOString()}; disabled automatically on ${now.toISOString()}`;
    }
    if (reason && webhook.enabled) {
      await m.update(
        Webhook,
        { id: webhook.id },
        { enabled: false, disabled_reason: reason, failing_since: since },
      );
      await stopPendingWith(m, webhook.id, reason);
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

  private stopPending(webhookId: number, reason: string): Promise<void> {
    return this.tx.run((m) => stopPendingWith(m, webhookId, reason), 'background');
  }
}

/** A disabled webhook's pending deliveries stop: they are marked failed with the reason. */
async function stopPendingWith(m: EntityManager, webhookId: number, reason: string): Promise<void> {
  await m.update(
    WebhookDelivery,
    { webhook_id: webhookId, status: 'pending' },
    { status: 'failed', next_attempt_at: null, error: `Not sent: ${reason}` },
  );
}

function customHeaders(headers: Record<string, string> | null): Record<string, string> {
  if (!headers) return {};
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !HEADER_NAMES_RESERVED.test(name)),
  );
}
