import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/guards/decorators';
import { AuditService } from '../audit/audit.service';
import { ListAuditLogQueryDto } from './dto/list-audit-log-query.dto';

@ApiTags('admin: audit log')
@AdminOnly()
@Controller('api/admin/audit-log')
export class AuditLogController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary: 'Who did what to which record, when and from where, newest first (never a secret)',
  })
  @ApiOkResponse({ description: '`{data: [...], meta: {page, limit, total, total_pages}}`' })
  list(@Query() query: ListAuditLogQueryDto) {
    return this.audit.list(query);
  }
}
