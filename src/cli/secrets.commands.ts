import { Command, CommandRunner } from 'nest-commander';
import { SecretsReencryptor } from '../webhooks/secrets-reencryptor';
import { WebhooksService } from '../webhooks/webhooks.service';
import { helpText } from './help-text';

@Command({
  name: 'secrets:reencrypt',
  description: helpText(
    'Re-encrypt webhook secrets under the first key',
    'Rewrites every stored webhook secret under the first key of HOMA_ENCRYPTION_KEY (after a ' +
      'new key was put first); the older keys can then be removed.',
  ),
})
export class SecretsReencryptCommand extends CommandRunner {
  constructor(private readonly reencryptor: SecretsReencryptor) {
    super();
  }

  async run(): Promise<void> {
    const result = await this.reencryptor.reencryptAll();
    console.log(
      `✅ Re-encrypted the secrets of ${result.webhooks} webhook(s) under key ${result.key_id}; older keys can now be removed from HOMA_ENCRYPTION_KEY`,
    );
  }
}

@Command({
  name: 'webhook:secret',
  arguments: '<id>',
  description: helpText(
    "Print a webhook's signing secret (audited)",
    'The database stores it encrypted; each reveal is recorded in the audit log.',
  ),
})
export class WebhookSecretCommand extends CommandRunner {
  constructor(private readonly webhooks: WebhooksService) {
    super();
  }

  async run([raw]: string[]): Promise<void> {
    const id = Number(raw);
    if (!Number.isInteger(id) || id < 1)
      throw new Error(`Webhook id must be a positive integer, got "${raw}"`);
    const { secret } = await this.webhooks.secret(id);
    console.log(secret);
  }
}
