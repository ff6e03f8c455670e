import { DataSource, DataSourceOptions } from 'typeorm';
import { ExpectedError } from '../common/expected-error';

/** Network errors a database that is still starting (or restarting) gives; worth waiting for. */
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

export interface OpenOptions {
  /** Times to try again after a transient error (a server waits for its database; the CLI does not). */
  retries?: number;
  retryDelayMs?: number;
  /** Apply pending migrations once connected, logging each by name. */
  runMigrations?: boolean;
  /** Nest's Logger in the app; none in the CLI's migrate commands, which load no Nest. */
  logger?: Pick<Console, 'log' | 'warn'>;
}

const SILENT: Pick<Console, 'log' | 'warn'> = { log: () => undefined, warn: () => undefined };

/**
 * Opens the database. A connection error the operator has to fix (an unknown database, a refused
 * login, a file that cannot be opened) fails at once, as one ExpectedError naming the setting and
 * the cause; a database that is not reachable yet is tried again `retries` times.
 */
export async function openDataSource(
  options: DataSourceOptions,
  { retries = 0, retryDelayMs = 3000, runMigrations = false, logger = SILENT }: OpenOptions = {},
): Promise<DataSource> {
  for (let attempt = 0; ; attempt++) {
    const dataSource = new DataSource(options);
    try {
      await dataSource.initialize();
      if (runMigrations) await applyMigrations(dataSource, logger);
      return dataSource;
    } catch (error) {
      if (dataSource.isInitialized) {
        // Connected: a migration failed. Not a connection problem, so it keeps its stack.
        await dataSource.destroy().catch(() => undefined);
        throw error;
      }
      const code = errorCode(error);
      if (!TRANSIENT.has(code) || attempt >= retries) throw connectionError(options, error, code);
      logger.warn(
        `${where(options)} is not reachable (${code}); trying again in ${retryDelayMs / 1000} s (${attempt + 1} of ${retries})`,
      );
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    }
  }
}

async function applyMigrations(
  dataSource: DataSource,
  logger: Pick<Console, 'log'>,
): Promise<void> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  for (const migration of applied) logger.log(`Applied migration ${migration.name}`);
  if (applied.length > 0)
    logger.log(`${applied.length} migration(s) applied; the schema is current`);
}

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; errno?: unknown } | null;
  return typeof e?.code === 'string' ? e.code : 'UNKNOWN';
}

function connectionError(options: DataSourceOptions, error: unknown, code: string): ExpectedError {
  const message = error instanceof Error ? error.message : String(error);
  const mysql = options.type === 'mysql';
  return new ExpectedError(`Cannot open ${where(options)}: ${message}`, {
    context: 'Database',
    variables: [mysql ? 'DATABASE_URL' : 'DATA_DIR'],
    cause: code,
  });
}

/** The database, named as its setting gives it, without a password. */
function where(options: DataSourceOptions): string {
  if (options.type === 'mysql' && options.url) {
    const url = new URL(options.url);
    if (url.password) url.password = '***';
    return `the database at ${url.toString()} (DATABASE_URL)`;
  }
  return `the SQLite database ${String(options.database)} (DATA_DIR)`;
}
