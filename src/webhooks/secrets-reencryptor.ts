import { Injectable } from '@nestjs/common';
import { TransactionService } from '../database/transaction.service';
import { Webhook } from './entities/webhook.entity';
import { secretCipher } from '../secrets/secret-cipher';

/**
 * Rewrites stored webhook secrets and credentials (URL, header values, ed25519 private keys, client
 * certificate keys) under the first
 * HOMA_ENCRYPTION_KEY (after a key rotation).
 */
@Injectable()
export class SecretsReencryptor {
  // Runs from the CLI: the servers' webhook caches hold decrypted values and expire within a second.
  constructor(private readonly tx: TransactionService) {}

  /** Answers how many webhooks were rewritten and which key they are now under. */
  async reencryptAll(): Promise<{ webhooks: number; key_id: string }> {
    const ids = await this.tx.read((m) =>
      m.find(Webhook, { select: { id: true }, order: { id: 'ASC' } }),
    );
    for (const { id } of ids) {
      await this.tx.run(async (m) => {
        // Read through the transformer (any listed key opens it) and write back under the first key.
        // An update always writes; save() would see no change in the decrypted values and skip it.
        const webhook = await m.findOne(Webhook, {
          select: {
            id: true,
            secret: true,
            previous_secrets: true,
            url: true,
            headers: true,
            signing_key: true,
            previous_signing_keys: true,
            client_key: true,
          },
          where: { id },
        });
        if (!webhook) return;
        await m
          .createQueryBuilder()
          .update(Webhook)
          .set({
            secret: webhook.secret,
            previous_secrets: webhook.previous_secrets,
            url: webhook.url,
            headers: webhook.headers,
            signing_key: webhook.signing_key,
            previous_signing_keys: webhook.previous_signing_keys,
            client_key: webhook.client_key,
          })
          .where('id = :id', { id })
          .execute();
      });
    }
    return { webhooks: ids.length, key_id: secretCipher().currentKeyId };
  }
}
