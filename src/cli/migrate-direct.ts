import { DataSource } from 'typeorm';
import { validateEnv } from '../config/env.validation';
import { buildDataSourceOptions } from '../database/data-source-options';
import { assertKeysOpenStoredSecrets } from '../secrets/stored-secrets-check';
import { applyPendingMigrations, printMigrationStatus, revertLastMigration } from './migrations';

const MIGRATE_COMMANDS: ReadonlyMap<string, (dataSource: DataSource) => Promise<void>> = new Map([
  ['migrate', applyPendingMigrations],
  ['migrate:revert', revertLastMigration],
  ['migrate:status', printMigrationStatus],
]);

/** `homa migrate`, `migrate:revert` or `migrate:status` exactly, with no option (`--help` goes to Nest). */
export function isDirectMigrateCommand(args: readonly string[]): boolean {
  return args.length === 1 && MIGRATE_COMMANDS.has(args[0]);
}

/**
 * Runs a migrate command on a bare DataSource: the same validated environment, the same TypeORM options
 * and the same key check as the Nest app, without loading Nest (half of a CLI command's start-up).
 */
export async function runDirectMigrateCommand(name: string): Promise<void> {
  const command = MIGRATE_COMMANDS.get(name);
  if (!command) throw new Error(`Not a migrate command: ${name}`);
  const env = validateEnv(process.env);
  const dataSource = new DataSource(buildDataSourceOptions(env));
  await dataSource.initialize();
  try {
    await assertKeysOpenStoredSecrets(dataSource);
    await command(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
