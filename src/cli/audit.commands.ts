import { Module } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Command, CommandRunner, Option } from 'nest-commander';
import { AUDIT_ACTIONS } from '../audit/audit-actions';
import { AuditService } from '../audit/audit.service';
import { ListAuditLogQueryDto } from '../audit-log/dto/list-audit-log-query.dto';
import { AuditLogEntry } from '../audit/entities/audit-log-entry.entity';
import { helpText } from './help-text';

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

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since`: a time ago (`10m`, `2h`, `1d`, `1w`) or an ISO 8601 time, as the ISO 8601 time the
 * query takes; throws, naming the option, on anything else.
 */
export function parseSince(value: string, now = Date.now()): string {
  const ago = /^(\d+)([mhdw])$/.exec(value.trim());
  if (ago) return new Date(now - Number(ago[1]) * UNIT_MS[ago[2]]).toISOString();
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new Error(
    `--since must be a time ago (10m, 2h, 1d, 1w) or an ISO 8601 time (2024-01-15T10:30:00Z); got "${value}"`,
  );
}

/** `--action`: one of AUDIT_ACTIONS, or an error that lists them. */
export function parseAction(value: string): string {
  if ((AUDIT_ACTIONS as readonly string[]).includes(value)) return value;
  throw new Error(`--action must be one of: ${AUDIT_ACTIONS.join(', ')}; got "${value}"`);
}

@Command({
  name: 'audit:list',
  description: helpText('The audit log, newest first', `Actions: ${AUDIT_ACTIONS.join(', ')}.`),
})
export class AuditListCommand extends CommandRunner {
  constructor(private readonly audit: AuditService) {
    super();
  }

  async run(_: string[], options: AuditListOptions): Promise<void> {
    const [targetType, targetId] = options.target?.split(':') ?? [];
    const query = plainToInstance(ListAuditLogQueryDto, {
      action: options.action === undefined ? undefined : parseAction(options.action),
      target_type: targetType,
      target_id: targetId,
      since: options.since === undefined ? undefined : parseSince(options.since),
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

  @Option({ flags: '--action <action>', description: 'Only this action (listed above)' })
  parseAction(value: string): string {
    return value;
  }

  @Option({ flags: '--target <type:id>', description: 'Only this record, e.g. webhook:3' })
  parseTarget(value: string): string {
    return value;
  }

  @Option({
    flags: '--since <time>',
    description: 'From this time on: 10m, 2h, 1d or 1w ago, or ISO 8601 (2024-01-15T10:30:00Z)',
  })
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
