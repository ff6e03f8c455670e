import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuthModule } from '../auth/auth.module';
import { AuditContextInterceptor } from './audit-context.interceptor';
import { AuditLogController } from './audit-log.controller';
import { AuditRetentionService } from './audit-retention.service';
import { AuditModule } from './audit.module';

/** The server's side of the audit trail: who acts in each request, the admin route, and pruning. */
@Module({
  imports: [AuditModule, AuthModule],
  controllers: [AuditLogController],
  providers: [
    AuditRetentionService,
    { provide: APP_INTERCEPTOR, useClass: AuditContextInterceptor },
  ],
})
export class AuditApiModule {}
