import { ValueTransformer } from 'typeorm';
import { secretCipher } from './secret-cipher';

export type PreviousSecret = { secret: string; expires_at: string };

/** The `secret` column: encrypted on every write TypeORM makes, decrypted on every entity read. */
export const encryptedSecret: ValueTransformer = {
  to: (value: string | null | undefined) =>
    typeof value === 'string' ? secretCipher().encrypt(value) : value,
  from: (value: string | null) =>
    typeof value === 'string' ? secretCipher().decrypt(value) : value,
};

/** The rotation's previous secrets (JSON): each `secret` inside is encrypted the same way. */
export const encryptedPreviousSecrets: ValueTransformer = {
  to: (value: PreviousSecret[] | null | undefined) =>
    Array.isArray(value)
      ? value.map((p) => ({ ...p, secret: secretCipher().encrypt(p.secret) }))
      : value,
  from: (value: PreviousSecret[] | null) =>
    Array.isArray(value)
      ? value.map((p) => ({ ...p, secret: secretCipher().decrypt(p.secret) }))
      : value,
};
