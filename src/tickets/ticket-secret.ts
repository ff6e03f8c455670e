import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The one-time secret a client gets for following up on a ticket; only its SHA-256 is stored. */
export function newTicketSecret(): { secret: string; hash: string } {
  const secret = randomBytes(24).toString('base64url');
  return { secret, hash: hashTicketSecret(secret) };
}

export function hashTicketSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function ticketSecretMatches(secret: string | undefined, storedHash: string): boolean {
  if (!secret) return false;
  const given = Buffer.from(hashTicketSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
