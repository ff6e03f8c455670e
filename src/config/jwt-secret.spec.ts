import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveJwtSecret } from './jwt-secret';

describe('resolveJwtSecret', () => {
  it('uses the configured secret', () => {
    expect(resolveJwtSecret({ JWT_SECRET: 's'.repeat(40), DATA_DIR: '/nonexistent' })).toBe(
      's'.repeat(40),
    );
  });

  it('generates one secret in embedded mode, keeps it private and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'homa-jwt-'));
    const first = resolveJwtSecret({ DATA_DIR: dir });
    expect(first.length).toBeGreaterThanOrEqual(64);
    expect(resolveJwtSecret({ DATA_DIR: dir })).toBe(first);
    expect(statSync(join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    expect(resolveJwtSecret({ DATA_DIR: mkdtempSync(join(tmpdir(), 'homa-jwt-')) })).not.toBe(
      first,
    );
  });
});
