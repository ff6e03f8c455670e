import { Injectable } from '@nestjs/common';
import { Between, EntityManager, FindOptionsWhere, LessThan, MoreThanOrEqual } from 'typeorm';
import { definedOnly } from '../common/objects';
import { Page, skipFor, toPage } from '../common/pagination';
import { TransactionService } from '../database/transaction.service';
import type { AuditAction } from './audit-actions';
import { Actor, currentAuditContext, SYSTEM_ACTOR } from './audit-context';
import type { ListAuditLogQueryDto } from '../audit-log/dto/list-audit-log-query.dto';
import { AuditLogEntry } from './entities/audit-log-entry.entity';

export interface AuditRecord {
  /** e.g. `webhook.update`; one of AUDIT_ACTIONS. */
  action: AuditAction;
  targetType: string;
  targetId?: string | number | null;
  /** Names of the fields changed, never their values. */
  details?: { fields?: string[] } | null;
  /** Default: the actor of the request or CLI run in progress (see audit-context.ts). */
  actor?: Actor;
  /** Default: the IP of the request in progress. */
  ip?: string | null;
}

/** The names of the fields an update sets (never their values), sorted. */
export function fieldNames(input: object): string[] {
  return Object.keys(definedOnly(input)).sort();
}

/**
 * Writes and reads the audit trail. An entry is written by the transaction that makes the change it
 * records (as events go to the outbox): the change and its entry commit together, or neither does.
 */
@Injectable()
export class AuditService {
  constructor(private readonly tx: TransactionService) {}

  /** Records an action with the manager of the transaction that makes it. */
  async record(m: EntityManager, entry: AuditRecord): Promise<void> {
    const context = currentAuditContext();
    const actor = entry.actor ?? context?.actor() ?? SYSTEM_ACTOR;
    await m.insert(AuditLogEntry, {
      actor_type: actor.type,
      actor_user_id: actor.userId ?? null,
      actor_email: actor.email ?? null,
      actor_api_key_id: actor.apiKeyId ?? null,
      action: entry.action,
      target_type: entry.targetType,
      target_id:
        entry.targetId === undefined || entry.targetId === null
          ? null
          : String(entry.targetId).slice(0, 255),
      ip: entry.ip !== undefined ? entry.ip : (context?.ip ?? null),
      details: entry.details ?? null,
    });
  }

  /** Records an action that changes nothing in the database (a refused login), in a transaction of its own. */
  recordAlone(entry: AuditRecord): Promise<void> {
    return this.tx.run((m) => this.record(m, entry));
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
