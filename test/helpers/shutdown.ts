import type { ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import type { Responder } from './receiver';

/** A receiver that answers 200 after `ms` (unless the request was closed first); `answered` records when. */
export function answerAfter(ms: number): { responder: Responder; answered: number[] } {
  const answered: number[] = [];
  const responder: Responder = (_req, res: ServerResponse) => {
    setTimeout(() => {
      if (res.destroyed) return;
      answered.push(Date.now());
      res.writeHead(200).end('OK');
    }, ms).unref();
  };
  return { responder, answered };
}

export interface DeliveryRow {
  id: string;
  webhook_id: number;
  status: string;
  attempts: number;
  next_attempt_at: Date | null;
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  status_code: number | null;
  error_code: string | null;
}

/** The deliveries to these webhooks, and their attempts, as the database has them. */
export async function deliveriesOf(
  dataSource: DataSource,
  webhookIds: number[],
): Promise<{ deliveries: DeliveryRow[]; attempts: AttemptRow[] }> {
  const marks = webhookIds.map(() => '?').join(', ');
  const deliveries = (
    await dataSource.query<Record<string, unknown>[]>(
      `SELECT id, webhook_id, status, attempts, next_attempt_at FROM webhook_deliveries WHERE webhook_id IN (${marks}) ORDER BY webhook_id`,
      webhookIds,
    )
  ).map((r) => ({
    id: String(r.id),
    webhook_id: Number(r.webhook_id),
    status: String(r.status),
    attempts: Number(r.attempts),
    next_attempt_at: r.next_attempt_at === null ? null : asDate(r.next_attempt_at),
  }));
  const ids = deliveries.map((d) => d.id);
  const attempts =
    ids.length === 0
      ? []
      : (
          await dataSource.query<Record<string, unknown>[]>(
            `SELECT delivery_id, attempt, status_code, error_code FROM webhook_delivery_attempts WHERE delivery_id IN (${ids.map(() => '?').join(', ')}) ORDER BY id`,
            ids,
          )
        ).map((r) => ({
          delivery_id: String(r.delivery_id),
          attempt: Number(r.attempt),
          status_code: r.status_code === null ? null : Number(r.status_code),
          error_code: r.error_code === null ? null : (r.error_code as string),
        }));
  return { deliveries, attempts };
}

/** SQLite hands datetimes back as UTC text without a zone. */
function asDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

/** The JSON log lines of a process's output (other lines are skipped). */
export function jsonLines(
  output: string,
): { msg?: string; level?: number; [key: string]: unknown }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string });
}
