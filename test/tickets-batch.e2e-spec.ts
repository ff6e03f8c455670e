import { HttpException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { TransactionService } from '../src/database/transaction.service';
import { ClientsService } from '../src/tickets/clients.service';
import { CreateTicketDto } from '../src/tickets/dto/create-ticket.dto';
import { TicketsService } from '../src/tickets/tickets.service';
import { createTicket } from './factories/tickets';
import { uniqueEmail } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

interface EventRow {
  name: string;
  body: string;
  ordering_key: string;
  key_seq: number | string;
}

/**
 * New tickets are written in batches (src/tickets/new-tickets.ts): the tickets asked for while one
 * batch is written make up the next. Requests made in the same tick land in one batch after the
 * first, which starts alone.
 */
describe('new tickets written together (e2e)', () => {
  let t: TestApp;
  let tickets: TicketsService;

  const eventsOf = (key: string): Promise<EventRow[]> =>
    t.dataSource.query(
      'SELECT name, body, ordering_key, key_seq FROM webhook_events WHERE ordering_key = ? ORDER BY key_seq',
      [key],
    );
  const ticket = (title: string, body: Partial<CreateTicketDto>): CreateTicketDto => ({
    title,
    client_name: 'Someone',
    client_email: uniqueEmail('batch'),
    message: `the message of ${title}`,
    ...body,
  });
  /** Each request's ticket, or its error, as the caller sees it. */
  const settle = (inputs: CreateTicketDto[]) =>
    Promise.all(
      inputs.map((input) =>
        tickets.create(input).then(
          (view) => ({ view, error: null }),
          (error: unknown) => ({ view: null, error: error as Error }),
        ),
      ),
    );

  beforeAll(async () => {
    t = await createTestApp();
    tickets = t.get(TicketsService);
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  it('writes each ticket of a batch as if alone: its client, its first message and its events, in order', async () => {
    const annEmail = uniqueEmail('ann');
    const ann = await createTicket(t, { client_name: 'Ann', client_email: annEmail });
    const x = uniqueEmail('x');
    const y = uniqueEmail('y');
    const resolve = jest.spyOn(t.get(ClientsService), 'resolveMany');
    const results = await settle([
      ticket('b0', {}),
      ticket('b1', { client_name: 'Xavier', client_email: x }),
      ticket('b2', { client_name: 'Ann Two', client_email: annEmail }),
      ticket('b3', { client_name: 'Xavier', client_email: `  ${x.toUpperCase()} ` }),
      ticket('b4', { department_id: 999999 }),
      ticket('b5', { client_name: 'Ann Three', client_email: annEmail.toUpperCase() }),
      ticket('b6', { client_name: 'Yvonne', client_email: y }),
      ticket('b7', { client_name: 'Yvonne Two', client_email: y }),
    ]);
    // The first request alone, the seven made meanwhile together (their clients resolved at once, but
    // for b4's: its department is refused first).
    expect(resolve.mock.calls.map(([, inputs]) => inputs.length)).toEqual([1, 6]);

    const refusal = results[4].error as HttpException;
    expect(refusal.getStatus()).toBe(400);
    expect(JSON.stringify(refusal.getResponse())).toContain('department_id');
    const written = [0, 1, 2, 3, 5, 6, 7].map((i) => results[i].view!);
    expect(written.every((view) => view !== null)).toBe(true);
    expect(new Set(written.map((view) => view.id)).size).toBe(7);

    // Each answer is its own row, with its own first message.
    for (const view of written) {
      const [row]: { title: string; client_id: string; client_name: string }[] =
        await t.dataSource.query('SELECT title, client_id, client_name FROM tickets WHERE id = ?', [
          view.id,
        ]);
      expect(row).toEqual({
        title: view.title,
        client_id: view.client_id,
        client_name: view.client_name,
      });
      const messages: { body: string }[] = await t.dataSource.query(
        'SELECT body FROM ticket_messages WHERE ticket_id = ?',
        [view.id],
      );
      expect(messages).toEqual([{ body: `the message of ${view.title}` }]);
    }
    const titles: { n: number | string }[] = await t.dataSource.query(
      "SELECT COUNT(*) AS n FROM tickets WHERE title = 'b4'",
    );
    expect(Number(titles[0].n)).toBe(0);

    // One client per email met twice, created by the first; Ann never renamed, her tickets keep the
    // names they were opened under.
    const [b1, b2, b3, b5, b6, b7] = [1, 2, 3, 5, 6, 7].map((i) => results[i].view!);
    expect(b3.client_id).toBe(b1.client_id);
    expect(b7.client_id).toBe(b6.client_id);
    expect([b2.client_id, b5.client_id]).toEqual([ann.client_id, ann.client_id]);
    expect([b2.client_name, b5.client_name, b7.client_name]).toEqual([
      'Ann Two',
      'Ann Three',
      'Yvonne Two',
    ]);
    for (const id of [b1.client_id, b6.client_id, ann.client_id]) {
      const clientEvents = await eventsOf(`client:${id}`);
      expect(clientEvents.map((e) => [e.name, Number(e.key_seq)])).toEqual([['client.created', 1]]);
    }
    const names: { id: string; name: string }[] = await t.dataSource.query(
      'SELECT id, name FROM clients WHERE id IN (?, ?)',
      [ann.client_id, b6.client_id],
    );
    expect(Object.fromEntries(names.map((c) => [c.id, c.name]))).toEqual({
      [ann.client_id]: 'Ann',
      [b6.client_id]: 'Yvonne',
    });

    // Each ticket's key: ticket.created, then its first message, numbered from 1.
    for (const view of written) {
      const events = await eventsOf(`ticket:${view.id}`);
      expect(events.map((e) => [e.name, Number(e.key_seq)])).toEqual([
        ['ticket.created', 1],
        ['message.created', 2],
      ]);
      const [created, message] = events.map((e) => JSON.parse(e.body).data);
      expect(created).toMatchObject({ ticket_id: view.id, title: view.title, status: view.status });
      expect(message).toMatchObject({ ticket_id: view.id, body: `the message of ${view.title}` });
    }

    // The key's counter goes on from there.
    await tickets.update(b1.id, { priority: 'high' });
    const after = await eventsOf(`ticket:${b1.id}`);
    expect(after.map((e) => [e.name, Number(e.key_seq)])).toEqual([
      ['ticket.created', 1],
      ['message.created', 2],
      ['ticket.updated', 3],
    ]);
  });

  it('finds a client by email as the database compares emails, in a batch as alone', async () => {
    // MySQL's collation takes `andré-…` and `andre-…` for one email; SQLite compares them exactly.
    const mysql = t.dataSource.options.type === 'mysql';
    const unique = uniqueEmail('accent');
    const first = await createTicket(t, { client_email: `andré-${unique}` });
    const resolve = jest.spyOn(t.get(ClientsService), 'resolveMany');
    const results = await settle([
      ticket('a0', {}),
      ticket('a1', { client_email: `andre-${unique}` }),
      ticket('a2', {}),
    ]);
    expect(results.map((r) => r.error)).toEqual([null, null, null]);
    // One batch after the lone first request: no duplicate client to retry, no ticket written alone.
    expect(resolve.mock.calls.map(([, inputs]) => inputs.length)).toEqual([1, 2]);
    if (mysql) expect(results[1].view!.client_id).toBe(first.client_id);
    else expect(results[1].view!.client_id).not.toBe(first.client_id);
  });

  /**
   * Makes the second foreground transaction (the second batch) fail with `error` instead of running;
   * answers how many foreground transactions were asked for.
   */
  const failSecondBatch = (error: Error): (() => number) => {
    const tx = t.get(TransactionService);
    const run = tx.run.bind(tx);
    let foreground = 0;
    jest.spyOn(tx, 'run').mockImplementation((work, priority) => {
      if (priority === 'background') return run(work, priority);
      foreground++;
      return foreground === 2 ? Promise.reject(error) : run(work, priority);
    });
    return () => foreground;
  };

  it('writes each ticket alone again when its batch fails before the commit', async () => {
    // A statement of the batch of three fails (say, a deadlock after its retries).
    const transactions = failSecondBatch(
      new QueryFailedError('INSERT INTO tickets …', [], new Error('Deadlock found')),
    );
    const results = await settle(['r0', 'r1', 'r2', 'r3'].map((title) => ticket(title, {})));
    expect(results.map((r) => r.error)).toEqual([null, null, null, null]);
    expect(transactions()).toBe(5);
    const rows: { title: string }[] = await t.dataSource.query(
      "SELECT title FROM tickets WHERE title IN ('r0', 'r1', 'r2', 'r3') ORDER BY title",
    );
    expect(rows.map((r) => r.title)).toEqual(['r0', 'r1', 'r2', 'r3']);
  });

  it('does not write a batch again when its COMMIT failed: it may have been written', async () => {
    const transactions = failSecondBatch(
      new QueryFailedError('COMMIT', [], new Error('Connection lost')),
    );
    const results = await settle(['c0', 'c1', 'c2'].map((title) => ticket(title, {})));
    expect(results[0].error).toBeNull();
    expect(results.slice(1).map((r) => r.error?.message)).toEqual([
      'Connection lost',
      'Connection lost',
    ]);
    expect(transactions()).toBe(2);
  });
});
