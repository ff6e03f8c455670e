import { ConflictException, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { Env } from '../../config/env.validation';
import { TransactionService } from '../../database/transaction.service';
import { leaseDueRows, releaseLeaseRows, renewLeaseRows, selectJobRows } from '../store/lease-rows';
import { DeliveryJob, jobFromRow } from './delivery-job';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';

/** How long a lease outlives the attempt's timeout. */
export const LEASE_MARGIN_MS = 5_000;
const DUE_TOLERANCE_MS = 50;

export interface ClaimOneOptions {
  trigger: 'auto' | 'manual';
  timeoutMs: number;
  /** The lease this process already held on it, if any (a job that waited past its lease). */
  heldUntil?: number | null;
  /** Writes with the claiming transaction once the delivery is claimed (a redelivery's audit entry). */
  onClaimed?: (m: EntityManager) => Promise<void>;
}

/**
 * Leases: a delivery is attempted by whoever holds it (`locked_until` in the future), so no two
 * processes attempt it at once, and a process that dies holding one frees it when the lease ends.
 * New deliveries are held from birth by the process that made them; what else is due is claimed here,
 * in batches (`FOR UPDATE SKIP LOCKED` on MySQL/MariaDB, so pollers in several processes take
 * disjoint sets; the embedded database runs one transaction at a time).
 */
@Injectable()
export class DeliveryClaimer {
  readonly defaultTimeoutMs: number;

  constructor(
    private readonly tx: TransactionService,
    config: ConfigService<Env, true>,
  ) {
    this.defaultTimeoutMs = config.get('WEBHOOK_TIMEOUT_MS', { infer: true });
  }

  /** The lease end for an attempt that starts now. */
  leaseUntil(timeoutMs = this.defaultTimeoutMs, now = Date.now()): number {
    return now + Math.max(timeoutMs, this.defaultTimeoutMs) + LEASE_MARGIN_MS;
  }

  /** Claims up to `limit` due pending deliveries nobody holds, oldest first, with their bodies. */
  async claimDue(limit: number, skipWebhooks: number[] = []): Promise<DeliveryJob[]> {
    if (limit <= 0) return [];
    const now = new Date();
    const until = this.leaseUntil(undefined, now.getTime());
    return this.tx.run(async (m) => {
      const ids = await leaseDueRows(m, {
        now,
        until: new Date(until),
        limit,
        skipWebhooks,
        sqlite: this.tx.isSqlite,
      });
      if (ids.length === 0) return [];
      return (await selectJobRows(m, ids)).map((row) => jobFromRow(row, until));
    }, 'background');
  }

  /**
   * Claims, in one transaction, those of `ids` that are still due and that nobody holds (or that this
   * process holds until `heldUntil`): a batch whose leases ran out while it waited. Answers the
   * deliveries claimed, read again (another process may have attempted them meanwhile); the others
   * are someone else's, or done.
   */
  async claimIds(ids: string[], heldUntil: number | null = null): Promise<DeliveryJob[]> {
    if (ids.length === 0) return [];
    const now = new Date();
    const until = this.leaseUntil(undefined, now.getTime());
    return this.tx.run(async (m) => {
      const claimed = await leaseDueRows(m, {
        now,
        until: new Date(until),
        limit: ids.length,
        skipWebhooks: [],
        sqlite: this.tx.isSqlite,
        ids,
        held: heldUntil === null ? null : new Date(heldUntil),
      });
      if (claimed.length === 0) return [];
      return (await selectJobRows(m, claimed)).map((row) => jobFromRow(row, until));
    }, 'background');
  }

  /**
   * Extends the leases of jobs held in memory that would end within `marginMs`, a statement per lease
   * batch (jobs claimed together share a lease end); a job whose row was taken meanwhile keeps its old
   * lease and is claimed again before it is sent.
   */
  async renewHeld(jobs: Iterable<DeliveryJob>, marginMs: number): Promise<void> {
    const now = Date.now();
    const until = this.leaseUntil(undefined, now);
    const byLease = new Map<number, DeliveryJob[]>();
    for (const job of jobs) {
      if (job.leaseUntil === null || job.leaseUntil <= now || job.leaseUntil > until - marginMs)
        continue;
      byLease.set(job.leaseUntil, [...(byLease.get(job.leaseUntil) ?? []), job]);
    }
    for (const [held, batch] of byLease) {
      const renewed = await this.renew(
        batch.map((j) => j.id),
        held,
        until,
      );
      for (const job of batch) if (renewed.has(job.id)) job.leaseUntil = until;
    }
  }

  /**
   * Extends leases this process holds, before they end: `ids` all hold the lease `heldUntil`.
   * Answers the ids whose lease now ends at `until` (a lease that ended and was taken by another
   * process is not touched).
   */
  async renew(ids: string[], heldUntil: number, until: number): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    return this.tx.run(
      (m) => renewLeaseRows(m, ids, new Date(heldUntil), new Date(until)),
      'background',
    );
  }

  /**
   * Gives up the leases these jobs hold (a statement per lease batch), unattempted: their deliveries
   * wait in the database, due as they were, for whichever process claims them next. Jobs whose lease
   * already ended hold nothing to give up.
   */
  async release(jobs: DeliveryJob[]): Promise<void> {
    const now = Date.now();
    const byLease = new Map<number, string[]>();
    for (const job of jobs) {
      if (job.leaseUntil === null || job.leaseUntil <= now) continue;
      byLease.set(job.leaseUntil, [...(byLease.get(job.leaseUntil) ?? []), job.id]);
    }
    for (const [held, ids] of byLease)
      await this.tx.run((m) => releaseLeaseRows(m, ids, new Date(held)), 'background');
  }

  /**
   * Takes one delivery for one attempt. An automatic attempt only takes a pending delivery whose time
   * has come; a manual one takes it whatever its status, and is refused (409) while another holds it.
   */
  async claimOne(id: string, options: ClaimOneOptions): Promise<DeliveryJob | null> {
    const now = new Date();
    const until = this.leaseUntil(options.timeoutMs, now.getTime());
    return this.tx.run(async (m) => {
      const held = options.heldUntil ? ' OR locked_until = :held' : '';
      const query = m
        .createQueryBuilder()
        .update(WebhookDelivery)
        .set({ locked_until: new Date(until) })
        .where('id = :id', { id })
        .andWhere(`(locked_until IS NULL OR locked_until < :now${held})`, {
          now,
          held: options.heldUntil ? new Date(options.heldUntil) : null,
        })
        .updateEntity(false);
      if (options.trigger === 'auto') {
        query
          .andWhere('status = :pending', { pending: 'pending' })
          .andWhere('next_attempt_at <= :due', { due: new Date(now.getTime() + DUE_TOLERANCE_MS) });
      }
      const claimed = (await query.execute()).affected === 1;
      if (claimed) {
        const [row] = await selectJobRows(m, [id]);
        if (!row) return null;
        await options.onClaimed?.(m);
        return jobFromRow(row, until);
      }
      if (options.trigger === 'manual' && (await m.existsBy(WebhookDelivery, { id })))
        throw new ConflictException(`Delivery ${id} is being attempted right now`);
      return null;
    }, 'background');
  }
}
