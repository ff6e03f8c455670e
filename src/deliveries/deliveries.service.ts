import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { Page, skipFor, toPage } from '../common/pagination';
import { TransactionService } from '../database/transaction.service';
import type { Webhook } from '../webhooks/entities/webhook.entity';
import { DeliveryAttemptsService, AttemptResult } from './delivery-attempts.service';
import { DeliveryQueue } from './delivery-queue';
import { ListDeliveriesQueryDto } from './dto/list-deliveries-query.dto';
import { WebhookDeliveryAttempt } from './entities/webhook-delivery-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { serialiseEnvelope } from './envelope';

export interface EventToDeliver {
  name: string;
  id: string;
  occurredAt: Date;
  data: object;
}

const INSERT_CHUNK = 500;

/** Records deliveries, hands them to the queue, and reads the delivery log. */
@Injectable()
export class DeliveriesService {
  constructor(
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    @InjectRepository(WebhookDeliveryAttempt)
    private readonly attemptsLog: Repository<WebhookDeliveryAttempt>,
    private readonly tx: TransactionService,
    private readonly queue: DeliveryQueue,
    private readonly attempts: DeliveryAttemptsService,
  ) {}

  /** One row per webhook, written in one statement, then queued. The body is serialised once. */
  async createForEvent(event: EventToDeliver, webhookIds: number[]): Promise<string[]> {
    if (webhookIds.length === 0) return [];
    const rows = deliveryRows(event, webhookIds, new Date());
    await this.tx.run(async (m) => {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        await insertRows(m, rows.slice(i, i + INSERT_CHUNK));
    }, 'background');
    this.queue.enqueue(rows.map((r) => ({ id: r.id, webhookId: r.webhook_id })));
    return rows.map((r) => r.id);
  }

  /** One real attempt to one webhook, recorded like any other, answered with its outcome; no retries. */
  async sendOnce(webhook: Pick<Webhook, 'id'>, event: EventToDeliver): Promise<AttemptResult> {
    // No next_attempt_at: no poller or reconciler picks it up; this one attempt decides its status.
    const [row] = deliveryRows(event, [webhook.id], null);
    await this.tx.run((m) => insertRows(m, [row]));
    const result = await this.attempts.attempt(row.id, { trigger: 'manual', retry: false });
    if (!result) throw new NotFoundException(`Webhook ${webhook.id} not found`);
    return result;
  }

  countPending(): Promise<number> {
    return this.deliveries.countBy({ status: 'pending' });
  }

  async list(query: ListDeliveriesQueryDto): Promise<Page<Omit<WebhookDelivery, 'payload'>>> {
    const qb = this.deliveries
      .createQueryBuilder('d')
      .select([
        'd.id',
        'd.webhook_id',
        'd.event',
        'd.event_id',
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

  async get(id: string): Promise<WebhookDelivery & { attempt_log: WebhookDeliveryAttempt[] }> {
    const delivery = await this.deliveries.findOneBy({ id });
    if (!delivery) throw new NotFoundException(`Delivery ${id} not found`);
    const attempt_log = await this.attemptsLog.find({
      where: { delivery_id: id },
      order: { attempt: 'ASC', id: 'ASC' },
    });
    return { ...delivery, attempt_log };
  }
}

type DeliveryRow = Pick<
  WebhookDelivery,
  'id' | 'webhook_id' | 'event' | 'event_id' | 'payload' | 'status' | 'next_attempt_at'
>;

/** One pending row per webhook, all carrying the same body, serialised once. */
function deliveryRows(
  event: EventToDeliver,
  webhookIds: number[],
  due: Date | null,
): DeliveryRow[] {
  const payload = serialiseEnvelope(event.name, event.occurredAt, event.data);
  return webhookIds.map((webhook_id) => ({
    id: randomUUID(),
    webhook_id,
    event: event.name,
    event_id: event.id,
    payload,
    status: 'pending',
    next_attempt_at: due,
  }));
}

/** One INSERT for all the rows, without TypeORM reading back the generated columns. */
async function insertRows(m: EntityManager, rows: DeliveryRow[]): Promise<void> {
  await m
    .createQueryBuilder()
    .insert()
    .into(WebhookDelivery)
    .values(rows)
    .updateEntity(false)
    .execute();
}
