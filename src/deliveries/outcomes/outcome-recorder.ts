import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionService } from '../../database/transaction.service';
import type { Webhook } from '../../webhooks/entities/webhook.entity';
import { OperatorAlerts } from './operator-alerts';
import { DeliveryReleases } from './delivery-releases';
import { releaseAfter, Stream } from '../store/ordered-rows';
import { insertAttempts, interrupted, OutcomeRow, updateDeliveries } from '../store/outcome-rows';
import { HealthReport, WebhookHealth } from './webhook-health';
import { EndpointStates } from '../pacing/endpoint-states';

/** One attempt's result, as it is written: its rows (OutcomeRow), and what health and alerts read. */
export interface Outcome extends OutcomeRow {
  event: string;
  eventId: string;
  webhook: Webhook;
  /** For a delivery of an ordered webhook: its stream, whose next delivery it may release. */
  stream: Stream | null;
  /** An automatic attempt answered 410 Gone: the webhook is disabled. */
  gone: boolean;
}

interface Waiting {
  outcome: Outcome;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Outcomes wait at most this long for company before they are written. */
const FLUSH_AFTER_MS = 5;
/** A batch this large is written at once. */
const MAX_BATCH = 250;
/**
 * Outcomes not yet written beyond which new attempts wait: when the database is slower than the
 * network, sending pauses instead of piling results up in memory (and past their deliveries' leases).
 */
const MAX_UNWRITTEN = 1000;

/**
 * Group commit of attempt outcomes: results gathered over a few milliseconds (or until MAX_BATCH) are
 * written in one transaction — one multi-row INSERT of attempts, the deliveries updated (see
 * updateDeliveries), then each webhook's health — which releases their leases. A crash before
 * the write means the delivery is attempted once more with the same id when its lease ends, never lost.
 * The same transaction releases the next delivery of each ordered stream whose delivery finished.
 */
@Injectable()
export class OutcomeRecorder implements BeforeApplicationShutdown {
  private readonly logger = new Logger(OutcomeRecorder.name);
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  /** Outcomes taken from the queue by the write in progress. */
  private inWrite = 0;
  private roomWaiters: (() => void)[] = [];
  /** Transactions written so far (for tests and metrics). */
  transactions = 0;

  constructor(
    private readonly tx: TransactionService,
    private readonly health: WebhookHealth,
    private readonly alerts: OperatorAlerts,
    private readonly releases: DeliveryReleases,
    private readonly pacing: EndpointStates,
  ) {}

  /** Queues an outcome; resolves once it is written. */
  record(outcome: Outcome): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ outcome, resolve, reject });
      if (this.queue.length >= MAX_BATCH) this.kick();
      else if (!this.timer) this.timer = setTimeout(() => this.kick(), FLUSH_AFTER_MS);
    });
  }

  /** Writes everything queued; resolves when nothing is left. */
  async flush(): Promise<void> {
    this.kick();
    while (this.writing) await this.writing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Resolves once fewer than MAX_UNWRITTEN outcomes wait to be written; attempts start after it. */
  room(): Promise<void> {
    if (this.queue.length + this.inWrite < MAX_UNWRITTEN) return Promise.resolve();
    this.kick();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private releaseRoom(): void {
    if (this.roomWaiters.length === 0 || this.queue.length + this.inWrite >= MAX_UNWRITTEN) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.writing || this.queue.length === 0) return;
    this.writing = this.writeAll().finally(() => {
      this.writing = null;
    });
  }

  /** One batch after another while outcomes keep coming in; those that arrive meanwhile join the next. */
  private async writeAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inWrite = batch.length;
      try {
        const released = await this.tx.run(
          (m) =>
            this.write(
              m,
              batch.map((w) => w.outcome),
            ),
          'background',
        );
        this.transactions += 1;
        this.releases.released(released);
        for (const w of batch) w.resolve();
      } catch (error) {
        this.logger.error(
          `Could not record ${batch.length} attempt outcomes (they will be attempted again when their lease ends): ${(error as Error).message}`,
        );
        for (const w of batch) w.reject(error as Error);
      } finally {
        this.inWrite = 0;
        this.releaseRoom();
      }
    }
  }

  /** Answers the deliveries of ordered streams that became due. */
  private async write(m: EntityManager, outcomes: Outcome[]): Promise<string[]> {
    // Delivery rows first: taking their locks before the attempts' foreign-key checks avoids deadlocks.
    await updateDeliveries(m, outcomes, this.tx.isSqlite);
    await insertAttempts(m, outcomes);
    // Before health: a webhook disabled by this batch then holds what was just released.
    const released = await releaseAfter(
      m,
      outcomes.filter((o) => o.stream !== null && o.status !== 'pending').map((o) => o.stream!),
      new Date(),
    );
    await this.health.apply(m, healthReports(outcomes));
    // The endpoints' pacing state (pause, slow-down, circuit); an opened circuit is alerted once.
    for (const opened of await this.pacing.record(m, outcomes)) {
      const webhook = outcomes.find((o) => o.webhook.id === opened.webhookId)!.webhook;
      await this.alerts.circuitOpened(m, webhook, opened);
    }
    for (const o of outcomes.filter(givenUp)) {
      await this.alerts.deliveryFailed(m, {
        deliveryId: o.deliveryId,
        webhook: o.webhook,
        event: o.event,
        eventId: o.eventId,
        attempts: o.attempt,
        statusCode: o.outcome.status_code,
        errorCode: o.outcome.error_code,
        error: o.outcome.error,
        at: o.at,
      });
    }
    return released;
  }
}

/** The automatic schedule ran out (a 410 disables the webhook instead, which is its own alert). */
function givenUp(o: Outcome): boolean {
  return o.trigger === 'auto' && o.status === 'failed' && !o.gone;
}

/** What the outcomes say of each webhook's health; an interrupted attempt says nothing of it. */
function healthReports(outcomes: Outcome[]): HealthReport[] {
  const byWebhook = new Map<number, HealthReport>();
  for (const o of outcomes) {
    if (interrupted(o)) continue;
    const report = byWebhook.get(o.webhook.id) ?? {
      webhook: o.webhook,
      anySuccess: false,
      gone: false,
      at: o.at,
    };
    report.anySuccess ||= o.outcome.success;
    report.gone ||= o.gone;
    if (o.at > report.at) report.at = o.at;
    byWebhook.set(o.webhook.id, report);
  }
  return [...byWebhook.values()];
}
