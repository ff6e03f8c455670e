import { EntityManager } from 'typeorm';

/**
 * Plain SQL for the delivery hot path, where TypeORM's query builder costs more CPU than the database
 * (it rewrites the whole statement for every alias and parameter). Values are written the way TypeORM
 * writes them, so rows stay readable by entities: booleans as 1/0, dates as UTC `YYYY-MM-DD HH:MM:SS.mmm`,
 * which both SQLite (text) and MySQL/MariaDB (DATETIME(3), connection timezone Z) read alike.
 */
export function sqlValue(value: unknown): unknown {
  if (value === true) return 1;
  if (value === false) return 0;
  if (value instanceof Date) return utcDatetime(value);
  return value ?? null;
}

let lastMs = NaN;
let lastText = '';

/**
 * A batch's rows share their timestamps: the last one written is kept, which spares most of the
 * `toISOString` calls (~2 % of the delivery thread's CPU). An invalid date still throws.
 */
export function utcDatetime(date: Date): string {
  const ms = date.getTime();
  if (ms !== lastMs) {
    lastText = date.toISOString().slice(0, 23).replace('T', ' ');
    lastMs = ms;
  }
  return lastText;
}

/**
 * ` FORCE INDEX (index)` for a statement on MySQL/MariaDB, nothing on SQLite (which runs one
 * transaction at a time). For locking statements on `webhook_deliveries`: left to itself, the
 * optimizer may answer a lookup by id or by stream through the `(status, next_attempt_at)` index,
 * and then locks (or waits for) every pending row it scans on the way, not just the rows it needs.
 */
export function forceIndex(m: EntityManager, index: string): string {
  return m.connection.options.type === 'better-sqlite3' ? '' : ` FORCE INDEX (${index})`;
}

/** `?, ?, ?` */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** One multi-row INSERT of `rows`, in `columns` order. */
export async function insertMany(
  m: EntityManager,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
): Promise<void> {
  if (rows.length > 0) await insertValues(m, table, columns, rows);
}

/** The INSERT of insertMany; answers what the driver answered (see insertRows). */
function insertValues(
  m: EntityManager,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
): Promise<unknown> {
  const tuple = `(${placeholders(columns.length)})`;
  return m.query(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`,
    rows.flat().map(sqlValue),
  );
}

/** One INSERT of `row` (column → value, in key order); answers the auto-increment id it was given. */
export async function insertRow(
  m: EntityManager,
  table: string,
  row: Record<string, unknown>,
): Promise<number> {
  const [id] = await insertRows(m, table, [row]);
  return id;
}

/** `auto_increment_increment` of each MySQL/MariaDB data source: read once, it is a server setting. */
const autoIncrementSteps = new WeakMap<object, Promise<number>>();

/**
 * One multi-row INSERT of `rows` (objects with the same keys, in the same order) into a table with an
 * auto-increment id; answers the ids they were given, in order. One statement numbers its rows
 * consecutively on both databases: SQLite writes them one after another and answers the last id;
 * MySQL/MariaDB reserve the whole range at once for a statement whose rows are listed in VALUES (a
 * "simple insert", in every `innodb_autoinc_lock_mode`) and answer the first, the ids spaced by
 * `auto_increment_increment`.
 */
export async function insertRows(
  m: EntityManager,
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<number[]> {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]);
  const raw = await insertValues(
    m,
    table,
    columns,
    rows.map((row) => columns.map((column) => row[column])),
  );
  // mysql2 answers with a result header; better-sqlite3 (through TypeORM) with the last row id.
  if (typeof raw === 'object' && raw !== null) {
    const first = Number((raw as { insertId: number }).insertId);
    const step = rows.length === 1 ? 1 : await autoIncrementStep(m);
    return rows.map((_, i) => first + i * step);
  }
  const last = Number(raw);
  return rows.map((_, i) => last - (rows.length - 1 - i));
}

function autoIncrementStep(m: EntityManager): Promise<number> {
  let step = autoIncrementSteps.get(m.connection);
  if (!step) {
    step = m
      .query('SELECT @@auto_increment_increment AS step')
      .then((rows: { step: number | string }[]) => Number(rows[0].step))
      .catch((error: unknown) => {
        autoIncrementSteps.delete(m.connection);
        throw error;
      });
    autoIncrementSteps.set(m.connection, step);
  }
  return step;
}
