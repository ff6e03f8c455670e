import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { Env } from '../../config/env.validation';
import { MetricsService } from '../../metrics/metrics.service';
import { Webhook } from '../../webhooks/entities/webhook.entity';
import { AttemptsInFlight } from '../leases/attempts-in-flight';
import { DeliveryClaimer } from '../leases/delivery-claimer';
import { DeliveryJob } from '../leases/delivery-job';
import { AttemptTrigger } from '../entities/webhook-delivery-attempt.entity';
import { DeliveryStatus } from '../entities/webhook-delivery.entity';
import { OutcomeRecorder } from '../outcomes/outcome-recorder';
import { requestHeaders } from './request-headers';
import { parseSchedule, RetrySchedule } from '../retry-policy';
import { WebhookCache } from '../../webhooks/webhook-cache';
import { WebhookHealth } from '../outcomes/webhook-health';
import { deliverySigning } from '../../webhooks/webhook-secrets';
import { AttemptOutcome, WebhookSender } from './webhook-sender';
import { signDelivery } from './webhook-signer';
import { DeliveryBodies } from './delivery-body';
import { traceAttempt } from '../../telemetry/pipeline-spans';
import { Deferred, EndpointPacing } from '../pacing/endpoint-pacing';

export interface AttemptOptions {
  trigger: AttemptTrigger;
  /** Schedule retries after a failure (false for a one-off test send). */
  retry: boolean;
}

export interface AttemptResult extends AttemptOutcome {
  delivery_id: string;
  attempt: number;
  status: DeliveryStatus;
  next_attempt_at: Date | null;
}

/** What a deferred delivery's result says of the attempt that was not made. */
const NOT_SENT = {
  success: false,
  status_code: null,
  response: null,
  error_code: null,
  duration_ms: 0,
  retry_after_ms: null,
} as const;

/** Time an attempt must have left on its lease to go ahead without claiming again. */
const LEASE_SLACK_MS = 1_000;

/**
 * Makes one HTTP attempt of a delivery held in memory: signs the event's body, sends it, decides what
 * comes next (success, a retry, or failed) and hands the outcome to the group-commit recorder.
 */
@Injectable()
export class DeliveryAttemptsService {
  private readonly logger = new Logger(DeliveryAttemptsService.name);
  readonly schedule: RetrySchedule;
  private readonly defaultTimeoutMs: number;
  private readonly bodies = new DeliveryBodies();

  constructor(
    private readonly sender: WebhookSender,
    private readonly metrics: MetricsService,
    private readonly webhooks: WebhookCache,
    private readonly claimer: DeliveryClaimer,
    private readonly recorder: OutcomeRecorder,
    private readonly health: WebhookHealth,
    private readonly inFlight: AttemptsInFlight,
    private readonly pacing: EndpointPacing,
    config: ConfigService<Env, true>,
  ) {
    this.schedule = new RetrySchedule(
      parseSchedule(config.get('WEBHOOK_RETRY_SCHEDULE', { infer: true })),
    );
    this.defaultTimeoutMs = config.get('WEBHOOK_TIMEOUT_MS', { infer: true });
  }

  /**
   * Attempts a delivery now. Answers null when there is nothing to attempt (gone, held by another
   * process, or no longer due). `recorded` settles once the outcome is written.
   */
  async attempt(
    job: DeliveryJob,
    options: AttemptOptions,
  ): Promise<{ result: AttemptResult; recorded: Promise<void> } | null> {
    await this.recorder.room();
    const webhook = await this.webhooks.get(job.webhookId);
    if (!webhook) return null;
    const timeoutMs = webhook.timeout_ms ?? this.defaultTimeoutMs;
    if (options.trigger === 'auto' && !webhook.enabled) {
      // Neither held nor sent. Its webhook's pending deliveries stop, once for all the jobs a queue
      // still holds for it, so a disabled webhook's backlog costs no transaction per job.
      await this.health.stopPendingOnce(webhook);
      return null;
    }
    // Paced (pacing/endpoint-pacing.ts): an endpoint paused, open or slowed lets the delivery wait.
    const admitted = await this.pacing.admit(webhook.id, options.trigger);
    if ('deferUntil' in admitted) return this.deferred(job, admitted);
    return this.admitted(job, webhook, options, timeoutMs).finally(() => admitted.release());
  }

