import { randomBytes } from 'node:crypto';
import type { PreviousSecret } from '../secrets/secret-transformers';
import type { Webhook } from './entities/webhook.entity';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random alphanumeric secret (32 characters by default, as in the usage guide's example). */
export function generateSecret(length = 32): string {
  const out: string[] = [];
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: rejecting bytes above it keeps every character equally likely.
      if (byte < 248 && out.length < length) out.push(ALPHANUMERIC[byte % 62]);
    }
  }
  return out.join('');
}

/** The current secret first, then any older one still inside its rotation grace period. */
export function activeSecrets(
  webhook: Pick<Webhook, 'secret' | 'previous_secrets'>,
  now = Date.now(),
): string[] {
  return [webhook.secret, ...unexpired(webhook.previous_secrets, now)];
}

/** The current ed25519 private key first, then older ones still inside their grace period. */
export function activeSigningKeys(
  webhook: Pick<Webhook, 'signing_key' | 'previous_signing_keys'>,
  now = Date.now(),
): string[] {
  if (!webhook.signing_key) return [];
  return [webhook.signing_key, ...unexpired(webhook.previous_signing_keys, now)];
}

/** How an attempt to this webhook is signed: its scheme and the keys (or secrets) still signing. */
export type DeliverySigning =
  { scheme: 'hmac'; secrets: string[] } | { scheme: 'ed25519'; keys: string[] };

export function deliverySigning(webhook: Webhook, now = Date.now()): DeliverySigning {
  return webhook.signature_scheme === 'ed25519'
    ? { scheme: 'ed25519', keys: activeSigningKeys(webhook, now) }
    : { scheme: 'hmac', secrets: activeSecrets(webhook, now) };
}

function unexpired(previous: PreviousSecret[] | null, now: number): string[] {
  return (previous ?? []).filter((p) => Date.parse(p.expires_at) > now).map((p) => p.secret);
}

/** What responses show of a secret: enough to tell two apart, never enough to use. */
export function maskSecret(secret: string): string {
  return `${'*'.repeat(8)}${secret.slice(-4)}`;
}
