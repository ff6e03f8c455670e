import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataDir } from './data-dir';

const KEY_BYTES = 32;

/** Parses `HOMA_ENCRYPTION_KEY`: comma-separated base64 keys of 32 bytes, the current one first. */
export function parseEncryptionKeys(value: string): Buffer[] {
  const keys = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part, index) => {
      const key = Buffer.from(part, 'base64');
      if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(part))
        throw new Error(
          `key ${index + 1} is not 32 bytes of base64 (make one with \`openssl rand -base64 32\`)`,
        );
      return key;
    });
  if (keys.length === 0) throw new Error('no key given');
  return keys;
}

/**
 * The keys that encrypt webhook secrets at rest. With MySQL they must be configured (validation
 * enforces that); in embedded mode one is generated once and kept under DATA_DIR (0600), like the JWT secret.
 */
export function resolveEncryptionKeys(env: {
  HOMA_ENCRYPTION_KEY?: string;
  DATA_DIR: string;
  DATABASE_URL?: string;
}): Buffer[] {
  if (env.HOMA_ENCRYPTION_KEY) return parseEncryptionKeys(env.HOMA_ENCRYPTION_KEY);
  if (env.DATABASE_URL)
    throw new Error(
      '"HOMA_ENCRYPTION_KEY" is required when DATABASE_URL is set (32 random bytes in base64, e.g. `openssl rand -base64 32`)',
    );
  const file = join(env.DATA_DIR, 'encryption-key');
  if (existsSync(file)) return parseEncryptionKeys(readFileSync(file, 'utf8'));
  ensureDataDir(env.DATA_DIR);
  const key = randomBytes(KEY_BYTES).toString('base64');
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parseEncryptionKeys(readFileSync(file, 'utf8'));
}
