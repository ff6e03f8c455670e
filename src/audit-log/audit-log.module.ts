import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { auditContextMiddleware } from '../audit/audit-context.middleware';
import { AuditLogController } from './audit-log.controller';
import { AuditRetentionService } from '../audit/audit-retention.service';
import { AuditModule } from '../audit/audit.module';

/** The server's side of the audit trail: who acts in each request, the admin route, and pruning. */
@Module({
  imports: [AuditModule, AuthModule],
  controllers: [AuditLogController],
  providers: [AuditRetentionService],
})
export class AuditLogModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(auditContextMiddleware)
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
