import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveEncryptionKeys } from '../src/config/encryption-keys';
import { resolveJwtSecret } from '../src/config/jwt-secret';
import { openDatabase, SUITE_ENCRYPTION_KEY, tempDataDir } from './helpers/database';

const mode = (path: string) => statSync(path).mode & 0o777;

/** The embedded data (password hashes, client details, webhook credentials) is Homa's user's alone. */
describe('DATA_DIR permissions (e2e)', () => {
  let umask: number;
  beforeAll(() => {
    // The usual umask, under which files are created world-readable unless asked otherwise.
    umask = process.umask(0o022);
  });
  afterAll(() => process.umask(umask));

  it('creates DATA_DIR 0700 and the SQLite database and its WAL files 0600', async () => {
    const dataDir = join(tempDataDir(), 'nested', 'data');
    const dataSource = await openDatabase({
      DATA_DIR: dataDir,
      HOMA_ENCRYPTION_KEY: SUITE_ENCRYPTION_KEY,
    });
    try {
      await dataSource.runMigrations({ transaction: 'each' });
      expect(mode(dataDir)).toBe(0o700);
      const files = ['homa.sqlite', 'homa.sqlite-wal', 'homa.sqlite-shm'].map((f) =>
        join(dataDir, f),
      );
      expect(files.filter((f) => existsSync(f))).toEqual(files);
      expect(files.map(mode)).toEqual([0o600, 0o600, 0o600]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('creates DATA_DIR 0700 for the generated JWT secret and encryption key (each 0600)', () => {
    for (const create of [
      (dir: string) => resolveJwtSecret({ DATA_DIR: dir }),
      (dir: string) => resolveEncryptionKeys({ DATA_DIR: dir }),
    ]) {
      const dataDir = join(tempDataDir(), 'fresh');
      create(dataDir);
      expect(mode(dataDir)).toBe(0o700);
    }
    const dir = join(tempDataDir(), 'both');
    resolveJwtSecret({ DATA_DIR: dir });
    resolveEncryptionKeys({ DATA_DIR: dir });
    expect([mode(join(dir, 'jwt-secret')), mode(join(dir, 'encryption-key'))]).toEqual([
      0o600, 0o600,
    ]);
  });

  it('leaves the mode of a directory and database that already exist as they are', async () => {
    const dataDir = tempDataDir();
    chmodSync(dataDir, 0o750);
    const first = await openDatabase({
      DATA_DIR: dataDir,
      HOMA_ENCRYPTION_KEY: SUITE_ENCRYPTION_KEY,
    });
    await first.destroy();
    chmodSync(join(dataDir, 'homa.sqlite'), 0o640);
    const again = await openDatabase({
      DATA_DIR: dataDir,
      HOMA_ENCRYPTION_KEY: SUITE_ENCRYPTION_KEY,
    });
    await again.destroy();
    expect([mode(dataDir), mode(join(dataDir, 'homa.sqlite'))]).toEqual([0o750, 0o640]);
  });
});
