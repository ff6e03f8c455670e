import type { PreviousSecret } from '../secrets/secret-transformers';
import { assertClientCertificate } from './client-certificates';
import { MASKED } from './webhook-credentials';
import { generateSigningKeyPair, type SignatureScheme } from './signing-keys';
import type { Webhook } from './entities/webhook.entity';

/** How a webhook proves itself: its signature scheme and keys, and its client certificate. */
export type TrustFields = Pick<
  Webhook,
  | 'signature_scheme'
  | 'public_key'
  | 'signing_key'
  | 'previous_signing_keys'
  | 'client_certificate'
  | 'client_key'
>;

interface TrustInput {
  signature_scheme?: SignatureScheme;
  client_certificate?: string | null;
  client_key?: string | null;
}

/** A new webhook's: a key pair generated for ed25519, the client certificate checked. */
export function newTrustFields(input: TrustInput): TrustFields {
  const scheme = input.signature_scheme ?? 'hmac';
  const pair = scheme === 'ed25519' ? generateSigningKeyPair() : null;
  const certificate = {
    client_certificate: input.client_certificate ?? null,
    client_key: input.client_key ?? null,
  };
  assertClientCertificate(certificate);
  return {
    signature_scheme: scheme,
    public_key: pair?.public_key ?? null,
    signing_key: pair?.signing_key ?? null,
    previous_signing_keys: null,
    ...certificate,
  };
}

/**
 * What an update changes beyond the fields given: a first switch to ed25519 generates the key pair
 * (a webhook switched back and forth keeps its pair, as it keeps its secret); a changed certificate or
 * key is checked against the other, as stored when not given.
 */
export function trustChanges(input: TrustInput, current: Webhook): Partial<TrustFields> {
  const changes: Partial<TrustFields> = {};
  if (input.signature_scheme === 'ed25519' && !current.signing_key)
    Object.assign(changes, generateSigningKeyPair(), { previous_signing_keys: null });
  if (input.client_certificate !== undefined || input.client_key !== undefined)
    assertClientCertificate({
      client_certificate:
        input.client_certificate !== undefined
          ? input.client_certificate
          : current.client_certificate,
      client_key: input.client_key !== undefined ? input.client_key : current.client_key,
    });
  return changes;
}

/**
 * A rotation of an ed25519 webhook's key pair: the current private key keeps signing beside the new
 * one until `expiresAt` (none when the grace period is 0), with any older one still inside its own.
 */
export function rotatedSigningKeys(
  current: Webhook,
  expiresAt: Date | null,
): Pick<TrustFields, 'public_key' | 'signing_key' | 'previous_signing_keys'> {
  const stillValid = (current.previous_signing_keys ?? []).filter(
    (p) => Date.parse(p.expires_at) > Date.now(),
  );
  const previous: PreviousSecret[] =
    expiresAt && current.signing_key
      ? [{ secret: current.signing_key, expires_at: expiresAt.toISOString() }, ...stillValid]
      : stillValid;
  return {
    ...generateSigningKeyPair(),
    previous_signing_keys: previous.length > 0 ? previous : null,
  };
}

/** What views show: the public key of an ed25519 webhook only, the client key masked. */
export function presentTrust(webhook: Webhook): Pick<Webhook, 'public_key' | 'client_key'> {
  return {
    public_key: webhook.signature_scheme === 'ed25519' ? webhook.public_key : null,
    client_key: webhook.client_key ? MASKED : null,
  };
}
