import { DataSource } from 'typeorm';
import { validateEnv } from '../../config/env.validation';
import { buildDataSourceOptions } from '../../database/data-source-options';
import { openDataSource } from '../../database/open-data-source';
import { assertKeysOpenStoredSecrets } from '../../secrets/stored-secrets-check';
import { applyPendingMigrations, printMigrationStatus, revertLastMigration } from './migrations';

type Run = (dataSource: DataSource, args: readonly string[]) => Promise<void>;

const MIGRATE_COMMANDS: ReadonlyMap<string, Run> = new Map<string, Run>([
  ['migrate', (ds) => applyPendingMigrations(ds)],
  ['migrate:revert', (ds, args) => revertLastMigration(ds, { yes: args.includes('--yes') })],
  ['migrate:status', (ds) => printMigrationStatus(ds)],
]);

/**
 * `homa migrate`, `migrate:revert [--yes]` or `migrate:status` exactly (`--help` and anything else go
 * to Nest).
 */
export function isDirectMigrateCommand(args: readonly string[]): boolean {
  const [name, ...options] = args;
  if (!MIGRATE_COMMANDS.has(name)) return false;
  return name === 'migrate:revert'
    ? options.every((o) => o === '--yes') && options.length <= 1
    : options.length === 0;
}

/**
 * Runs a migrate command on a bare DataSource: the same validated environment, the same TypeORM options
 * and the same key check as the Nest app, without loading Nest (half of a CLI command's start-up).
 */
export async function runDirectMigrateCommand(args: readonly string[]): Promise<void> {
  const command = MIGRATE_COMMANDS.get(args[0]);
  if (!command) throw new Error(`Not a migrate command: ${args[0]}`);
  const env = validateEnv(process.env);
  const dataSource = await openDataSource(buildDataSourceOptions(env));
  try {
    await assertKeysOpenStoredSecrets(dataSource);
    await command(dataSource, args);
  } finally {
    await dataSource.destroy();
  }
}
