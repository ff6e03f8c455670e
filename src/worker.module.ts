import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuditModule } from './audit/audit.module';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { TelemetryModule } from './telemetry/telemetry.module';

/** `homa worker`: delivery workers and their reconciler, with HTTP for /health and /metrics only. */
@Module({})
export class WorkerModule {
  static forRoot(): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        AppConfigModule.forRoot(),
        DatabaseModule.forRoot({ runMigrations: false }),
        TelemetryModule,
        EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false }),
        AuditModule,
        LoggingModule,
        MetricsModule.withEndpoint(),
        HealthModule,
        DeliveriesModule.forRoot({ deliver: true, adminApi: false }),
      ],
    };
  }
}
