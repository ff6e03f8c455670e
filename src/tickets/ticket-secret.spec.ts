import { createHash } from 'node:crypto';
import { hashTicketSecret, newTicketSecret, ticketSecretMatches } from './ticket-secret';

describe('ticket secrets', () => {
  it('issues a 32-character base64url secret and keeps only its SHA-256 hex', () => {
    const { secret, hash } = newTicketSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(newTicketSecret().secret).not.toBe(secret);
  });

  it('never issues the same secret twice, across refills of the random pool', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => newTicketSecret().secret));
    expect(secrets.size).toBe(1000);
    for (const secret of secrets) expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('matches only the secret it was issued for', () => {
    const { secret, hash } = newTicketSecret();
    expect(ticketSecretMatches(secret, hash)).toBe(true);
    expect(ticketSecretMatches(`${secret}x`, hash)).toBe(false);
    expect(ticketSecretMatches(newTicketSecret().secret, hash)).toBe(false);
    expect(ticketSecretMatches(undefined, hash)).toBe(false);
    expect(ticketSecretMatches('', hashTicketSecret(''))).toBe(false);
    expect(ticketSecretMatches(secret, 'not-hex')).toBe(false);
  });
});
