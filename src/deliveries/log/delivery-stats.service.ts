import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { Page, PageQuery, skipFor, toPage } from '../../common/pagination';
import { Webhook } from '../../webhooks/entities/webhook.entity';
import { whereSearched } from '../../webhooks/webhook-search';
import {
  DeliveriesPerMinuteDto,
  LastDeliveryDto,
  MinuteBucketDto,
  WebhookHealthDto,
} from './dto/delivery-stats.dto';
import { WebhookDelivery, type DeliveryStatus } from '../entities/webhook-delivery.entity';
import { EndpointStates } from '../pacing/endpoint-states';
import { endpointHealth } from '../pacing/endpoint-health';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 3600_000;

/**
 * `created_at` cut to the minute, `YYYY-MM-DD HH:MM`: SQLite stores the text in that shape and MySQL
 * turns a DATETIME into it, so one expression groups by minute on both.
 */
const MINUTE_OF_CREATED_AT = 'SUBSTR(d.created_at, 1, 16)';

interface CountsRow {
  succeeded: string | number | null;
  failed: string | number | null;
  pending: string | number | null;
}

/** Aggregates over the delivery log, computed by the database (GROUP BY), for the console. */
@Injectable()
export class DeliveryStatsService {
  constructor(
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    @InjectRepository(Webhook) private readonly webhooks: Repository<Webhook>,
    private readonly endpoints: EndpointStates,
  ) {}

  /**
   * A page of webhooks' health, oldest webhook first (with `q`, those whose name or URL holds it).
   * Three queries whatever the number of webhooks: the page, then the counts and last deliveries of
   * the page's webhooks only, through the (webhook_id, created_at) index.
   */
  async health(
    query: PageQuery & { q?: string },
    now = new Date(),
  ): Promise<Page<WebhookHealthDto>> {
    const [webhooks, total] = await whereSearched(
      this.webhooks.createQueryBuilder('w').select(['w.id', 'w.failing_since']),
      'w',
      query.q,
    )
      .orderBy('w.id', 'ASC')
      .skip(skipFor(query))
      .take(query.limit)
      .getManyAndCount();
    return toPage(await this.healthOf(webhooks, now), total, query);
  }

  /** One webhook's health. */
  async healthOfOne(webhookId: number, now = new Date()): Promise<WebhookHealthDto> {
    const webhook = await this.webhooks.findOne({
      select: { id: true, failing_since: true },
      where: { id: webhookId },
    });
    if (!webhook) throw new NotFoundException(`Webhook ${webhookId} not found`);
    return (await this.healthOf([webhook], now))[0];
  }

  private async healthOf(
    webhooks: Pick<Webhook, 'id' | 'failing_since'>[],
    now: Date,
  ): Promise<WebhookHealthDto[]> {
    if (webhooks.length === 0) return [];
    const ids = webhooks.map((w) => w.id);
    const counts = await this.countsByWebhook(ids, new Date(now.getTime() - DAY_MS));
    const latest = await this.lastDeliveries(ids);
    const endpoints = new Map((await this.endpoints.of(ids)).map((e) => [e.webhookId, e]));
    return webhooks.map((w) => {
      const c = counts.get(w.id) ?? { succeeded: 0, failed: 0, pending: 0 };
      const finished = c.succeeded + c.failed;
      return {
        webhook_id: w.id,
        deliveries_24h: c.succeeded + c.failed + c.pending,
        succeeded_24h: c.succeeded,
        failed_24h: c.failed,
        pending_24h: c.pending,
        success_rate_24h: finished === 0 ? null : c.succeeded / finished,
        last_delivery: latest.get(w.id) ?? null,
        failing_since: w.failing_since ? w.failing_since.toISOString() : null,
        endpoint: endpointHealth(endpoints.get(w.id), now.getTime()),
      };
    });
  }

