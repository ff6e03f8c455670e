import type { DataSource } from 'typeorm';
import { isEncrypted, secretCipher } from './secret-cipher';

/**
 * Throws when HOMA_ENCRYPTION_KEY cannot open the stored webhook secrets, rather than failing on the
 * first delivery: one secret per key in use is decrypted.
 */
export async function assertKeysOpenStoredSecrets(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    if (!(await runner.hasTable('webhooks'))) return;
    const rows = (await runner.query('SELECT secret FROM webhooks')) as { secret: string }[];
    const oneByKey = new Map<string, string>();
    for (const { secret } of rows)
      if (isEncrypted(secret)) oneByKey.set(secret.split(':')[2], secret);
    const cipher = secretCipher();
    for (const secret of oneByKey.values()) cipher.decrypt(secret);
  } finally {
    await runner.release();
  }
}
