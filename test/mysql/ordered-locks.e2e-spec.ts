import { QueryRunner } from 'typeorm';
import { insertMany, placeholders } from '../../src/database/sql';
import { insertDeliveries, NewDelivery } from '../../src/deliveries/store/delivery-rows';
import { DeliveryStatus } from '../../src/deliveries/entities/webhook-delivery.entity';
import { pendingStreams, releaseAfter } from '../../src/deliveries/store/ordered-rows';
import { createUser } from '../factories/users';
import { createWebhook, DELIVERY_TEST_ENV } from '../factories/webhooks';
import { mysqlUrl } from '../helpers/database';
import { createTestApp, TestApp } from '../helpers/test-app';

const STREAMS = 20;
const PER_STREAM = 5;
/** Delivered rows of earlier bursts: with them, pending rows are few and the due index looks cheap. */
const DELIVERED = 20_000;

/**
 * Row locks on MySQL/MariaDB (SQLite runs one transaction at a time; .ci/run runs test/mysql on
 * MariaDB): the locking statements of ordered delivery touch only the streams they are about. Through
 * the `(status, next_attempt_at)` index they locked every pending row they passed, and fan-out's
 * locking read deadlocked with outcome transactions releasing other streams: 43–46 deadlocks per
 * benchmark round under BullMQ, and a batch of outcomes lost after its third try was sent again.
 * Without the index hints both tests end in a lock wait timeout.
 */
describe('ordered delivery row locks on MySQL (e2e)', () => {
  let t: TestApp;
  let webhookId: number;
  const id = (stream: number, seq: number) =>
    `d-${String(stream).padStart(3, '0')}-${String(seq).padStart(2, '0')}`;

  beforeAll(async () => {
    if (!mysqlUrl()) throw new Error('This suite runs on MySQL/MariaDB: set DATABASE_URL');
    // Nothing inserted here is due (heads are due next year), so no poller touches these rows.
    t = await createTestApp({ ...DELIVERY_TEST_ENV, WEBHOOK_POLL_INTERVAL_MS: '3600000' });
    const admin = await createUser(t, 'admin');
    webhookId = (
      await createWebhook(t, admin.token, {
        url: 'http://127.0.0.1:9/never',
        ordered: true,
        event_ticket_created: true,
      })
    ).id;
    // Streams k:0 … k:19 of one ordered webhook, 5 deliveries each: the head pending and due later,
    // the rest waiting for their turn (next_attempt_at NULL), as under a burst; and, as after earlier
    // bursts, many delivered ones. (With these, MariaDB 10.11 reads pending rows of a few streams
    // through the due index, not the streams' one, unless told.)
    const deliveries: NewDelivery[] = [];
    const delivery = (
      rowId: string,
      key: string,
      seq: number,
      status: DeliveryStatus,
      due: Date | null,
    ) =>
      deliveries.push({
        id: rowId,
        webhook_id: webhookId,
        event: 'ticket.created',
        event_id: `e-${rowId}`,
        ordering_key: key,
        sequence: seq,
        status,
        next_attempt_at: due,
        locked_until: null,
      });
    const nextYear = new Date('2099-01-01T00:00:00Z');
    for (let n = 0; n < DELIVERED; n++) delivery(`done-${n}`, `old:${n}`, 1, 'succeeded', null);
    for (let s = 0; s < STREAMS; s++)
      for (let q = 1; q <= PER_STREAM; q++)
        delivery(id(s, q), `k:${s}`, q, 'pending', q === 1 ? nextYear : null);
    const m = t.dataSource.manager;
    for (let i = 0; i < deliveries.length; i += 1000) {
      const chunk = deliveries.slice(i, i + 1000);
      const events = chunk.map((d) => [d.event_id, d.event, '{}', true]);
      await insertMany(m, 'webhook_events', ['id', 'name', 'body', 'fanned_out'], events);
      await insertDeliveries(m, chunk);
    }
    await t.dataSource.query('ANALYZE TABLE webhook_deliveries');
  });
  afterAll(() => t.close());

  /** Two transactions at once: `holder` keeps its locks while `other` runs, then both commit. */
  async function whileHeld<T>(
    hold: (holder: QueryRunner) => Promise<unknown>,
    other: (runner: QueryRunner) => Promise<T>,
  ): Promise<T> {
    const holder = t.dataSource.createQueryRunner();
    const runner = t.dataSource.createQueryRunner();
    try {
      await holder.startTransaction();
      await hold(holder);
      // A wait for the holder's locks fails fast instead of passing for slowness.
      await runner.query('SET SESSION innodb_lock_wait_timeout = 2');
      await runner.startTransaction('READ COMMITTED');
      const result = await other(runner);
      await runner.commitTransaction();
      return result;
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await holder.release();
      await runner.release();
    }
  }

  /** Streams k:from … k:(to - 1). */
  const streams = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => ({ webhookId, key: `k:${from + i}` }));

  it("fan-out's locking read of its streams does not wait for a row of another stream being written", async () => {
    const busy = await whileHeld(
      // An outcome being recorded for stream k:0's head.
      (holder) =>
        holder.query("UPDATE webhook_deliveries SET status = 'succeeded' WHERE id = ?", [id(0, 1)]),
      (runner) => pendingStreams(runner.manager, streams(10, 20), false),
    );
    expect([...busy].sort()).toEqual(
      streams(10, 20)
        .map((s) => `${webhookId}/${s.key}`)
        .sort(),
    );
  });

  it("releasing streams' next deliveries does not wait for waiting rows of another stream", async () => {
    const released = await whileHeld(
      // Fan-out's locking read of stream k:0 holds its rows.
      (holder) => pendingStreams(holder.manager, streams(0, 1), false),
      async (runner) => {
        const heads = streams(10, 20).map((_, i) => id(10 + i, 1));
        await runner.query(
          `UPDATE webhook_deliveries SET status = 'succeeded' WHERE id IN (${placeholders(heads.length)})`,
          heads,
        );
        return releaseAfter(
          runner.manager,
          streams(10, 20).map((s) => ({ webhookId, orderingKey: s.key })),
          new Date(),
        );
      },
    );
    const next = streams(10, 20).map((_, i) => id(10 + i, 2));
    expect([...released].sort()).toEqual(next);
    const rows: { n: number | string }[] = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM webhook_deliveries
       WHERE next_attempt_at IS NOT NULL AND id IN (${placeholders(next.length)})`,
      next,
    );
    expect(Number(rows[0].n)).toBe(next.length);
  });
});
