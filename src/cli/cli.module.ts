import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { EventsModule } from '../events/events.module';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { AppConfigModule } from '../config/config.module';
import { MetricsModule } from '../metrics/metrics.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { GenerateWebhookCommand } from './generate-webhook.command';
import { DatabaseModule } from '../database/database.module';
import { MigrateCommand, MigrateRevertCommand, MigrateStatusCommand } from './migrate.commands';
import { ApiKeyCreateCommand, UserCreateCommand } from './user.commands';
import { AuditListCommand } from './audit.commands';
import { SecretsReencryptCommand, WebhookSecretCommand } from './secrets.commands';
import { SecretsReencryptor } from '../secrets/secrets-reencryptor';

@Module({
  imports: [
    AppConfigModule.forRoot(),
    DatabaseModule.forRoot({ runMigrations: false }),
    EventEmitterModule.forRoot(),
    EventsModule,
    AuditModule,
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
    AuditListCommand,
    SecretsReencryptCommand,
    WebhookSecretCommand,
    SecretsReencryptor,
  ],
})
export class CliModule {}
