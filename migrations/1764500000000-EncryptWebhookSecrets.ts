import { MigrationInterface, QueryRunner } from 'typeorm';
import { isEncrypted, secretCipher } from '../src/secrets/secret-cipher';
import { isMysql, RevertEffects } from './helpers';

interface Row {
  id: number | string;
  secret: string;
  previous_secrets: string | null;
}

type Transform = (value: string) => string;

/** Rewrites every webhook's secret and previous secrets with `transform`, row by row. */
async function rewriteSecrets(queryRunner: QueryRunner, transform: Transform): Promise<void> {
  const rows = (await queryRunner.query(
    'SELECT id, secret, previous_secrets FROM webhooks ORDER BY id',
  )) as Row[];
  for (const row of rows) {
    const previous = row.previous_secrets
      ? (JSON.parse(row.previous_secrets) as { secret: string; expires_at: string }[]).map((p) => ({
          ...p,
          secret: transform(p.secret),
        }))
      : null;
    await queryRunner.query('UPDATE webhooks SET secret = ?, previous_secrets = ? WHERE id = ?', [
      transform(row.secret),
      previous ? JSON.stringify(previous) : null,
      row.id,
    ]);
  }
}

/** Webhook secrets encrypted at rest (AES-256-GCM under HOMA_ENCRYPTION_KEY); `down` decrypts them. */
export class EncryptWebhookSecrets1764500000000 implements MigrationInterface {
  name = 'EncryptWebhookSecrets1764500000000';

  /** What `down` takes away (see RevertEffects). */
  static readonly revert: RevertEffects = {
    drops: [],
    note: 'webhook secrets are written back in plain text',
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    // A 255-character secret takes about 400 once encrypted; SQLite does not enforce varchar lengths.
    if (isMysql(queryRunner))
      await queryRunner.query('ALTER TABLE webhooks MODIFY secret VARCHAR(1024) NOT NULL');
    const cipher = secretCipher();
    await rewriteSecrets(queryRunner, (s) => (isEncrypted(s) ? s : cipher.encrypt(s)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const cipher = secretCipher();
    await rewriteSecrets(queryRunner, (s) => cipher.decrypt(s));
    if (isMysql(queryRunner))
      await queryRunner.query('ALTER TABLE webhooks MODIFY secret VARCHAR(255) NOT NULL');
  }
}
