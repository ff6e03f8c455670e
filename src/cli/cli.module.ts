import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { EventsModule } from '../events/events.module';
import { AuthModule } from '../auth/auth.module';
import { AppConfigModule } from '../config/config.module';
import { MetricsModule } from '../metrics/metrics.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { GenerateWebhookCommand } from './generate-webhook.command';
import { DatabaseModule } from '../database/database.module';
import { MigrateCommand, MigrateRevertCommand, MigrateStatusCommand } from './migrate.commands';
import { ApiKeyCreateCommand, UserCreateCommand } from './user.commands';

@Module({
  imports: [
    AppConfigModule.forRoot(),
    DatabaseModule.forRoot({ runMigrations: false }),
    EventEmitterModule.forRoot(),
    EventsModule,
    AuthModule,
    MetricsModule,
    WebhooksModule.forRoot({ deliver: false, adminApi: false }),
  ],
  providers: [
    GenerateWebhookCommand,
    MigrateCommand,
    MigrateRevertCommand,
    MigrateStatusCommand,
    UserCreateCommand,
    ApiKeyCreateCommand,
  ],
})
export class CliModule {}
