import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
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
    const payload = serialiseEnvelope(event.name, event.occurredAt, event.data);
    const now = new Date();
    const rows = webhookIds.map((webhook_id) => ({
      id: randomUUID(),
      webhook_id,
      event: event.name,
      event_id: event.id,
      payload,
      status: 'pending' as const,
      next_attempt_at: now,
    }));
    await this.tx.run(async (m) => {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await m
          .createQueryBuilder()
          .insert()
          .into(WebhookDelivery)
          .values(rows.slice(i, i + INSERT_CHUNK))
          .updateEntity(false)
          .execute();
      }
    }, 'background');
    this.queue.enqueue(rows.map((r) => ({ id: r.id, webhookId: r.webhook_id })));
    return rows.map((r) => r.id);
  }

  /** One real attempt to one webhook, recorded like any other, answered with its outcome; no retries. */
  async sendOnce(webhook: Pick<Webhook, 'id'>, event: EventToDeliver): Promise<AttemptResult> {
    const [id] = await this.tx.run(async (m) => {
      const deliveryId = randomUUID();
      await m
        .createQueryBuilder()
        .insert()
        .into(WebhookDelivery)
        .values({
          id: deliveryId,
          webhook_id: webhook.id,
          event: event.name,
          event_id: event.id,
          payload: serialiseEnvelope(event.name, event.occurredAt, event.data),
          status: 'pending',
          next_attempt_at: null,
        })
        .updateEntity(false)
        .execute();
      return [deliveryId];
    });
    const result = await this.attempts.attempt(id, { trigger: 'manual', retry: false });
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
