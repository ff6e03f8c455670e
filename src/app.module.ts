import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { EventsModule } from './events/events.module';
import { AuditLogModule } from './audit-log/audit-log.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { ConsoleModule } from './console/console.module';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DepartmentsModule } from './departments/departments.module';
import { HealthModule } from './health/health.module';
import { TicketsModule } from './tickets/tickets.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { WebhooksApiModule } from './webhooks/webhooks-api.module';
import { TelemetryModule } from './telemetry/telemetry.module';

export interface AppModuleOptions {
  /** The server applies pending migrations at start; the CLI runs them on request. */
  runMigrations: boolean;
  /**
   * Attempt webhook deliveries in this process: in-process without Redis; with REDIS_URL, run BullMQ
   * workers here too (tests do; `homa serve` does not, `homa worker` does).
   */
  deliver: boolean;
  /**
   * Deliver on a thread of its own instead (`homa serve` without REDIS_URL): this thread serves HTTP
   * and records events; the delivery thread fans out, sends and records outcomes.
   */
  deliveryThread?: boolean;
}

@Module({})
export class AppModule {
  static forRoot(
    options: AppModuleOptions = { runMigrations: true, deliver: true },
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(),
        DatabaseModule.forRoot({ runMigrations: options.runMigrations }),
        TelemetryModule,
        EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false }),
        EventsModule,
        AuditModule,
        AuditLogModule,
        AuthModule,
        DepartmentsModule,
        TicketsModule,
        HealthModule,
        LoggingModule,
        MetricsModule.withEndpoint(),
        WebhooksApiModule,
        DeliveriesModule.forRoot({
          deliver: options.deliver,
          deliveryThread: options.deliveryThread,
          adminApi: true,
        }),
        ConsoleModule,
      ],
    };
  }
}
