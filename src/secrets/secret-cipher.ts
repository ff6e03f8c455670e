import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ExpectedError } from '../common/expected-error';

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;

/** Raised when a stored secret cannot be decrypted with the configured keys. */
export class SecretKeyError extends ExpectedError {
  readonly code = 'SECRET_KEY_MISMATCH';

  constructor(message: string) {
    super(message, {
      context: 'Secrets',
      variables: ['HOMA_ENCRYPTION_KEY'],
      cause: 'SECRET_KEY_MISMATCH',
    });
  }
}

/** A short, non-secret name for a key, stored beside each ciphertext to pick the key that opens it. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function isEncrypted(value: string): boolean {
  return value.startsWith(PREFIX);
}

/**
 * AES-256-GCM with a random 96-bit IV per value: `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64).
 * Encrypts under the first key; decrypts under whichever key the value names.
 */
export class SecretCipher {
  private readonly byId: Map<string, Buffer>;
  readonly currentKeyId: string;

  constructor(private readonly keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error('SecretCipher needs at least one key');
    this.byId = new Map(keys.map((key) => [keyId(key), key]));
    this.currentKeyId = keyId(keys[0]);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0], iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [PREFIX + this.currentKeyId, iv, tag, ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64')))
      .join(':');
  }

  /** Plain (not yet encrypted) values pass through, so rows written before the migration stay readable. */
  decrypt(stored: string): string {
    if (!isEncrypted(stored)) return stored;
    const [id, iv, tag, ciphertext] = stored.slice(PREFIX.length).split(':');
    const key = this.byId.get(id);
    if (!key || !iv || !tag || ciphertext === undefined)
      throw new SecretKeyError(
        `A webhook secret is encrypted under key ${id}, which is not in HOMA_ENCRYPTION_KEY: set HOMA_ENCRYPTION_KEY to the key it was written with (list old keys after the new one)`,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretKeyError(
        `A webhook secret under key ${id} failed to decrypt: the data or HOMA_ENCRYPTION_KEY is wrong`,
      );
    }
  }

  /** True when the value is already under the current key (nothing for a re-encryption to do). */
  isCurrent(stored: string): boolean {
    return stored.startsWith(`${PREFIX}${this.currentKeyId}:`);
  }
}

let installed: SecretCipher | null = null;

/**
 * The process's cipher. TypeORM column transformers and migrations are not built by Nest's injector,
 * so the one data-source factory installs it here before any connection opens.
 */
export function installSecretCipher(cipher: SecretCipher): void {
  installed = cipher;
}

export function secretCipher(): SecretCipher {
  if (!installed)
    throw new Error('Webhook secret encryption is not configured (HOMA_ENCRYPTION_KEY)');
  return installed;
}
