import { Injectable, Logger } from '@nestjs/common';
import { Between, FindOptionsWhere, LessThan, MoreThanOrEqual } from 'typeorm';
import { Page, skipFor, toPage } from '../common/pagination';
import { TransactionService } from '../database/transaction.service';
import { ListAuditLogQueryDto } from './dto/list-audit-log-query.dto';
import { ActorType, AuditLogEntry } from './entities/audit-log-entry.entity';

export interface Actor {
  type: ActorType;
  userId?: string | null;
  email?: string | null;
  apiKeyId?: string | null;
}

export interface AuditRecord {
  actor: Actor;
  action: string;
  targetType: string;
  targetId?: string | number | null;
  ip?: string | null;
  details?: { fields?: string[] } | null;
}

export const CLI_ACTOR: Actor = { type: 'cli' };

/** Writes and reads the audit trail. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly tx: TransactionService) {}

  /** Records one action. A failure is logged, not thrown: the action it describes has already happened. */
  async record(entry: AuditRecord): Promise<void> {
    try {
      await this.tx.run((m) =>
        m.insert(AuditLogEntry, {
          actor_type: entry.actor.type,
          actor_user_id: entry.actor.userId ?? null,
          actor_email: entry.actor.email ?? null,
          actor_api_key_id: entry.actor.apiKeyId ?? null,
          action: entry.action,
          target_type: entry.targetType,
          target_id:
            entry.targetId === undefined || entry.targetId === null
              ? null
              : String(entry.targetId).slice(0, 255),
          ip: entry.ip ?? null,
          details: entry.details ?? null,
        }),
      );
    } catch (error) {
      this.logger.error(
        `Recording audit entry ${entry.action} failed: ${(error as Error).message}`,
      );
    }
  }

  async list(query: ListAuditLogQueryDto): Promise<Page<AuditLogEntry>> {
    const where: FindOptionsWhere<AuditLogEntry> = {};
    if (query.action) where.action = query.action;
    if (query.actor_type) where.actor_type = query.actor_type;
    if (query.actor_user_id) where.actor_user_id = query.actor_user_id;
    if (query.target_type) where.target_type = query.target_type;
    if (query.target_id) where.target_id = query.target_id;
    const since = query.since ? new Date(query.since) : null;
    const until = query.until ? new Date(query.until) : null;
    if (since && until) where.created_at = Between(since, new Date(until.getTime() - 1));
    else if (since) where.created_at = MoreThanOrEqual(since);
    else if (until) where.created_at = LessThan(until);
    const [rows, total] = await this.tx.read((m) =>
      m.findAndCount(AuditLogEntry, {
        where,
        order: { created_at: 'DESC', id: 'DESC' },
        skip: skipFor(query),
        take: query.limit,
      }),
    );
    return toPage(rows, total, query);
  }
}