  private async admitted(
    job: DeliveryJob,
    webhook: Webhook,
    options: AttemptOptions,
    timeoutMs: number,
  ): Promise<{ result: AttemptResult; recorded: Promise<void> } | null> {
    const held = await this.hold(job, timeoutMs, options.trigger);
    if (!held) return null;
    const attempt = held.attempts + 1;
    const shaped =
      webhook.template === null && !held.renderedBody
        ? { body: held.body }
        : await this.bodies.bodyOf(held, webhook);
    if (held !== job && 'rendered' in shaped) job.renderedBody = shaped.rendered;
    const rate = webhook.rate_limit_per_second;
    const sendable =
      'failure' in shaped || (await this.pacing.takeRate(webhook.id, rate, options.trigger));
    if (sendable !== true) return this.deferred(held, sendable);
    const outcome =
      'failure' in shaped
        ? shaped.failure
        : await this.send(held, webhook, attempt, timeoutMs, shaped.body);
    const at = new Date();
    const next = this.schedule.nextState(held, attempt, outcome, options, at);
    const gone = !outcome.success && outcome.status_code === 410 && options.trigger === 'auto';
    const recorded = this.recorder.record({
      deliveryId: held.id,
      event: held.event,
      eventId: held.eventId,
      webhook,
      attempt,
      trigger: options.trigger,
      outcome,
      status: next.status,
      nextAttemptAt: next.next_attempt_at,
      deliveredAt: outcome.success ? at : held.deliveredAt ? new Date(held.deliveredAt) : null,
      stream:
        held.sequence !== null && held.orderingKey !== null
          ? { webhookId: webhook.id, orderingKey: held.orderingKey }
          : null,
      gone,
      at,
      renderedBody: 'rendered' in shaped ? shaped.rendered : undefined,
    });
    this.count(held, outcome, next.status, options);
    // Interrupted attempts are logged together, in one line, once the process has written them.
    if (outcome.error_code === 'interrupted') this.inFlight.noteInterrupted(webhook.id);
    else if (!outcome.success) {
      this.logger.warn(
        `Delivery ${held.id} (${held.event}) to webhook ${webhook.id} failed on attempt ${attempt}: ${outcome.error_code} ${outcome.error ?? ''}`,
      );
    }
    return { result: { ...outcome, delivery_id: held.id, attempt, ...next }, recorded };
  }

  /**
   * Claims a delivery by id and attempts it now, whatever its status (a redelivery); waits for the
   * record. `onClaimed` writes with the claiming transaction.
   */
  async attemptNow(
    id: string,
    options: AttemptOptions,
    onClaimed?: (m: EntityManager) => Promise<void>,
  ): Promise<AttemptResult | null> {
    const job = await this.claimer.claimOne(id, {
      trigger: options.trigger,
      timeoutMs: this.defaultTimeoutMs,
      onClaimed,
    });
    if (!job) return null;
    const attempted = await this.attempt(job, options);
    if (!attempted) return null;
    await attempted.recorded;
    return attempted.result;
  }

  /**
   * A delivery that may not go yet waits in the database until its time: no attempt is made or
   * counted; the transports take it up again then, as they do a retry.
   */
  private deferred(
    job: DeliveryJob,
    paced: Deferred,
  ): { result: AttemptResult; recorded: Promise<void> } {
    const at = new Date(paced.deferUntil);
    return {
      result: {
        ...NOT_SENT,
        error: `Waiting for its endpoint (${paced.reason}) until ${at.toISOString()}`,
        delivery_id: job.id,
        attempt: job.attempts,
        status: 'pending',
        next_attempt_at: at,
      },
      recorded: this.pacing.defer(job, paced.deferUntil),
    };
  }

  /** The job as held for this attempt: as is while its lease lasts, else claimed (and read) again. */
  private async hold(
    job: DeliveryJob,
    timeoutMs: number,
    trigger: AttemptTrigger,
  ): Promise<DeliveryJob | null> {
    if (job.leaseUntil !== null && job.leaseUntil >= Date.now() + timeoutMs + LEASE_SLACK_MS)
      return job;
    return this.claimer.claimOne(job.id, { trigger, timeoutMs, heldUntil: job.leaseUntil });
  }

  private async send(
    job: DeliveryJob,
    webhook: Webhook,
    attempt: number,
    timeoutMs: number,
    text: string,
  ): Promise<AttemptOutcome> {
    const body = Buffer.from(text, 'utf8');
    const signatures = await signDelivery(deliverySigning(webhook), job.id, body);
    const span = traceAttempt(job, webhook.id, attempt);
    const outcome = await this.sender.send({
      url: webhook.url,
      body,
      timeoutMs,
      signal: this.inFlight.signal,
      clientCertificate:
        webhook.client_certificate && webhook.client_key
          ? {
              webhookId: webhook.id,
              certificate: webhook.client_certificate,
              key: webhook.client_key,
            }
          : null,
      headers: {
        ...requestHeaders(job, webhook, attempt, span.traceparent),
        ...signatures,
      },
    });
    span.end(outcome);
    return outcome;
  }

  private count(
    job: DeliveryJob,
    outcome: AttemptOutcome,
    status: DeliveryStatus,
    options: AttemptOptions,
  ): void {
    const event = job.event;
    this.metrics.attempts.inc({
      event,
      outcome: outcome.success ? 'success' : (outcome.error_code ?? 'error'),
    });
    this.metrics.attemptDuration.observe(
      { outcome: outcome.success ? 'success' : 'failure' },
      outcome.duration_ms / 1000,
    );
    if (status !== job.status && status !== 'pending')
      this.metrics.deliveries.inc({ event, outcome: status });
    if (
      status === 'pending' &&
      !outcome.success &&
      outcome.error_code !== 'interrupted' &&
      options.trigger === 'auto'
    )
      this.metrics.retriesScheduled.inc({ event });
  }
}
