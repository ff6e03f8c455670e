import { DepartmentsService } from '../src/departments/departments.service';
import { Ticket } from '../src/tickets/entities/ticket.entity';
import { TicketsService } from '../src/tickets/tickets.service';
import { EntityManager } from 'typeorm';
import { clientIdOf, createTicket, GUIDE_TICKET } from './factories/tickets';
import { bearer, createUser, TestUser, uniqueEmail } from './factories/users';
import { recordEvents } from './helpers/events';
import { createTestApp, TestApp } from './helpers/test-app';

const RFC3339 = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

/** An API timestamp as events carry it: RFC 3339 UTC, whole seconds. */
function toWholeSeconds(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

describe('ticket domain events (e2e)', () => {
  let t: TestApp;
  let agent: TestUser;
  let events: ReturnType<typeof recordEvents>;

  beforeAll(async () => {
    t = await createTestApp();
    agent = await createUser(t, 'agent');
    events = recordEvents(t);
  });
  afterAll(async () => {
    events.stop();
    await t.close();
  });
  beforeEach(() => events.take());

  const as = () => bearer(agent.token);

  it('a first ticket emits client.created, ticket.created and message.created with the table data', async () => {
    const email = uniqueEmail('ev');
    const res = await t.http
      .post('/api/client/tickets')
      .send({ ...GUIDE_TICKET, client_email: email })
      .expect(201);
    const got = await events.take();
    const clientId = await clientIdOf(t, res.body.id);
    expect(got.map((e) => e.name)).toEqual(['client.created', 'ticket.created', 'message.created']);
    expect(got[0].data).toEqual({ client_id: clientId, name: 'John Doe', email });
    expect(got[1].data).toEqual({
      ticket_id: res.body.id,
      title: 'Test Ticket',
      client_id: clientId,
      department_id: null,
      channel_id: 'web',
      status: 'new',
      priority: 'medium',
    });
    expect(got[2].data).toEqual({
      message_id: expect.any(Number),
      ticket_id: res.body.id,
      author_type: 'client',
      author_id: clientId,
      body: 'This is a test ticket',
      created_at: RFC3339,
    });
  });

  it('a known client under another name emits nothing for the client: the public API never renames one', async () => {
    const email = uniqueEmail('ev');
    await createTicket(t, { client_email: email, client_name: 'Ann' });
    await events.take();
    await createTicket(t, { client_email: email, client_name: 'Ann' });
    expect((await events.take()).map((e) => e.name)).toEqual(['ticket.created', 'message.created']);
    const other = await createTicket(t, { client_email: email, client_name: 'Mallory' });
    expect((await events.take()).map((e) => e.name)).toEqual(['ticket.created', 'message.created']);
    const [client]: { name: string }[] = await t.dataSource.query(
      'SELECT name FROM clients WHERE id = ?',
      [other.client_id],
    );
    expect(client.name).toBe('Ann');
  });

  it('a status change emits ticket.updated then ticket.status_changed with the true old and new status', async () => {
    const ticket = await createTicket(t);
    await events.take();
    await t.http
      .patch(`/api/agent/tickets/${ticket.id}`)
      .set(as())
      .send({ status: 'in_progress', priority: 'high' })
      .expect(200);
    const got = await events.take();
    expect(got.map((e) => e.name)).toEqual(['ticket.updated', 'ticket.status_changed']);
    expect(got[0].data).toEqual(
      expect.objectContaining({
        ticket_id: ticket.id,
        status: 'in_progress',
        priority: 'high',
        changes: {
          status: { old: 'new', new: 'in_progress' },
          priority: { old: 'medium', new: 'high' },
        },
      }),
    );
    expect(got[1].data).toEqual({
      ticket_id: ticket.id,
      old_status: 'new',
      new_status: 'in_progress',
    });
  });

  it('a change without a status change emits only ticket.updated, with the whole table data', async () => {
    const ticket = await createTicket(t);
    const dept = await t.get(DepartmentsService).create({ name: `Events ${uniqueEmail()}` });
    await events.take();
    await t.http
      .patch(`/api/agent/tickets/${ticket.id}`)
      .set(as())
      .send({ title: '  Cannot log in  ', priority: 'urgent', department_id: dept.id })
      .expect(200);
    const got = await events.take();
    expect(got).toEqual([
      {
        name: 'ticket.updated',
        data: {
          ticket_id: ticket.id,
          title: 'Cannot log in',
          status: 'new',
          priority: 'urgent',
          department_id: dept.id,
          assigned_user_id: null,
          changes: {
            title: { old: 'Test Ticket', new: 'Cannot log in' },
            priority: { old: 'medium', new: 'urgent' },
            department_id: { old: null, new: dept.id },
          },
        },
      },
    ]);
    const blank = await t.http
      .patch(`/api/agent/tickets/${ticket.id}`)
      .set(as())
      .send({ title: '   ' })
      .expect(400);
    expect(blank.body.details[0].field).toBe('title');
    expect(await events.take()).toEqual([]);
  });

  it('PATCH to closed emits the three closing events; PATCH back reopens with closed_at cleared', async () => {
    const ticket = await createTicket(t);
    await t.http
      .patch(`/api/agent/tickets/${ticket.id}`)
      .set(as())
      .send({ status: 'in_progress' })
      .expect(200);
    await events.take();
    const closed = await t.http
      .patch(`/api/agent/tickets/${ticket.id}`)
      .set(as())
      .send({ status: 'closed' })
      .expect(200);
    let got = await events.take();
    const closedAt = toWholeSeconds(closed.body.closed_at as string);
    expect(got).toEqual([
      {
        name: 'ticket.updated',
        data: expect.objectContaining({
          ticket_id: ticket.id,
          status: 'closed',
          changes: {
            status: { old: 'in_progress', new: 'closed' },
            closed_at: { old: null, new: closedAt },
          },
        }),
      },
      {
        name: 'ticket.status_changed',
        data: { ticket_id: ticket.id, old_status: 'in_progress', new_status: 'closed' },
      },
      { name: 'ticket.closed', data: { ticket_id: ticket.id, closed_at: closedAt } },
    ]);
    await t.http
      .patch(`/api/agent/tickets/${ticket.id}`)
      .set(as())
      .send({ status: 'wait_for_agent' })
      .expect(200);
    got = await events.take();
    expect(got.map((e) => e.name)).toEqual(['ticket.updated', 'ticket.status_changed']);
    expect(got[0].data.changes).toEqual({
      status: { old: 'closed', new: 'wait_for_agent' },
      closed_at: { old: closedAt, new: null },
    });
    expect(got[1].data).toEqual({
      ticket_id: ticket.id,
      old_status: 'closed',
      new_status: 'wait_for_agent',
    });
  });

  it('closing emits ticket.updated, ticket.status_changed and ticket.closed; closing again emits nothing', async () => {
    const ticket = await createTicket(t);
    await t.http
      .patch(`/api/agent/tickets/${ticket.id}`)
      .set(as())
      .send({ status: 'wait_for_user' })
      .expect(200);
    await events.take();
    const closed = await t.http.post(`/api/agent/tickets/${ticket.id}/close`).set(as()).expect(200);
    const got = await events.take();
    expect(got.map((e) => e.name)).toEqual([
      'ticket.updated',
      'ticket.status_changed',
      'ticket.closed',
    ]);
    expect(got[0].data.changes).toEqual({
      status: { old: 'wait_for_user', new: 'closed' },
      closed_at: { old: null, new: RFC3339 },
    });
    expect(got[1].data).toEqual({
      ticket_id: ticket.id,
      old_status: 'wait_for_user',
      new_status: 'closed',
    });
    expect(got[2].data).toEqual({ ticket_id: ticket.id, closed_at: RFC3339 });
    expect(new Date(got[2].data.closed_at as string).getTime()).toBe(
      Math.floor(new Date(closed.body.closed_at).getTime() / 1000) * 1000,
    );

    await t.http.post(`/api/agent/tickets/${ticket.id}/close`).set(as()).expect(200);
    await t.http
      .post(`/api/client/tickets/${ticket.id}/close`)
      .set('X-Ticket-Secret', ticket.secret)
      .expect(200);
    expect(await events.take()).toEqual([]);
  });

  it('a client closing emits the same three events', async () => {
    const ticket = await createTicket(t);
    await events.take();
    await t.http
      .post(`/api/client/tickets/${ticket.id}/close`)
      .set('X-Ticket-Secret', ticket.secret)
      .expect(200);
    expect((await events.take()).map((e) => e.name)).toEqual([
      'ticket.updated',
      'ticket.status_changed',
      'ticket.closed',
    ]);
  });

  it('assigning emits ticket.updated and ticket.assigned with the previous user; the same user again emits nothing', async () => {
    const ticket = await createTicket(t);
    const other = await createUser(t, 'agent');
    await events.take();
    await t.http
      .post(`/api/agent/tickets/${ticket.id}/assign`)
      .set(as())
      .send({ user_id: agent.id })
      .expect(200);
    let got = await events.take();
    expect(got.map((e) => e.name)).toEqual(['ticket.updated', 'ticket.assigned']);
    expect(got[0].data.changes).toEqual({ assigned_user_id: { old: null, new: agent.id } });
    expect(got[1].data).toEqual({
      ticket_id: ticket.id,
      user_id: agent.id,
      previous_user_id: null,
    });
    await t.http
      .post(`/api/agent/tickets/${ticket.id}/assign`)
      .set(as())
      .send({ user_id: agent.id })
      .expect(200);
    expect(await events.take()).toEqual([]);
    await t.http
      .post(`/api/agent/tickets/${ticket.id}/assign`)
      .set(as())
      .send({ user_id: other.id })
      .expect(200);
    got = await events.take();
    expect(got[1].data).toEqual({
      ticket_id: ticket.id,
      user_id: other.id,
      previous_user_id: agent.id,
    });
    await t.http
      .post(`/api/agent/tickets/${ticket.id}/assign`)
      .set(as())
      .send({ user_id: null })
      .expect(200);
    got = await events.take();
    expect(got[1].data).toEqual({
      ticket_id: ticket.id,
      user_id: null,
      previous_user_id: other.id,
    });
  });

  it('messages emit message.created for clients and agents', async () => {
    const ticket = await createTicket(t);
    await events.take();
    await t.http
      .post(`/api/client/tickets/${ticket.id}/messages`)
      .set('X-Ticket-Secret', ticket.secret)
      .send({ body: 'Hello <b>&</b> 🎉' })
      .expect(201);
    await t.http
      .post(`/api/agent/tickets/${ticket.id}/messages`)
      .set(as())
      .send({ body: 'Hi' })
      .expect(201);
    const got = await events.take();
    expect(got.map((e) => [e.name, e.data.author_type, e.data.author_id, e.data.body])).toEqual([
      ['message.created', 'client', ticket.client_id, 'Hello <b>&</b> 🎉'],
      ['message.created', 'user', agent.id, 'Hi'],
    ]);
  });

  it('emits nothing for a request that fails or changes nothing', async () => {
    const ticket = await createTicket(t);
    await events.take();
    await t.http
      .post('/api/client/tickets')
      .send({ ...GUIDE_TICKET, status: 'bogus' })
      .expect(400);
    await t.http
      .post('/api/client/tickets')
      .send({ ...GUIDE_TICKET, client_email: uniqueEmail(), department_id: 999999 })
      .expect(400);
    await t.http
      .patch(`/api/agent/tickets/${ticket.id}`)
      .set(as())
      .send({ status: 'new', priority: 'medium', title: 'Test Ticket' })
      .expect(200);
    await t.http.patch(`/api/agent/tickets/${ticket.id}`).set(as()).send({}).expect(200);
    await t.http
      .post(`/api/agent/tickets/${ticket.id}/assign`)
      .set(as())
      .send({ user_id: '00000000-0000-4000-8000-000000000000' })
      .expect(400);
    await t.http
      .post(`/api/client/tickets/${ticket.id}/messages`)
      .set('X-Ticket-Secret', 'wrong')
      .send({ body: 'x' })
      .expect(404);
    expect(await events.take()).toEqual([]);
  });

  it('a change rolled back inside its transaction emits nothing and leaves no row', async () => {
    const ticket = await createTicket(t);
    await events.take();
    const originalUpdate = EntityManager.prototype.update;
    const update = jest
      .spyOn(EntityManager.prototype, 'update')
      .mockImplementationOnce(async function (this: EntityManager, ...args) {
        await Reflect.apply(originalUpdate, this, args);
        throw new Error('disk full after the write');
      });
    try {
      await expect(
        t.get(TicketsService).update(ticket.id, { status: 'in_progress' }),
      ).rejects.toThrow('disk full');
    } finally {
      update.mockRestore();
    }
    const row = await t.dataSource.getRepository(Ticket).findOneByOrFail({ id: ticket.id });
    expect(row.status).toBe('new');

    const email = uniqueEmail('rollback');
    const ticketCount = async () =>
      Number(
        (await t.dataSource.query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM tickets'))[0]
          .n,
      );
    const ticketsBefore = await ticketCount();
    const originalQuery = EntityManager.prototype.query;
    const written: string[] = [];
    const query = jest.spyOn(EntityManager.prototype, 'query').mockImplementation(function (
      this: EntityManager,
      ...args: unknown[]
    ) {
      const sql = String(args[0]);
      const table = /^INSERT INTO (\w+)/.exec(sql)?.[1];
      if (table) written.push(table);
      // A new client's ticket writes the client, the ticket, then its first message: fail at the message.
      if (table === 'ticket_messages')
        return Promise.reject(new Error('message store unavailable'));
      return Reflect.apply(originalQuery, this, args) as Promise<unknown>;
    });
    try {
      const res = await t.http
        .post('/api/client/tickets')
        .send({ ...GUIDE_TICKET, client_email: email });
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toContain('message store unavailable');
    } finally {
      query.mockRestore();
    }
    // The ticket was written before the message failed, and rolled back with it.
    expect(written).toContain('tickets');
    expect(written).toContain('ticket_messages');
    expect(await events.take()).toEqual([]);
    const clients: { n: number | string }[] = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM clients WHERE email = ?',
      [email],
    );
    expect(Number(clients[0].n)).toBe(0);
    expect(await ticketCount()).toBe(ticketsBefore);
  });
});
