import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { auditContextMiddleware } from './audit-context.middleware';
import { AuditLogController } from './audit-log.controller';
import { AuditRetentionService } from './audit-retention.service';
import { AuditModule } from './audit.module';

/** The server's side of the audit trail: who acts in each request, the admin route, and pruning. */
@Module({
  imports: [AuditModule, AuthModule],
  controllers: [AuditLogController],
  providers: [AuditRetentionService],
})
export class AuditApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(auditContextMiddleware)
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
