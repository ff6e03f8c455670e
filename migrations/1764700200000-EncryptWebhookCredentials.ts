import { MigrationInterface, QueryRunner } from 'typeorm';
import { isEncrypted, secretCipher } from '../src/secrets/secret-cipher';
import { urlHasCredentials } from '../src/webhooks/webhook-credentials';
import { isMysql, RevertEffects } from './helpers';

interface Row {
  id: number | string;
  url: string;
  headers: string | null;
}

type Transform = (value: string) => string;

/** Rewrites every webhook's URL (when `url` says so) and each custom header value, row by row. */
async function rewrite(
  queryRunner: QueryRunner,
  url: Transform,
  headerValue: Transform,
): Promise<void> {
  const rows = (await queryRunner.query(
    'SELECT id, url, headers FROM webhooks ORDER BY id',
  )) as Row[];
  for (const row of rows) {
    const headers = row.headers
      ? Object.fromEntries(
          Object.entries(JSON.parse(row.headers) as Record<string, string>).map(([name, value]) => [
            name,
            headerValue(value),
          ]),
        )
      : null;
    await queryRunner.query('UPDATE webhooks SET url = ?, headers = ? WHERE id = ?', [
      url(row.url),
      headers ? JSON.stringify(headers) : null,
      row.id,
    ]);
  }
}

/**
 * Webhook credentials encrypted at rest like the signing secret: a URL that carries any (user info,
 * a query string, a fragment) and every custom header value. `down` decrypts them. The URL column
 * widens to hold a 2048-character URL once encrypted (SQLite does not enforce varchar lengths).
 */
export class EncryptWebhookCredentials1764700200000 implements MigrationInterface {
  name = 'EncryptWebhookCredentials1764700200000';

  /** What `down` does (see RevertEffects): nothing is dropped; credentials go back to clear text. */
  static readonly revert: RevertEffects = {
    drops: [],
    note: 'webhook URL credentials and custom header values are decrypted and stored in clear text again',
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    if (isMysql(queryRunner))
      await queryRunner.query('ALTER TABLE webhooks MODIFY url VARCHAR(4096) NOT NULL');
    const cipher = secretCipher();
    const encrypt = (value: string) => (isEncrypted(value) ? value : cipher.encrypt(value));
    await rewrite(queryRunner, (url) => (urlHasCredentials(url) ? encrypt(url) : url), encrypt);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const cipher = secretCipher();
    const decrypt = (value: string) => cipher.decrypt(value);
    await rewrite(queryRunner, decrypt, decrypt);
    if (isMysql(queryRunner))
      await queryRunner.query('ALTER TABLE webhooks MODIFY url VARCHAR(2048) NOT NULL');
  }
}
