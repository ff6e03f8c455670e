import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuditModule } from '../../../audit/audit.module';
import { AppConfigModule } from '../../../config/config.module';
import { DatabaseModule } from '../../../database/database.module';
import { DeliveriesModule } from '../../deliveries.module';
import { LoggingModule } from '../../../logging/logging.module';
import { MetricsModule } from '../../../metrics/metrics.module';
import { TelemetryModule } from '../../../telemetry/telemetry.module';

/** What the delivery thread runs: fan-out, sending, outcome recording and retention; no HTTP. */
@Module({})
export class DeliveryThreadModule {
  static forRoot(): DynamicModule {
    return {
      module: DeliveryThreadModule,
      imports: [
        AppConfigModule.forRoot(),
        DatabaseModule.forRoot({ runMigrations: false }),
        TelemetryModule,
        EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false }),
        AuditModule,
        LoggingModule,
        MetricsModule,
        DeliveriesModule.forRoot({ deliver: true, adminApi: false }),
      ],
    };
  }
}
