import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { SecretsReencryptor } from '../webhooks/secrets-reencryptor';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { GenerateWebhookCommand } from './generate-webhook.command';
import { SecretsReencryptCommand, WebhookSecretCommand } from './secrets.commands';

/**
 * Commands on webhooks: the webhook service with the delivery pipeline it sends test attempts through
 * (nothing is fanned out or delivered in the background here: servers and workers do that).
 */
@Module({
  imports: [
    MetricsModule,
    WebhooksModule,
    DeliveriesModule.forRoot({ deliver: false, adminApi: false }),
  ],
  providers: [
    GenerateWebhookCommand,
    WebhookSecretCommand,
    SecretsReencryptCommand,
    SecretsReencryptor,
  ],
})
export class WebhookCommandsModule {}
