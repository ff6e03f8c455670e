import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Command, CommandRunner, Option } from 'nest-commander';
import { CreateWebhookDto } from '../webhooks/dto/create-webhook.dto';
import { WebhookActionsService } from '../deliveries/log/webhook-actions.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { describeMockWebhook, mockWebhook } from './mock-webhook';
import { helpText } from './help-text';
import { SIGNATURE_SCHEMES, type SignatureScheme } from '../webhooks/signing-keys';

interface GenerateWebhookOptions {
  url?: string;
  send?: boolean;
  ordered?: boolean;
  signatureScheme?: SignatureScheme;
}

@Command({
  name: 'generate-webhook',
  description: helpText(
    'Create a mock webhook; --send tests it',
    'Creates a webhook for --url with a random name, secret and subscriptions, printed as the ' +
      'usage guide shows; --send makes one signed webhook.test attempt and exits non-zero if it ' +
      'fails. The guide’s form `--generate-webhook --url URL --send` (flags in any order) is the ' +
      'same command.',
  ),
})
export class GenerateWebhookCommand extends CommandRunner {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly actions: WebhookActionsService,
  ) {
    super();
  }

  async run(_: string[], options: GenerateWebhookOptions): Promise<void> {
    if (!options.url) throw new Error('Missing required option --url');
    const input = plainToInstance(CreateWebhookDto, {
      ...mockWebhook(options.url),
      ...(options.ordered ? { ordered: true } : {}),
      ...(options.signatureScheme ? { signature_scheme: options.signatureScheme } : {}),
    });
    const errors = await validate(input);
    if (errors.length > 0) {
      throw new Error(errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; '));
    }
    const webhook = await this.webhooks.create(input);
    console.log(describeMockWebhook(webhook).join('\n'));
    if (!options.send) return;

    console.log('\n📤 Sending test webhook...');
    const result = await this.actions.test(webhook.id);
    if (result.success) {
      console.log('✅ Test webhook sent successfully!');
      console.log('\n💡 Check your webhook URL to see the received payload');
      return;
    }
    const reason = [result.error_code, result.error].filter(Boolean).join(': ');
    console.log(`❌ Test webhook failed: ${reason}`);
    process.exitCode = 1;
  }

  @Option({ flags: '--url <url>', description: 'The endpoint that receives the webhook' })
  parseUrl(value: string): string {
    return value;
  }

  @Option({
    flags: '--send',
    description: 'Send one signed webhook.test now and report the outcome',
  })
  parseSend(): boolean {
    return true;
  }

  @Option({
    flags: '--ordered',
    description: "Deliver each ticket's (client's, user's) events one at a time, in commit order",
  })
  parseOrdered(): boolean {
    return true;
  }

  @Option({
    flags: '--signature-scheme <scheme>',
    description:
      'hmac (default) or ed25519: Homa generates a key pair and prints the public key receivers verify with',
  })
  parseSignatureScheme(value: string): SignatureScheme {
    if (!(SIGNATURE_SCHEMES as readonly string[]).includes(value))
      throw new Error(`--signature-scheme must be one of ${SIGNATURE_SCHEMES.join(', ')}`);
    return value as SignatureScheme;
  }
}
