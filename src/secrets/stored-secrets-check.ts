import type { DataSource } from 'typeorm';
import { isEncrypted, secretCipher } from './secret-cipher';

/**
 * Throws when HOMA_ENCRYPTION_KEY cannot open the stored webhook secrets and URLs, rather than
 * failing on the first delivery: one value per key in use is decrypted.
 */
export async function assertKeysOpenStoredSecrets(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    if (!(await runner.hasTable('webhooks'))) return;
    const rows = (await runner.query('SELECT secret, url FROM webhooks')) as {
      secret: string;
      url: string;
    }[];
    const oneByKey = new Map<string, string>();
    for (const value of rows.flatMap(({ secret, url }) => [secret, url]))
      if (isEncrypted(value)) oneByKey.set(value.split(':')[2], value);
    const cipher = secretCipher();
    for (const secret of oneByKey.values()) cipher.decrypt(secret);
  } finally {
    await runner.release();
  }
}
