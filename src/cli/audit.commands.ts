import { Module } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Command, CommandRunner, Option } from 'nest-commander';
import { AuditService } from '../audit/audit.service';
import { ListAuditLogQueryDto } from '../audit-log/dto/list-audit-log-query.dto';
import { AuditLogEntry } from '../audit/entities/audit-log-entry.entity';

type AuditListOptions = Partial<Record<'action' | 'target' | 'since' | 'limit', string>>;

/** One line per entry: time, actor, action, target, IP. */
export function formatAuditEntry(entry: AuditLogEntry): string {
  const actor =
    entry.actor_type === 'api_key'
      ? `${entry.actor_email ?? entry.actor_user_id} (API key ${entry.actor_api_key_id})`
      : entry.actor_type === 'user'
        ? (entry.actor_email ?? entry.actor_user_id ?? 'user')
        : `${entry.actor_type}${entry.actor_email ? ` ${entry.actor_email}` : ''}`;
  const target = entry.target_id ? `${entry.target_type} ${entry.target_id}` : entry.target_type;
  const fields = entry.details?.fields?.length ? ` [${entry.details.fields.join(', ')}]` : '';
  return `${entry.created_at.toISOString()}  ${entry.action.padEnd(22)} ${target}${fields}  by ${actor}${entry.ip ? ` from ${entry.ip}` : ''}`;
}

@Command({ name: 'audit:list', description: 'The audit log, newest first' })
export class AuditListCommand extends CommandRunner {
  constructor(private readonly audit: AuditService) {
    super();
  }

  async run(_: string[], options: AuditListOptions): Promise<void> {
    const [targetType, targetId] = options.target?.split(':') ?? [];
    const query = plainToInstance(ListAuditLogQueryDto, {
      action: options.action,
      target_type: targetType,
      target_id: targetId,
      since: options.since,
      limit: options.limit === undefined ? 50 : Number(options.limit),
      page: 1,
    });
    const errors = await validate(query);
    if (errors.length > 0)
      throw new Error(errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; '));
    const page = await this.audit.list(query);
    if (page.data.length === 0) {
      console.log('No audit entries');
      return;
    }
    console.log(page.data.map(formatAuditEntry).join('\n'));
    if (page.meta.total > page.data.length)
      console.log(`(${page.data.length} of ${page.meta.total}; use --limit up to 100 or filters)`);
  }

  @Option({ flags: '--action <action>', description: 'Only this action, e.g. webhook.update' })
  parseAction(value: string): string {
    return value;
  }

  @Option({ flags: '--target <type:id>', description: 'Only this record, e.g. webhook:3' })
  parseTarget(value: string): string {
    return value;
  }

  @Option({ flags: '--since <time>', description: 'From this ISO 8601 time on' })
  parseSince(value: string): string {
    return value;
  }

  @Option({ flags: '--limit <n>', description: 'How many entries (default 50, at most 100)' })
  parseLimit(value: string): string {
    return value;
  }
}

/** Reads the audit trail (AuditService comes from the global AuditModule). */
@Module({ providers: [AuditListCommand] })
export class AuditCommandsModule {}
