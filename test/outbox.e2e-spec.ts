import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { EventOutbox } from '../src/deliveries/outbox/event-outbox';
import { OutcomeRecorder } from '../src/deliveries/outcomes/outcome-recorder';
import { sqlValue } from '../src/database/sql';
import { TransactionService } from '../src/database/transaction.service';
import { GUIDE_TICKET } from './factories/tickets';
import { uniqueEmail } from './factories/users';
import { createWebhook } from './factories/webhooks';
import { Harness, startHarness } from './helpers/harness';
import { eventually } from './helpers/receiver';
import type { TestApp } from './helpers/test-app';

const count = async (t: TestApp, sql: string, params: unknown[] = []) =>
  Number((await t.dataSource.query<{ n: number | string }[]>(sql, params))[0].n);

describe('the event outbox (e2e)', () => {
  let t: Harness;

  beforeAll(async () => {
    // A generous timeout: on a loaded machine a burst must not turn into retries.
    t = await startHarness({ env: { WEBHOOK_TIMEOUT_MS: '15000' } });
  });
  afterAll(() => t.close());

  it('writes each event in the transaction of its change, with the exact body its deliveries send', async () => {
    const hook = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?outbox`,
      event_ticket_created: true,
      event_message_created: true,
    });
    const email = uniqueEmail('outbox');
    const res = await t.http
      .post('/api/client/tickets')
      .send({ ...GUIDE_TICKET, client_email: email })
      .expect(201);
    const ticketId = (res.body as { id: number }).id;
    const events: { id: string; name: string; body: string; key_seq: number | string }[] =
      await t.dataSource.query(
        'SELECT id, name, body, key_seq FROM webhook_events WHERE ordering_key = ? ORDER BY id',
        [`ticket:${ticketId}`],
      );
    expect(events.map((e) => e.name)).toEqual(['ticket.created', 'message.created']);
    for (const e of events) expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    const got = await t.receiver.waitFor(2, (r) => r.path.endsWith('?outbox'));
    for (const r of got) {
      const event = events.find((e) => e.name === r.body.event)!;
      expect(r.raw.toString('utf8')).toBe(event.body);
      expect(String(r.headers['x-webhook-delivery'])).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    }
    // One row per event, however many webhooks; each delivery refers to it.
    const refs = await count(
      t,
      'SELECT COUNT(*) AS n FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.webhook_id = ? AND e.ordering_key = ?',
      [hook.id, `ticket:${ticketId}`],
    );
    expect(refs).toBe(2);
    // Numbered within their key in the order they happened; a later change goes on from there.
    expect(events.map((e) => Number(e.key_seq))).toEqual([1, 2]);
    await t.http
      .post(`/api/client/tickets/${ticketId}/messages`)
      .set('X-Ticket-Secret', (res.body as { secret: string }).secret)
      .send({ body: 'A reply' })
      .expect(201);
    const seqs: { key_seq: number | string }[] = await t.dataSource.query(
      'SELECT key_seq FROM webhook_events WHERE ordering_key = ? ORDER BY id',
      [`ticket:${ticketId}`],
    );
    expect(seqs.map((e) => Number(e.key_seq))).toEqual([1, 2, 3]);
    await t.http
      .patch(`/api/admin/webhooks/${hook.id}`)
      .set('Authorization', `Bearer ${t.admin.token}`)
      .send({ enabled: false });
  });

  it('a failure to record an event fails the request with a 500 and leaves no ticket, message, client or event', async () => {
    const email = uniqueEmail('outbox-fail');
    const record = jest
      .spyOn(t.get(EventOutbox), 'record')
      .mockRejectedValueOnce(new Error('outbox table unavailable'));
    const eventsBefore = await count(t, 'SELECT COUNT(*) AS n FROM webhook_events');
    try {
      const res = await t.http
        .post('/api/client/tickets')
        .send({ ...GUIDE_TICKET, client_email: email });
      expect(res.status).toBe(500);
      expect(
        (res.body as { correlation_id?: string }).correlation_id ?? JSON.stringify(res.body),
      ).toBeTruthy();
      expect(JSON.stringify(res.body)).not.toContain('outbox table unavailable');
      expect(record).toHaveBeenCalled();
    } finally {
      record.mockRestore();
    }
    expect(await count(t, 'SELECT COUNT(*) AS n FROM clients WHERE email = ?', [email])).toBe(0);
    expect(
      await count(
        t,
        'SELECT COUNT(*) AS n FROM tickets t JOIN clients c ON c.id = t.client_id WHERE c.email = ?',
        [email],
      ),
    ).toBe(0);
    expect(
      await count(t, 'SELECT COUNT(*) AS n FROM ticket_messages WHERE body = ?', [
        GUIDE_TICKET.message + email,
      ]),
    ).toBe(0);
    expect(await count(t, 'SELECT COUNT(*) AS n FROM webhook_events')).toBe(eventsBefore);
    // Nothing half-written either: the next request works.
    await t.http
      .post('/api/client/tickets')
      .send({ ...GUIDE_TICKET, client_email: email })
      .expect(201);
  });

  it('requests written together: the one whose event fails is rolled back alone, the others commit with their events', async () => {
    const outbox = t.get(EventOutbox);
    const original = outbox.record.bind(outbox);
    // The first request's event waits until the others have arrived, so that (on SQLite) they queue
    // behind it and are written as one group; one of them fails while recording its event.
    const othersQueued = new Promise<void>((r) => setTimeout(r, 300));
    let first = true;
    const record = jest.spyOn(outbox, 'record').mockImplementation(async (m, event) => {
      if (first) {
        first = false;
        await othersQueued;
      }
      const data = event.data as { title?: string };
      if (data.title === 'Doomed') throw new Error('outbox table unavailable');
      return original(m, event);
    });
    // On SQLite the transaction service writes the requests that wait together as one group.
    const tx = t.get(TransactionService) as unknown as {
      writeGroup(group: unknown[]): Promise<void>;
    };
    const realWriteGroup = tx.writeGroup.bind(tx);
    const groups: number[] = [];
    const writeGroup = jest.spyOn(tx, 'writeGroup').mockImplementation((group) => {
      groups.push(group.length);
      return realWriteGroup(group);
    });
    const eventsBefore = await count(t, 'SELECT COUNT(*) AS n FROM webhook_events');
    const emails = Array.from({ length: 10 }, (_, i) => uniqueEmail(`group-${i}`));
    try {
      const answers = await Promise.all(
        emails.map((email, i) =>
          t.http.post('/api/client/tickets').send({
            ...GUIDE_TICKET,
            title: i === 6 ? 'Doomed' : `Group ${i}`,
            client_email: email,
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(emails.map((_, i) => (i === 6 ? 500 : 201)));
      if (t.dataSource.options.type === 'better-sqlite3')
        // The first request alone, then the nine that waited behind it together.
        expect(groups).toContain(9);
    } finally {
      record.mockRestore();
      writeGroup.mockRestore();
    }
    for (const [i, email] of emails.entries()) {
      const tickets: { id: number }[] = await t.dataSource.query(
        'SELECT t.id FROM tickets t JOIN clients c ON c.id = t.client_id WHERE c.email = ?',
        [email],
      );
      expect(tickets.length).toBe(i === 6 ? 0 : 1);
      expect(await count(t, 'SELECT COUNT(*) AS n FROM clients WHERE email = ?', [email])).toBe(
        i === 6 ? 0 : 1,
      );
      if (i === 6) continue;
      expect(
        await count(t, 'SELECT COUNT(*) AS n FROM webhook_events WHERE ordering_key = ?', [
          `ticket:${tickets[0].id}`,
        ]),
      ).toBe(2);
      expect(
        await count(t, 'SELECT COUNT(*) AS n FROM ticket_messages WHERE ticket_id = ?', [
          tickets[0].id,
        ]),
      ).toBe(1);
    }
    // Nine tickets, each with ticket.created, message.created and its new client's client.created.
    expect(await count(t, 'SELECT COUNT(*) AS n FROM webhook_events')).toBe(eventsBefore + 27);
  });

  it('group commit: a burst of outcomes is written in a few transactions', async () => {
    const hooks: { id: number }[] = [];
    for (let i = 0; i < 5; i++)
      hooks.push(
        await createWebhook(t, t.admin.token, {
          url: `${t.receiver.url}?burst`,
          event_ticket_created: true,
        }),
      );
    const recorder = t.get(OutcomeRecorder);
    await eventually(() => Promise.resolve(recorder.pending === 0));
    const before = recorder.transactions;
    const tickets = 60;
    await Promise.all(
      Array.from({ length: tickets }, () =>
        t.http
          .post('/api/client/tickets')
          .send({ ...GUIDE_TICKET, client_email: uniqueEmail('burst') })
          .expect(201),
      ),
    );
    const expected = tickets * hooks.length;
    await t.receiver.waitFor(expected, (r) => r.path.endsWith('?burst'), 30000);
    await eventually(
      async () =>
        (await count(
          t,
          `SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'succeeded' AND webhook_id IN (${hooks.map((h) => h.id).join(',')})`,
        )) === expected,
    );
    const transactions = recorder.transactions - before;
    console.log(`group commit: ${expected} outcomes written in ${transactions} transactions`);
    expect(transactions).toBeGreaterThan(0);
    expect(transactions).toBeLessThanOrEqual(expected / 4);
    const attempts = await count(
      t,
      `SELECT COUNT(*) AS n FROM webhook_delivery_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.webhook_id IN (${hooks.map((h) => h.id).join(',')})`,
    );
    expect(attempts).toBe(expected);
    for (const h of hooks)
      await t.http
        .patch(`/api/admin/webhooks/${h.id}`)
        .set('Authorization', `Bearer ${t.admin.token}`)
        .send({ enabled: false });
  });

  it('group commit: one batch of different outcomes writes each delivery its own values', async () => {
    const hook = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?mixed`,
      event_user_updated: true,
    });
    const webhook = (await t.dataSource.query('SELECT * FROM webhooks WHERE id = ?', [hook.id]))[0];
    const now = new Date();
    const later = new Date(now.getTime() + 3_600_000);
    // One event each (a webhook has one delivery per event), leased and not due, so that no poll
    // attempts them: the outcomes below are theirs.
    const ids = Array.from({ length: 4 }, () => uuidv7());
    const eventIds = ids.map(() => uuidv7());
    for (const [i, id] of ids.entries()) {
      await t.dataSource.query(
        'INSERT INTO webhook_events (id, name, body, ordering_key, fanned_out, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [
          eventIds[i],
          'user.updated',
          '{"event":"user.updated"}',
          `user:mixed-${i}`,
          1,
          sqlValue(now),
        ],
      );
      await t.dataSource.query(
        'INSERT INTO webhook_deliveries (id, webhook_id, event, event_id, status, next_attempt_at, locked_until, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          id,
          hook.id,
          'user.updated',
          eventIds[i],
          'pending',
          ...[later, later, now, now].map(sqlValue),
        ],
      );
    }
    const at = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const retryAt = new Date(at.getTime() + 60_000);
    const ok = (ms: number) => ({
      success: true,
      status_code: 200,
      response: 'OK',
      error_code: null,
      error: null,
      duration_ms: ms,
      retry_after_ms: null,
    });
    const failed = (status: number, attempt: number) => ({
      success: false,
      status_code: status,
      response: `no ${attempt}`,
      error_code: 'http_status' as const,
      error: `HTTP ${status}`,
      duration_ms: 9,
      retry_after_ms: null,
    });
    const base = { event: 'user.updated', webhook, trigger: 'manual' as const };
    const rows = [
      { attempt: 1, outcome: ok(3), status: 'succeeded', next: null, delivered: at },
      { attempt: 1, outcome: ok(7), status: 'succeeded', next: null, delivered: at },
      { attempt: 2, outcome: failed(500, 2), status: 'pending', next: retryAt, delivered: null },
      { attempt: 5, outcome: failed(503, 5), status: 'failed', next: null, delivered: null },
    ] as const;
    const recorder = t.get(OutcomeRecorder);
    await eventually(() => Promise.resolve(recorder.pending === 0));
    const before = recorder.transactions;
    await Promise.all(
      rows.map((r, i) =>
        recorder.record({
          ...base,
          deliveryId: ids[i],
          eventId: eventIds[i],
          attempt: r.attempt,
          outcome: r.outcome,
          status: r.status,
          nextAttemptAt: r.next,
          deliveredAt: r.delivered,
          stream: null,
          gone: false,
          at,
        }),
      ),
    );
    expect(recorder.transactions - before).toBe(1);
    const written: Record<string, unknown>[] = await t.dataSource.query(
      `SELECT id, attempts, status, success, status_code, response, error, duration_ms, next_attempt_at, delivered_at, locked_until FROM webhook_deliveries WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    const time = (v: unknown) => (v === null ? null : new Date(v as string).getTime());
    for (const [i, r] of rows.entries()) {
      const row = written.find((w) => w.id === ids[i])!;
      expect({
        attempts: Number(row.attempts),
        status: row.status,
        success: Boolean(Number(row.success)),
        status_code: Number(row.status_code),
        response: row.response,
        error: row.error,
        duration_ms: Number(row.duration_ms),
        next_attempt_at: time(row.next_attempt_at),
        delivered_at: time(row.delivered_at),
        locked_until: row.locked_until,
      }).toEqual({
        attempts: r.attempt,
        status: r.status,
        success: r.outcome.success,
        status_code: r.outcome.status_code,
        response: r.outcome.response,
        error: r.outcome.error,
        duration_ms: r.outcome.duration_ms,
        next_attempt_at: time(r.next),
        delivered_at: time(r.delivered),
        locked_until: null,
      });
    }
  });

  it('fans out events recorded but never fanned out (a crash, the CLI) exactly once', async () => {
    const hook = await createWebhook(t, t.admin.token, {
      url: `${t.receiver.url}?late`,
      event_user_created: true,
    });
    const outbox = t.get(EventOutbox);
    const ids: string[] = [];
    await t.dataSource.transaction(async (m) => {
      for (let i = 0; i < 30; i++) {
        const id = uuidv7();
        ids.push(id);
        // As a process that died before its fan-out left it: recorded, committed, not fanned out.
        await m.query(
          'INSERT INTO webhook_events (id, name, body, ordering_key, fanned_out, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          [
            id,
            'user.created',
            JSON.stringify({
              event: 'user.created',
              timestamp: '2024-01-15T10:30:00Z',
              // Shaped like a real user.created (the receiver checks every body against its schema).
              data: {
                user_id: randomUUID(),
                name: `Late ${i}`,
                email: `late-${i}@example.com`,
                role: 'agent',
                status: 'active',
              },
            }),
            `user:late-${i}`,
            0,
            '2024-01-15 10:30:00.000',
          ],
        );
      }
    });
    expect(outbox).toBeDefined();
    const got = await t.receiver.waitFor(30, (r) => r.path.endsWith('?late'), 15000);
    await new Promise((r) => setTimeout(r, 300));
    const seen = t.receiver.requests
      .filter((r) => r.path.endsWith('?late'))
      .map((r) => r.body.data.user_id);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    expect(got.length).toBe(30);
    expect(
      await count(t, `SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = ?`, [
        hook.id,
      ]),
    ).toBe(30);
    expect(
      await count(
        t,
        `SELECT COUNT(*) AS n FROM webhook_events WHERE fanned_out = ? AND id IN (${ids.map(() => '?').join(',')})`,
        [1, ...ids],
      ),
    ).toBe(30);
  });
});
