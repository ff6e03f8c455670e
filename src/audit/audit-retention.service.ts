import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { In, LessThan } from 'typeorm';
import { Env } from '../config/env.validation';
import { deleteInBatches, HourlyPruner, PRUNE_BATCH } from '../database/batched-pruner';
import { TransactionService } from '../database/transaction.service';
import { AuditLogEntry } from './entities/audit-log-entry.entity';

/** Deletes audit entries older than AUDIT_LOG_RETENTION_DAYS, hourly and in small batches. */
@Injectable()
export class AuditRetentionService extends HourlyPruner {
  private readonly retentionDays: number;

  constructor(
    private readonly tx: TransactionService,
    config: ConfigService<Env, true>,
  ) {
    super();
    this.retentionDays = config.get('AUDIT_LOG_RETENTION_DAYS', { infer: true });
  }

  protected describe(): string {
    return `audit entries older than ${this.retentionDays} days`;
  }

  prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000);
    return deleteInBatches(
      this.tx,
      (m) =>
        m.find(AuditLogEntry, {
          select: { id: true },
          where: { created_at: LessThan(cutoff) },
          take: PRUNE_BATCH,
        }),
      (m, batch) => m.delete(AuditLogEntry, { id: In(batch.map((e) => e.id)) }),
    );
  }
}
