import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { In, LessThan } from 'typeorm';
import { Env } from '../config/env.validation';
import { TransactionService } from '../database/transaction.service';
import { AuditLogEntry } from './entities/audit-log-entry.entity';

const BATCH = 500;
const EVERY_MS = 60 * 60 * 1000;

/** Deletes audit entries older than AUDIT_LOG_RETENTION_DAYS, hourly and in small batches, as deliveries are pruned. */
@Injectable()
export class AuditRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditRetentionService.name);
  private readonly retentionDays: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly tx: TransactionService,
    config: ConfigService<Env, true>,
  ) {
    this.retentionDays = config.get('AUDIT_LOG_RETENTION_DAYS', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.pruneSafely(), EVERY_MS);
    this.timer.unref();
    setTimeout(() => void this.pruneSafely(), 10_000).unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Prunes everything past retention; answers how many entries were deleted. */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retentionDays * 86_400_000);
    let deleted = 0;
    for (;;) {
      const batch = await this.tx.read((m) =>
        m.find(AuditLogEntry, {
          select: { id: true },
          where: { created_at: LessThan(cutoff) },
          take: BATCH,
        }),
      );
      if (batch.length === 0) return deleted;
      const ids = batch.map((e) => e.id);
      await this.tx.run((m) => m.delete(AuditLogEntry, { id: In(ids) }), 'background');
      deleted += ids.length;
      await new Promise((r) => setImmediate(r));
    }
  }

  private async pruneSafely(): Promise<void> {
    try {
      const deleted = await this.prune();
      if (deleted > 0)
        this.logger.log(`Pruned ${deleted} audit entries older than ${this.retentionDays} days`);
    } catch (error) {
      this.logger.error(`Pruning the audit log failed: ${(error as Error).message}`);
    }
  }
}
