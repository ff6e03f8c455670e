import { QueryRunner, TableColumn, TableColumnOptions } from 'typeorm';

/** Column helpers so each migration is written once and runs on both MySQL/MariaDB and SQLite. */
export function isMysql(queryRunner: QueryRunner): boolean {
  return queryRunner.connection.driver.options.type === 'mysql';
}

export function nowDefault(queryRunner: QueryRunner): string {
  return isMysql(queryRunner) ? 'CURRENT_TIMESTAMP(3)' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))";
}

export function uuidPrimary(name = 'id'): TableColumnOptions {
  return { name, type: 'varchar', length: '36', isPrimary: true };
}

export function intPrimary(name = 'id'): TableColumnOptions {
  return {
    name,
    type: 'integer',
    isPrimary: true,
    isGenerated: true,
    generationStrategy: 'increment',
  };
}

export function datetime(name: string, nullable = true): TableColumnOptions {
  return { name, type: 'datetime', precision: 3, isNullable: nullable };
}

export function timestamps(queryRunner: QueryRunner): TableColumnOptions[] {
  const now = nowDefault(queryRunner);
  return [
    { name: 'created_at', type: 'datetime', precision: 3, default: now },
    { name: 'updated_at', type: 'datetime', precision: 3, default: now },
  ];
}

export function longText(
  queryRunner: QueryRunner,
  name: string,
  nullable = true,
): TableColumnOptions {
  return { name, type: isMysql(queryRunner) ? 'mediumtext' : 'text', isNullable: nullable };
}

/**
 * Adds a column in place. On SQLite TypeORM would rebuild the table (copy, drop, rename), which copies
 * every row of a big table and fails (or cascades) when other tables' foreign keys refer to it; SQLite's
 * own `ALTER TABLE … ADD COLUMN` does neither. Elsewhere the Table API does it.
 */
export async function addColumnInPlace(
  queryRunner: QueryRunner,
  table: string,
  column: TableColumnOptions,
): Promise<void> {
  if (isMysql(queryRunner)) return queryRunner.addColumn(table, new TableColumn(column));
  const type = column.length ? `${column.type}(${column.length})` : column.type;
  const nullable = column.isNullable ? '' : ' NOT NULL';
  const fallback =
    column.default === undefined
      ? ''
      : ` DEFAULT (${typeof column.default === 'boolean' ? Number(column.default) : String(column.default)})`;
  await queryRunner.query(
    `ALTER TABLE "${table}" ADD COLUMN "${column.name}" ${type}${nullable}${fallback}`,
  );
}

/** Drops a column in place (see addColumnInPlace); its indexes must be dropped first. */
export async function dropColumnInPlace(
  queryRunner: QueryRunner,
  table: string,
  column: string,
): Promise<void> {
  if (isMysql(queryRunner)) return queryRunner.dropColumn(table, column);
  await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "${column}"`);
}

/** A table, or a column of one, that a migration's `down` drops. */
export interface Dropped {
  table: string;
  /** Absent: the whole table. */
  column?: string;
  /**
   * The rows whose data the drop loses, as an SQL condition on the table. Default: every row of a
   * table; the rows where a column is set. A column with a default names the rows that differ from it.
   */
  losing?: string;
}

/** What reverting a migration takes away, which `homa migrate:revert` measures before it runs. */
export interface RevertEffects {
  drops: Dropped[];
  /** Anything else the revert does to data, in words. */
  note?: string;
}
