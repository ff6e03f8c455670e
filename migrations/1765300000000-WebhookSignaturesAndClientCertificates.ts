import { MigrationInterface, QueryRunner } from 'typeorm';
import { addColumnInPlace, dropColumnInPlace, RevertEffects } from './helpers';

/**
 * How a webhook proves itself to its receiver. `signature_scheme` is `hmac` (the secret, as before)
 * or `ed25519` (Standard Webhooks `v1a`): then `signing_key` holds the private key (`whsk_…`,
 * encrypted at rest like the secret), `public_key` the key receivers verify with (`whpk_…`), and
 * `previous_signing_keys` the keys still signing during a rotation's grace period (each encrypted).
 * `client_certificate` and `client_key` (PEM, the key encrypted) are presented to HTTPS receivers that
 * ask for a client certificate (mutual TLS). Columns are added in place; existing webhooks stay `hmac`.
 */
export class WebhookSignaturesAndClientCertificates1765300000000 implements MigrationInterface {
  name = 'WebhookSignaturesAndClientCertificates1765300000000';

  /** What `down` takes away (see RevertEffects): ed25519 key pairs and client certificates. */
  static readonly revert: RevertEffects = {
    drops: [
      { table: 'webhooks', column: 'client_key' },
      { table: 'webhooks', column: 'client_certificate' },
      { table: 'webhooks', column: 'previous_signing_keys' },
      { table: 'webhooks', column: 'signing_key' },
      { table: 'webhooks', column: 'public_key' },
      { table: 'webhooks', column: 'signature_scheme', losing: "signature_scheme <> 'hmac'" },
    ],
    note: 'ed25519 webhooks go back to signing with their HMAC secret',
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    await addColumnInPlace(queryRunner, 'webhooks', {
      name: 'signature_scheme',
      type: 'varchar',
      length: '16',
      isNullable: false,
      default: "'hmac'",
    });
    await addColumnInPlace(queryRunner, 'webhooks', {
      name: 'public_key',
      type: 'varchar',
      length: '128',
      isNullable: true,
    });
    await addColumnInPlace(queryRunner, 'webhooks', {
      name: 'signing_key',
      type: 'varchar',
      length: '1024',
      isNullable: true,
    });
    for (const name of ['previous_signing_keys', 'client_certificate', 'client_key'])
      await addColumnInPlace(queryRunner, 'webhooks', { name, type: 'text', isNullable: true });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of [
      'client_key',
      'client_certificate',
      'previous_signing_keys',
      'signing_key',
      'public_key',
      'signature_scheme',
    ])
      await dropColumnInPlace(queryRunner, 'webhooks', column);
  }
}
