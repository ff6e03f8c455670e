import { randomBytes } from 'node:crypto';
import { isEncrypted, keyId, SecretCipher, SecretKeyError } from './secret-cipher';

describe('SecretCipher', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('round-trips, with a fresh IV each time, in the versioned format', () => {
    const cipher = new SecretCipher([oldKey]);
    const a = cipher.encrypt('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const b = cipher.encrypt('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(a).not.toBe(b);
    expect(a).toMatch(
      new RegExp(`^enc:v1:${keyId(oldKey)}:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]{24}:`),
    );
    expect(a).not.toContain('MfKQ9r8');
    expect(cipher.decrypt(a)).toBe('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(isEncrypted(a)).toBe(true);
  });

  it('handles non-ASCII secrets', () => {
    const cipher = new SecretCipher([oldKey]);
    expect(cipher.decrypt(cipher.encrypt('ключ-🔑-секрет'))).toBe('ключ-🔑-секрет');
  });

  it('decrypts under an old key listed after the new one, and encrypts under the first', () => {
    const stored = new SecretCipher([oldKey]).encrypt('s3cret-value');
    const rotated = new SecretCipher([newKey, oldKey]);
    expect(rotated.decrypt(stored)).toBe('s3cret-value');
    expect(rotated.isCurrent(stored)).toBe(false);
    expect(rotated.isCurrent(rotated.encrypt('x'))).toBe(true);
  });

  it('refuses, naming HOMA_ENCRYPTION_KEY, a value under a key it does not have', () => {
    const stored = new SecretCipher([oldKey]).encrypt('s3cret-value');
    expect(() => new SecretCipher([newKey]).decrypt(stored)).toThrow(SecretKeyError);
    expect(() => new SecretCipher([newKey]).decrypt(stored)).toThrow(/HOMA_ENCRYPTION_KEY/);
  });

  it('refuses a tampered ciphertext (GCM authentication)', () => {
    const cipher = new SecretCipher([oldKey]);
    const parts = cipher.encrypt('s3cret-value').split(':');
    const ct = Buffer.from(parts[5], 'base64');
    ct[0] ^= 1;
    parts[5] = ct.toString('base64');
    expect(() => cipher.decrypt(parts.join(':'))).toThrow(/failed to decrypt/);
  });

  it('passes a value written before encryption through unchanged', () => {
    expect(new SecretCipher([oldKey]).decrypt('plain-legacy-secret')).toBe('plain-legacy-secret');
  });
});
