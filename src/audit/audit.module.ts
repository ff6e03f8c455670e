import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { AuditLogController } from './audit-log.controller';
import { AuditRetentionService } from './audit-retention.service';
import { AuditInterceptor } from './audit.interceptor';
import { AuditService } from './audit.service';
import { AuditLogEntry } from './entities/audit-log-entry.entity';

/** The audit trail; global so that any controller can mark a handler `@Audited`. */
@Global()
@Module({})
export class AuditModule {
  static forRoot(options: { api: boolean }): DynamicModule {
    return {
      module: AuditModule,
      imports: [TypeOrmModule.forFeature([AuditLogEntry]), AuthModule],
      controllers: options.api ? [AuditLogController] : [],
      providers: [AuditService, AuditInterceptor, ...(options.api ? [AuditRetentionService] : [])],
      exports: [AuditService, AuditInterceptor],
    };
  }
}
