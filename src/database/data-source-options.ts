import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { ExpectedError } from '../common/expected-error';
import { migrations } from '../../migrations';
import { ensureDataDir, ensurePrivateFile } from '../config/data-dir';
import { Env } from '../config/env.validation';
import { resolveEncryptionKeys } from '../config/encryption-keys';
import { installSecretCipher, SecretCipher } from '../secrets/secret-cipher';

export type DatabaseKind = 'mysql' | 'sqlite';

export function databaseKind(env: Pick<Env, 'DATABASE_URL'>): DatabaseKind {
  return env.DATABASE_URL ? 'mysql' : 'sqlite';
}

/**
 * The one TypeORM options object, used by the HTTP app, the workers and the CLI alike.
 * Entities are registered by each feature module (autoLoadEntities); schema changes only ever
 * come from the migrations in `migrations/`.
 */
export function buildDataSourceOptions(
  env: Pick<Env, 'DATABASE_URL' | 'DATA_DIR' | 'HOMA_ENCRYPTION_KEY'>,
): DataSourceOptions {
  if (!env.DATABASE_URL) makeDataDir(env.DATA_DIR);
  // Webhook secrets are encrypted by column transformers and a migration, which Nest does not build.
  installSecretCipher(new SecretCipher(resolveEncryptionKeys(env)));
  const common = {
    namingStrategy: new SnakeNamingStrategy(),
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    // Failed queries surface as errors where they happen; TypeORM's own log would print their parameters.
    logging: false,
  };
  if (env.DATABASE_URL) {
    return {
      ...common,
      type: 'mysql',
      url: env.DATABASE_URL,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      dateStrings: false,
      supportBigNumbers: true,
      extra: { connectionLimit: 20 },
    };
  }
  const database = join(env.DATA_DIR, 'homa.sqlite');
  ensurePrivateFile(database);
  return {
    ...common,
    type: 'better-sqlite3',
    database,
    enableWAL: true,
    prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      // WAL with synchronous=NORMAL: no fsync per commit; a crash loses nothing, a power cut at most the last commits.
      db.pragma('synchronous = NORMAL');
    },
  };
}

/** The embedded database's directory (with its generated keys, 0700), or an error naming DATA_DIR. */
function makeDataDir(dir: string): void {
  try {
    ensureDataDir(dir);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new ExpectedError(`Cannot create the data directory (DATA_DIR): ${message}`, {
      context: 'Config',
      variables: ['DATA_DIR'],
      cause: code,
    });
  }
}
