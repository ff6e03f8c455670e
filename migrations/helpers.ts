import { QueryRunner, TableColumnOptions } from 'typeorm';

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
