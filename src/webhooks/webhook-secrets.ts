import { randomBytes } from 'node:crypto';
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
  const previous = (webhook.previous_secrets ?? [])
    .filter((p) => Date.parse(p.expires_at) > now)
    .map((p) => p.secret);
  return [webhook.secret, ...previous];
}

/** What responses show of a secret: enough to tell two apart, never enough to use. */
export function maskSecret(secret: string): string {
  return `${'*'.repeat(8)}${secret.slice(-4)}`;
}
