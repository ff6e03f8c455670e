import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';

/** The MySQL/MariaDB URL the suite runs against, or undefined for the embedded SQLite default. */
export function mysqlUrl(): string | undefined {
  return process.env.DATABASE_URL || undefined;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'homa-test-'));
}

let counter = 0;

/**
 * The key that encrypts webhook secrets in test databases: the suite's HOMA_ENCRYPTION_KEY (CI sets one),
 * read once at load so that a test that sets another key does not leak it into later databases. Apps in
 * one jest process share it (the cipher is per process); the generated-key default is tested on its own.
 */
export const SUITE_ENCRYPTION_KEY =
  process.env.HOMA_ENCRYPTION_KEY || Buffer.alloc(32, 7).toString('base64');

/**
 * A database of its own (with the suite's HOMA_ENCRYPTION_KEY) for each test app or migration test, so no test sees another's rows or delivery workers:
 * a fresh SQLite file, or a new MySQL database beside the suite's one.
 */
export async function isolatedDatabase(
  label: string,
): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const dataDir = tempDataDir();
  const base = mysqlUrl();
  if (!base)
    return {
      env: { DATA_DIR: dataDir, HOMA_ENCRYPTION_KEY: SUITE_ENCRYPTION_KEY },
      drop: () => Promise.resolve(),
    };
  const url = new URL(base);
  counter += 1;
  // Random too: jest starts each file's modules afresh (the counter with them) in a worker whose pid
  // may be one an earlier worker had (pids wrap at 32,768 on a busy CI run), and a database an earlier
  // file left behind must not make every later file's app fail ("database exists").
  const unique = `${process.pid}_${counter}_${randomBytes(4).toString('hex')}`;
  const name = `${url.pathname.slice(1).slice(0, 64 - label.length - unique.length - 2)}_${label}_${unique}`;
  const admin = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  url.pathname = `/${name}`;
  return {
    env: {
      DATA_DIR: dataDir,
      DATABASE_URL: url.toString(),
      HOMA_ENCRYPTION_KEY: SUITE_ENCRYPTION_KEY,
    },
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}

/** The database a test environment names (DATABASE_URL, or the SQLite file in DATA_DIR), opened as the app opens it. */
export async function openDatabase(env: Record<string, string>): Promise<DataSource> {
  const dataSource = new DataSource(
    buildDataSourceOptions({
      DATABASE_URL: env.DATABASE_URL,
      DATA_DIR: env.DATA_DIR,
      HOMA_ENCRYPTION_KEY: env.HOMA_ENCRYPTION_KEY,
    }),
  );
  await dataSource.initialize();
  return dataSource;
}

/** Events recorded in the outbox and not fanned out yet. */
export async function unfannedEvents(dataSource: DataSource): Promise<number> {
  const rows: { n: number | string }[] = await dataSource.query(
    'SELECT COUNT(*) AS n FROM webhook_events WHERE fanned_out = 0',
  );
  return Number(rows[0].n);
}
