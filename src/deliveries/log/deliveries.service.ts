import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { v7 as uuidv7 } from 'uuid';
import { Repository } from 'typeorm';
import { AuditRecord, AuditService } from '../../audit/audit.service';
import { Page, skipFor, toPage } from '../../common/pagination';
import { TransactionService } from '../../database/transaction.service';
import type { Webhook } from '../../webhooks/entities/webhook.entity';
import { AttemptResult, DeliveryAttemptsService } from '../attempt/delivery-attempts.service';
import { DeliveryClaimer } from '../leases/delivery-claimer';
import { jobFromRow } from '../leases/delivery-job';
import { ListDeliveriesQueryDto } from './dto/list-deliveries-query.dto';
import { WebhookDeliveryAttempt } from '../entities/webhook-delivery-attempt.entity';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';
import { WebhookEvent } from '../entities/webhook-event.entity';
import { insertDeliveries } from '../store/delivery-rows';
import { EventOutbox, EventToRecord } from '../outbox/event-outbox';

/** Sends one-off deliveries and reads the delivery log. */
@Injectable()
export class DeliveriesService {
  constructor(
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    @InjectRepository(WebhookDeliveryAttempt)
    private readonly attemptsLog: Repository<WebhookDeliveryAttempt>,
    private readonly tx: TransactionService,
    private readonly outbox: EventOutbox,
    private readonly claimer: DeliveryClaimer,
    private readonly attempts: DeliveryAttemptsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * One real attempt to one webhook, recorded like any other, answered with its outcome; no retries.
   * Its event goes to the outbox already fanned out: no other webhook receives it. `audit` (a test send)
   * is recorded by the transaction that writes the event and its delivery.
   */
  async sendOnce(
    webhook: Pick<Webhook, 'id'>,
    event: EventToRecord,
    audit: AuditRecord,
  ): Promise<AttemptResult> {
    const lease = this.claimer.leaseUntil();
    const job = await this.tx.run(async (m) => {
      const { body, traceparent } = await this.outbox.recordFannedOut(m, event);
      // No next_attempt_at: no poller or reconciler picks it up; this one attempt decides its status.
      const row = {
        id: uuidv7(),
        webhook_id: webhook.id,
        event: event.name,
        event_id: event.id,
        status: 'pending' as const,
        next_attempt_at: null,
        locked_until: new Date(lease),
        ordering_key: null,
        sequence: null,
      };
      await insertDeliveries(m, [row]);
      await this.audit.record(m, audit);
      return jobFromRow({ ...row, body, traceparent, attempts: 0, delivered_at: null }, lease);
    });
    const attempted = await this.attempts.attempt(job, { trigger: 'manual', retry: false });
    if (!attempted) throw new NotFoundException(`Webhook ${webhook.id} not found`);
    await attempted.recorded;
    return attempted.result;
  }

  /**
   * Attempts a delivery again now, whatever its status (trigger=manual); its schedule is unchanged.
   * The redelivery is recorded in the audit log by the transaction that claims the delivery.
   */
  async redeliver(id: string): Promise<AttemptResult> {
    const result = await this.attempts.attemptNow(id, { trigger: 'manual', retry: true }, (m) =>
      this.audit.record(m, { action: 'delivery.redeliver', targetType: 'delivery', targetId: id }),
    );
    if (!result) throw new NotFoundException(`Delivery ${id} not found`);
    return result;
  }

  countPending(): Promise<number> {
    return this.deliveries.countBy({ status: 'pending' });
  }

  async list(query: ListDeliveriesQueryDto): Promise<Page<WebhookDelivery>> {
    const qb = this.deliveries
      .createQueryBuilder('d')
      .select([
        'd.id',
        'd.webhook_id',
        'd.event',
        'd.event_id',
        'd.ordering_key',
        'd.sequence',
        'd.status',
        'd.success',
        'd.attempts',
        'd.status_code',
        'd.error',
        'd.duration_ms',
        'd.next_attempt_at',
        'd.delivered_at',
        'd.created_at',
        'd.updated_at',
      ])
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .skip(skipFor(query))
      .take(query.limit);
    if (query.webhook_id !== undefined)
      qb.andWhere('d.webhook_id = :webhookId', { webhookId: query.webhook_id });
    if (query.success !== undefined)
      qb.andWhere('d.success = :success', { success: query.success });
    if (query.event !== undefined) qb.andWhere('d.event = :event', { event: query.event });
    if (query.status !== undefined) qb.andWhere('d.status = :status', { status: query.status });
    const [rows, total] = await qb.getManyAndCount();
    return toPage(rows, total, query);
  }

  /**
   * One delivery with the exact body it sends (`payload`: its event's, or the body its webhook's
   * template rendered) and every attempt.
   */
  async get(
    id: string,
  ): Promise<WebhookDelivery & { payload: string; attempt_log: WebhookDeliveryAttempt[] }> {
    const delivery = await this.deliveries.findOneBy({ id });
    if (!delivery) throw new NotFoundException(`Delivery ${id} not found`);
    const event = await this.tx.read((m) =>
      m.findOne(WebhookEvent, {
        where: { id: delivery.event_id },
        select: { id: true, body: true },
      }),
    );
    const [rendered] = await this.tx.read((m): Promise<{ body: string | null }[]> =>
      m.query('SELECT body FROM webhook_deliveries WHERE id = ?', [id]),
    );
    const attempt_log = await this.attemptsLog.find({
      where: { delivery_id: id },
      order: { attempt: 'ASC', id: 'ASC' },
    });
    return { ...delivery, payload: rendered?.body ?? event?.body ?? '', attempt_log };
  }
}
