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

/**
 * A webhook URL: encrypted when it carries credentials (user info, a query string or a fragment),
 * plain otherwise so an operator can still read where a webhook points. Decrypted on every read.
 */
export function encryptedUrl(hasCredentials: (url: string) => boolean): ValueTransformer {
  return {
    to: (value: string | null | undefined) =>
      typeof value === 'string' && hasCredentials(value) ? secretCipher().encrypt(value) : value,
    from: (value: string | null) =>
      typeof value === 'string' ? secretCipher().decrypt(value) : value,
  };
}

/** Custom headers (JSON): each value encrypted (an `Authorization` header is a credential). */
export const encryptedHeaderValues: ValueTransformer = {
  to: (value: Record<string, string> | null | undefined) =>
    value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value).map(([name, v]) => [name, secretCipher().encrypt(v)]),
        )
      : value,
  from: (value: Record<string, string> | null) =>
    value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value).map(([name, v]) => [name, secretCipher().decrypt(v)]),
        )
      : value,
};
