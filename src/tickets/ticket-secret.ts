import { createHash, randomFillSync, timingSafeEqual } from 'node:crypto';

const SECRET_BYTES = 24;
/**
 * Random bytes for secrets, drawn from the CSPRNG 170 secrets at a time (as Node's `randomUUID` does
 * for UUIDs): one `randomBytes(24)` per ticket was ~2 % of the main thread's CPU per ticket, nearly all
 * of it the system call. Each secret's bytes are handed out once and then overwritten.
 */
const pool = Buffer.alloc(SECRET_BYTES * 170);
let offset = pool.length;

function randomSecretBytes(): Buffer {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + SECRET_BYTES));
  pool.fill(0, offset, offset + SECRET_BYTES);
  offset += SECRET_BYTES;
  return bytes;
}

/** The one-time secret a client gets for following up on a ticket; only its SHA-256 is stored. */
export function newTicketSecret(): { secret: string; hash: string } {
  const secret = randomSecretBytes().toString('base64url');
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
