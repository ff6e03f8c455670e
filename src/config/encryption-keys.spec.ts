import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEncryptionKeys, resolveEncryptionKeys } from './encryption-keys';
import { validateEnv } from './env.validation';

describe('encryption keys', () => {
  const a = randomBytes(32).toString('base64');
  const b = randomBytes(32).toString('base64');

  it('parses a comma-separated list, the current key first', () => {
    const keys = parseEncryptionKeys(` ${a} , ${b} `);
    expect(keys.map((k) => k.toString('base64'))).toEqual([a, b]);
  });

  it('refuses a key that is not 32 bytes of base64', () => {
    expect(() => parseEncryptionKeys(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => parseEncryptionKeys(`${a},not a key!`)).toThrow(/key 2/);
  });

  it('generates one key under DATA_DIR (0600) on the embedded default, and keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'homa-key-'));
    const first = resolveEncryptionKeys({ DATA_DIR: dir });
    const file = join(dir, 'encryption-key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first[0].toString('base64'));
    expect(resolveEncryptionKeys({ DATA_DIR: dir })[0].equals(first[0])).toBe(true);
  });

  it('with MySQL and no key, refuses to start naming HOMA_ENCRYPTION_KEY', () => {
    const base = { DATABASE_URL: 'mysql://u:p@db:3306/homa', JWT_SECRET: 'x'.repeat(40) };
    expect(() => validateEnv(base)).toThrow(/"HOMA_ENCRYPTION_KEY" is required/);
    expect(() => resolveEncryptionKeys({ ...base, DATA_DIR: '/nonexistent' })).toThrow(
      /HOMA_ENCRYPTION_KEY/,
    );
    expect(validateEnv({ ...base, HOMA_ENCRYPTION_KEY: a }).HOMA_ENCRYPTION_KEY).toBe(a);
  });

  it('a malformed key is a configuration error naming the variable', () => {
    expect(() => validateEnv({ HOMA_ENCRYPTION_KEY: 'short' })).toThrow(
      /"HOMA_ENCRYPTION_KEY" must be comma-separated base64 keys of 32 bytes/,
    );
  });
});
