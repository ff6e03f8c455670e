import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { v7 as uuidv7 } from 'uuid';
import { EntityManager } from 'typeorm';
import { Wake } from '../../common/wake';
import { Env } from '../../config/env.validation';
import { placeholders } from '../../database/sql';
import { TransactionService } from '../../database/transaction.service';
import { ALERT_EVENTS } from '../../events/event-catalog';
import { DeliveryClaimer } from '../leases/delivery-claimer';
import { DeliveryJob } from '../leases/delivery-job';
import { DeliveryQueue } from '../transports/delivery-queue';
import { EventsCommittedEvent } from '../events/pipeline.events';
import { insertDeliveries, NewDelivery } from '../store/delivery-rows';
import { OutboxEvent, pairKey, planOrdered } from './ordered-fan-out';
import { FilterCache, matchSubscribers, subscribersByEvent } from './subscribers';
import { traceFanOut } from '../../telemetry/pipeline-spans';

/** Events fanned out per transaction. */
const EVENT_BATCH = 100;
const INSERT_CHUNK = 500;
/**
 * How long shutdown waits for the pass in progress. Its transaction is short, but handing its jobs to
 * Redis waits as long as Redis is away; its rows are committed, so a reconciler enqueues them later.
 */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * Fan-out: turns recorded events into one delivery per subscribed webhook, after commit and off the
 * request path, a batch of events per transaction. The same transaction marks the events fanned out,
 * so each event is fanned out exactly once, whoever does it: this process right after its own commits,
 * or any delivering process's periodic pass (events left by a crash, by the CLI, by another replica).
 * On MySQL/MariaDB racing processes take disjoint batches (`FOR UPDATE SKIP LOCKED`). Deliveries to
 * ordered webhooks are numbered and gated per key (see ordered-fan-out.ts). A webhook's filter is
 * matched here (subscribers.ts): an event it drops makes no delivery row, and takes no sequence number.
 */
@Injectable()
export class EventFanOut implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventFanOut.name);
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly pass = new Wake(
    () => this.drain(),
    (error) => this.logger.error(`Fanning out events failed: ${error.message}`),
  );
  private started = false;
  private readonly filters = new FilterCache();

  constructor(
    private readonly tx: TransactionService,
    private readonly queue: DeliveryQueue,
    private readonly claimer: DeliveryClaimer,
    config: ConfigService<Env, true>,
  ) {
    this.intervalMs = config.get('WEBHOOK_POLL_INTERVAL_MS', { infer: true });
  }

  /** Events were committed: fan them out soon (a process whose queue fans out). */
  @OnEvent(EventsCommittedEvent.NAME)
  onEventsCommitted(): void {
    if (this.queue.fansOut) this.wake();
  }

  onApplicationBootstrap(): void {
    if (!this.queue.fansOut) return;
    this.started = true;
    this.timer = setInterval(() => this.wake(), this.intervalMs);
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    await this.pass.stop(SHUTDOWN_WAIT_MS);
  }

  /**
   * There may be events to fan out: run once the current turn of the event loop is over (so the
   * commits of requests handled in the same turn share one pass), or once more after the pass in
   * progress.
   */
  wake(): void {
    if (this.started) this.pass.wake();
  }

  private async drain(): Promise<void> {
    while (this.started && (await this.fanOutBatch()));
  }

  /** Fans out the oldest events not fanned out yet; answers whether there may be more to take now. */
  async fanOutBatch(): Promise<boolean> {
    const owns = this.queue.ownershipBudget();
    const done = await this.tx.run(async (m) => {
      const selected = await this.unfannedEvents(m);
      if (selected.length === 0) return null;
      const now = Date.now();
      const lease = this.claimer.leaseUntil(undefined, now);
      // Filters are applied before ordered streams are numbered: a dropped event takes no number.
      const subscribers = matchSubscribers(
        selected,
        await subscribersByEvent(
          m,
          selected.map((e) => e.name),
        ),
        this.filters,
      );
      const plan = await planOrdered(
        m,
        selected,
        (e) => subscribers.get(e.id)?.ordered ?? [],
        this.tx.isSqlite,
      );
      const rows: NewDelivery[] = [];
      const jobs: DeliveryJob[] = [];
      for (const event of plan.events) {
        for (const webhookId of subscribers.get(event.id)?.all ?? []) {
          // An alert about a webhook never goes to that webhook (no loops).
          if (ALERT_EVENTS.has(event.name) && event.ordering_key === `webhook:${webhookId}`)
            continue;
          const pair = pairKey(event.id, webhookId);
          const sequence = plan.sequences.get(pair) ?? null;
          const due = !plan.waiting.has(pair);
          const owned = due && owns(webhookId);
          const row: NewDelivery = {
            id: uuidv7(),
            webhook_id: webhookId,
            event: event.name,
            event_id: event.id,
            ordering_key: sequence === null ? null : event.ordering_key,
            sequence,
            status: 'pending',
            // Not due: waits for its predecessor's outcome to release it.
            next_attempt_at: due ? new Date(now) : null,
            locked_until: owned ? new Date(lease) : null,
          };
          rows.push(row);
          if (owned) jobs.push(newJob(row, event, lease));
        }
      }
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        await insertDeliveries(m, rows.slice(i, i + INSERT_CHUNK));
      if (plan.events.length > 0)
        await m.query(
          `UPDATE webhook_events SET fanned_out = 1 WHERE id IN (${placeholders(plan.events.length)})`,
          plan.events.map((e) => e.id),
        );
      return {
        more: selected.length === EVENT_BATCH && plan.events.length > 0,
        jobs,
        leftInDatabase: rows.filter((r) => r.next_attempt_at !== null).length - jobs.length,
        traced: traceFanOut(plan.events, rows, now),
      };
    }, 'background');
    if (!done) return false;
    done.traced();
    // Awaited: the next batch is made once this one's jobs are out of memory (in Redis, with BullMQ).
    await this.queue.enqueue(done.jobs);
    if (done.leftInDatabase > 0) this.queue.wake();
    return done.more;
  }

  private async unfannedEvents(m: EntityManager): Promise<OutboxEvent[]> {
    const rows: OutboxEvent[] = await m.query(
      `SELECT id, name, body, ordering_key, key_seq, traceparent FROM webhook_events
       WHERE fanned_out = 0 ORDER BY id LIMIT ${EVENT_BATCH}${this.tx.isSqlite ? '' : ' FOR UPDATE SKIP LOCKED'}`,
    );
    return rows.map((row) => ({
      ...row,
      key_seq: row.key_seq === null ? null : Number(row.key_seq),
    }));
  }
}

function newJob(row: NewDelivery, event: OutboxEvent, lease: number): DeliveryJob {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    event: row.event,
    eventId: row.event_id,
    body: event.body,
    orderingKey: row.ordering_key,
    sequence: row.sequence,
    traceparent: event.traceparent ?? null,
    attempts: 0,
    status: 'pending',
    nextAttemptAt: row.next_attempt_at!.getTime(),
    deliveredAt: null,
    leaseUntil: lease,
  };
}
