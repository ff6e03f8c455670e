import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';

export const SIGNATURE_SCHEMES = ['hmac', 'ed25519'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

export const PRIVATE_KEY_PREFIX = 'whsk_';
export const PUBLIC_KEY_PREFIX = 'whpk_';

/** PKCS#8 DER of an ed25519 private key, up to its 32-byte seed (RFC 8410). */
const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface SigningKeyPair {
  /** `whsk_` + base64 of the 32-byte seed: stored encrypted, never shown. */
  signing_key: string;
  /** `whpk_` + base64 of the raw 32-byte public key: what receivers verify with. */
  public_key: string;
}

/** A fresh ed25519 key pair from Node's own crypto. */
export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(String(jwk.d), 'base64url');
  return {
    signing_key: PRIVATE_KEY_PREFIX + seed.toString('base64'),
    public_key: publicKeyText(publicKey),
  };
}

/** The private key a `whsk_` value names. */
export function signingKeyObject(signingKey: string): KeyObject {
  const seed = Buffer.from(signingKey.slice(PRIVATE_KEY_PREFIX.length), 'base64');
  return createPrivateKey({
    key: Buffer.concat([PKCS8_SEED_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** `whpk_` + base64 of the raw 32 bytes of an ed25519 public (or private) key's public half. */
export function publicKeyText(key: KeyObject): string {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  return PUBLIC_KEY_PREFIX + Buffer.from(String(jwk.x), 'base64url').toString('base64');
}