  /** Deliveries created per minute over the last `minutes` minutes, by outcome; empty minutes included. */
  async perMinute(
    webhookId: number,
    minutes: number,
    now = new Date(),
  ): Promise<DeliveriesPerMinuteDto> {
    if (!(await this.webhooks.existsBy({ id: webhookId })))
      throw new NotFoundException(`Webhook ${webhookId} not found`);
    const first = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS - (minutes - 1) * MINUTE_MS;
    const rows = await withOutcomeCounts(
      this.deliveries
        .createQueryBuilder('d')
        .select(MINUTE_OF_CREATED_AT, 'minute')
        .where('d.webhook_id = :webhookId', { webhookId })
        .andWhere('d.created_at >= :since', { since: new Date(first) })
        .groupBy(MINUTE_OF_CREATED_AT),
    ).getRawMany<CountsRow & { minute: string }>();
    const byMinute = new Map(rows.map((r) => [r.minute, toCounts(r)]));
    const data: MinuteBucketDto[] = [];
    for (let i = 0; i < minutes; i++) {
      const at = new Date(first + i * MINUTE_MS).toISOString();
      const key = `${at.slice(0, 10)} ${at.slice(11, 16)}`;
      data.push({
        minute: `${at.slice(0, 16)}:00Z`,
        ...(byMinute.get(key) ?? { succeeded: 0, failed: 0, pending: 0 }),
      });
    }
    return { webhook_id: webhookId, minutes, data };
  }

  private async countsByWebhook(ids: number[], since: Date) {
    const rows = await withOutcomeCounts(
      this.deliveries
        .createQueryBuilder('d')
        .select('d.webhook_id', 'webhook_id')
        .where('d.webhook_id IN (:...ids)', { ids })
        .andWhere('d.created_at >= :since', { since })
        .groupBy('d.webhook_id'),
    ).getRawMany<CountsRow & { webhook_id: string | number }>();
    return new Map(rows.map((r) => [Number(r.webhook_id), toCounts(r)]));
  }

  /** Each webhook's newest delivery, found through the (webhook_id, created_at) index. */
  private async lastDeliveries(ids: number[]): Promise<Map<number, LastDeliveryDto>> {
    const rows = await this.deliveries
      .createQueryBuilder('d')
      .select('d.webhook_id', 'webhook_id')
      .addSelect('d.id', 'id')
      .addSelect('d.event', 'event')
      .addSelect('d.status', 'status')
      .addSelect('d.status_code', 'status_code')
      .addSelect('d.created_at', 'created_at')
      .innerJoin(
        (sub: SelectQueryBuilder<WebhookDelivery>) =>
          sub
            .select('l.webhook_id', 'last_webhook_id')
            .addSelect('MAX(l.created_at)', 'last_at')
            .from(WebhookDelivery, 'l')
            .where('l.webhook_id IN (:...ids)', { ids })
            .groupBy('l.webhook_id'),
        'latest',
        'latest.last_webhook_id = d.webhook_id AND latest.last_at = d.created_at',
      )
      .orderBy('d.id', 'DESC')
      .getRawMany<{
        webhook_id: string | number;
        id: string;
        event: string;
        status: DeliveryStatus;
        status_code: string | number | null;
        created_at: string | Date;
      }>();
    const latest = new Map<number, LastDeliveryDto>();
    for (const r of rows) {
      const webhookId = Number(r.webhook_id);
      if (latest.has(webhookId)) continue;
      latest.set(webhookId, {
        id: r.id,
        event: r.event,
        status: r.status,
        status_code: r.status_code === null ? null : Number(r.status_code),
        created_at: toIso(r.created_at),
      });
    }
    return latest;
  }
}

function withOutcomeCounts<T extends SelectQueryBuilder<WebhookDelivery>>(qb: T): T {
  return qb
    .addSelect(`SUM(CASE WHEN d.status = 'succeeded' THEN 1 ELSE 0 END)`, 'succeeded')
    .addSelect(`SUM(CASE WHEN d.status = 'failed' THEN 1 ELSE 0 END)`, 'failed')
    .addSelect(`SUM(CASE WHEN d.status = 'pending' THEN 1 ELSE 0 END)`, 'pending');
}

function toCounts(r: CountsRow) {
  return {
    succeeded: Number(r.succeeded ?? 0),
    failed: Number(r.failed ?? 0),
    pending: Number(r.pending ?? 0),
  };
}

/** MySQL hands back a Date; SQLite the stored UTC text `YYYY-MM-DD HH:MM:SS.SSS`. */
function toIso(value: string | Date): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
}
