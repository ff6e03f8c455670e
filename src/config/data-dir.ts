import { mkdirSync, writeFileSync } from 'node:fs';

/**
 * DATA_DIR holds the embedded database (password hashes, client details, webhook credentials), the
 * JWT secret and the encryption key: created readable by Homa's user alone (0700). An existing
 * directory keeps its mode.
 */
export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Creates the SQLite file, empty, readable by Homa's user alone (0600), before SQLite opens it:
 * SQLite would create it with the umask's mode (0644), and its -wal and -shm files take the
 * database file's mode. An existing file keeps its mode.
 */
export function ensurePrivateFile(path: string): void {
  try {
    writeFileSync(path, '', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
