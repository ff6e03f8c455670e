import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/dto/page.dto';
import { AUDIT_ACTIONS } from '../../audit/audit-actions';
import { ACTOR_TYPES, type ActorType } from '../../audit/entities/audit-log-entry.entity';

export class ListAuditLogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: AUDIT_ACTIONS, example: 'webhook.update' })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: string;

  @ApiPropertyOptional({ enum: ACTOR_TYPES })
  @IsOptional()
  @IsIn(ACTOR_TYPES)
  actor_type?: ActorType;

  @ApiPropertyOptional({ description: 'The user who acted (directly or through an API key)' })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  actor_user_id?: string;

  @ApiPropertyOptional({ example: 'webhook' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  target_type?: string;

  @ApiPropertyOptional({ example: '1' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  target_id?: string;

  @ApiPropertyOptional({ example: '2024-01-15T00:00:00Z', description: 'From this time on' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ example: '2024-01-16T00:00:00Z', description: 'Before this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}
