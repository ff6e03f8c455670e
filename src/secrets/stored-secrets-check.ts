import type { DataSource } from 'typeorm';
import { isEncrypted, secretCipher } from './secret-cipher';

/** Columns holding one encrypted value (those not yet migrated are simply absent from a row). */
const ENCRYPTED = ['secret', 'url', 'signing_key', 'client_key'];

/**
 * Throws when HOMA_ENCRYPTION_KEY cannot open the stored webhook secrets and URLs, rather than
 * failing on the first delivery: one value per key in use is decrypted.
 */
export async function assertKeysOpenStoredSecrets(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    if (!(await runner.hasTable('webhooks'))) return;
    const rows = (await runner.query('SELECT * FROM webhooks')) as Record<string, unknown>[];
    const oneByKey = new Map<string, string>();
    for (const value of rows.flatMap((row) => ENCRYPTED.map((column) => row[column])))
      if (typeof value === 'string' && isEncrypted(value)) oneByKey.set(value.split(':')[2], value);
    const cipher = secretCipher();
    for (const secret of oneByKey.values()) cipher.decrypt(secret);
  } finally {
    await runner.release();
  }
}
