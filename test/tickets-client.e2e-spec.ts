import { bearer, createUser, TestUser, uniqueEmail } from './factories/users';
import { createTicket, GUIDE_TICKET } from './factories/tickets';
import { createTestApp, TestApp } from './helpers/test-app';

describe('client tickets API (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, 'admin');
  });
  afterAll(() => t.close());

  it("creates a ticket from the usage guide's curl body, stores its fields and a one-time secret", async () => {
    const res = await t.http
      .post('/api/client/tickets')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(GUIDE_TICKET))
      .expect(201);
    expect(res.body).toEqual(
      expect.objectContaining({
        id: expect.any(Number),
        title: 'Test Ticket',
        status: 'new',
        priority: 'medium',
        channel_id: 'web',
        department_id: null,
        client_name: 'John Doe',
        secret: expect.stringMatching(/^[\w-]{32}$/),
      }),
    );
    expect(res.body.secret_hash).toBeUndefined();
    expect(res.body.client_id).toBeUndefined();
    expect(res.body).not.toHaveProperty('assigned_user_id');
    const rows: { title: string; status: string; priority: string; secret_hash: string }[] =
      await t.dataSource.query(
        'SELECT title, status, priority, secret_hash FROM tickets WHERE id = ?',
        [res.body.id],
      );
    expect(rows[0]).toEqual(
      expect.objectContaining({ title: 'Test Ticket', status: 'new', priority: 'medium' }),
    );
    expect(rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].secret_hash).not.toBe(res.body.secret);
    const messages: { body: string; author_type: string }[] = await t.dataSource.query(
      'SELECT body, author_type FROM ticket_messages WHERE ticket_id = ?',
      [res.body.id],
    );
    expect(messages).toEqual([{ body: 'This is a test ticket', author_type: 'client' }]);
  });

  it('creates a client once per email (case-insensitive) and applies the defaults', async () => {
    const email = uniqueEmail('Once');
    const first = await createTicket(t, {
      client_email: email,
      title: undefined,
      status: undefined,
      priority: undefined,
      message: 'First line\nsecond line',
    });
    const second = await createTicket(t, { client_email: email.toUpperCase() });
    expect(second.client_id).toBe(first.client_id);
    const clients: { n: number | string }[] = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM clients WHERE email = ?',
      [email.toLowerCase()],
    );
    expect(Number(clients[0].n)).toBe(1);
    const ticket = await t.http
      .get(`/api/agent/tickets/${first.id}`)
      .set(bearer(admin.token))
      .expect(200);
    expect(ticket.body).toEqual(
      expect.objectContaining({ title: 'First line', status: 'new', priority: 'medium' }),
    );
  });

  it("makes one client, with its timestamps and one client.created, from a new email's first tickets sent at once", async () => {
    const email = uniqueEmail('Race').toLowerCase();
    const tickets = await Promise.all(
      Array.from({ length: 6 }, () => createTicket(t, { client_email: email })),
    );
    const clients: { id: string; name: string; created_at: Date | string }[] =
      await t.dataSource.query('SELECT id, name, created_at FROM clients WHERE email = ?', [email]);
    expect(clients).toHaveLength(1);
    expect(new Set(tickets.map((ticket) => ticket.client_id))).toEqual(new Set([clients[0].id]));
    expect(clients[0].name).toBe(GUIDE_TICKET.client_name);
    expect(clients[0].created_at).not.toBeNull();
    const created: { n: number | string }[] = await t.dataSource.query(
      "SELECT COUNT(*) AS n FROM webhook_events WHERE name = 'client.created' AND ordering_key = ?",
      [`client:${clients[0].id}`],
    );
    expect(Number(created[0].n)).toBe(1);
  });

  it("defaults the title to the message's first line cut to 80 characters, else 'Untitled ticket'", async () => {
    const long = await createTicket(t, { title: undefined, message: `${'A'.repeat(100)}\nmore` });
    const blank = await createTicket(t, { title: '   ', message: ' \n ' });
    const titles: { id: number; title: string }[] = await t.dataSource.query(
      'SELECT id, title FROM tickets WHERE id IN (?, ?) ORDER BY id',
      [long.id, blank.id],
    );
    expect(titles).toEqual([
      { id: long.id, title: `${'A'.repeat(79)}…` },
      { id: blank.id, title: 'Untitled ticket' },
    ]);
    expect([...titles[0].title]).toHaveLength(80);
  });

  it('accepts a department', async () => {
    const dept = await t.http
      .post('/api/admin/departments')
      .set(bearer(admin.token))
      .send({ name: `Dept ${uniqueEmail()}` })
      .expect(201);
    const ticket = await createTicket(t, { department_id: dept.body.id });
    const [row]: { department_id: number }[] = await t.dataSource.query(
      'SELECT department_id FROM tickets WHERE id = ?',
      [ticket.id],
    );
    expect(Number(row.department_id)).toBe(dept.body.id);
  });

  it('never changes an existing client: another name stays on the ticket, no client.updated, no client id answered', async () => {
    const email = uniqueEmail('victim');
    const victim = await createTicket(t, { client_email: email, client_name: 'Victoria Real' });
    const attack = await t.http
      .post('/api/client/tickets')
      .send({ ...GUIDE_TICKET, client_email: email.toUpperCase(), client_name: 'Mallory' })
      .expect(201);
    expect(JSON.stringify(attack.body)).not.toContain(victim.client_id);
    expect(attack.body.client_name).toBe('Mallory');
    const clients: { name: string; updated_at: unknown; created_at: unknown }[] =
      await t.dataSource.query('SELECT name, created_at, updated_at FROM clients WHERE id = ?', [
        victim.client_id,
      ]);
    expect(clients).toEqual([expect.objectContaining({ name: 'Victoria Real' })]);
    const updated: { n: number | string }[] = await t.dataSource.query(
      "SELECT COUNT(*) AS n FROM webhook_events WHERE name = 'client.updated' AND ordering_key = ?",
      [`client:${victim.client_id}`],
    );
    expect(Number(updated[0].n)).toBe(0);
    // The attacker's ticket shows the name it was opened under, never the client's record.
    const read = await t.http
      .get(`/api/client/tickets/${attack.body.id}`)
      .set('X-Ticket-Secret', attack.body.secret)
      .expect(200);
    expect(read.body.client).toEqual({ name: 'Mallory', email: email.toLowerCase() });
    expect(JSON.stringify(read.body)).not.toContain(victim.client_id);
    expect(JSON.stringify(read.body)).not.toContain('Victoria Real');
    // Agents see both tickets on her record, each under the name it was opened with.
    const agentView = await t.http
      .get('/api/agent/tickets')
      .query({ client_id: victim.client_id })
      .set(bearer(admin.token))
      .expect(200);
    expect(
      agentView.body.data.map((x: { id: number; client_name: string }) => [x.id, x.client_name]),
    ).toEqual([
      [attack.body.id, 'Mallory'],
      [victim.id, 'Victoria Real'],
    ]);
  });

  it("refuses client_id, even a known client's, with a 400 naming it, storing nothing", async () => {
    const victim = await createTicket(t);
    const before: { n: number | string }[] = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM tickets WHERE client_id = ?',
      [victim.client_id],
    );
    for (const body of [
      { client_id: victim.client_id, message: 'As her' },
      { ...GUIDE_TICKET, client_id: victim.client_id },
    ]) {
      const res = await t.http.post('/api/client/tickets').send(body).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain('client_id');
    }
    const after: { n: number | string }[] = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM tickets WHERE client_id = ?',
      [victim.client_id],
    );
    expect(Number(after[0].n)).toBe(Number(before[0].n));
  });

  it.each(['closed', 'spam', 'in_progress', 'resolved'])(
    "refuses status '%s' from an anonymous caller with a 400 naming status",
    async (status) => {
      const res = await t.http
        .post('/api/client/tickets')
        .send({ ...GUIDE_TICKET, client_email: uniqueEmail(), status })
        .expect(400);
      expect(res.body.details).toEqual([
        {
          field: 'status',
          errors: ['status must be new: a ticket opened here starts as new (agents change it)'],
        },
      ]);
    },
  );

  it.each([
    ['an unknown status', { status: 'done' }, 'status'],
    ['an unknown priority', { priority: 'critical' }, 'priority'],
    ['a missing client', { client_name: undefined, client_email: undefined }, 'client_email'],
    ['a missing client name', { client_name: undefined }, 'client_name'],
    ['a bad email', { client_email: 'not-an-email' }, 'client_email'],
    ['a title over 255 characters', { title: 'x'.repeat(256) }, 'title'],
    ['a client uuid', { client_id: '00000000-0000-4000-8000-000000000000' }, 'client_id'],
    ['an unknown department', { department_id: 999999 }, 'department_id'],
    ['a department id past 32 bits', { department_id: 2 ** 31 }, 'department_id'],
    ['a department that is not a number', { department_id: 'sales' }, 'department_id'],
    ['a missing message', { message: undefined }, 'message'],
    ['an unknown field', { urgency: 'high' }, 'urgency'],
  ])('refuses %s with a 400 naming the field, storing nothing', async (_label, patch, field) => {
    const before: { n: number | string }[] = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM tickets',
    );
    const res = await t.http
      .post('/api/client/tickets')
      .send({ ...GUIDE_TICKET, client_email: uniqueEmail(), ...patch })
      .expect(400);
    expect(res.body.message).toContain(field);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    const after: { n: number | string }[] = await t.dataSource.query(
      'SELECT COUNT(*) AS n FROM tickets',
    );
    expect(Number(after[0].n)).toBe(Number(before[0].n));
  });

  describe('follow-ups with X-Ticket-Secret', () => {
    it('reads the ticket with its messages, replies and closes with the secret', async () => {
      const ticket = await createTicket(t);
      const headers = { 'X-Ticket-Secret': ticket.secret };
      const read = await t.http.get(`/api/client/tickets/${ticket.id}`).set(headers).expect(200);
      expect(Object.keys(read.body).sort()).toEqual([
        'channel_id',
        'client',
        'client_name',
        'closed_at',
        'created_at',
        'department_id',
        'id',
        'messages',
        'priority',
        'status',
        'title',
        'updated_at',
      ]);
      expect(read.body.messages).toEqual([
        {
          id: expect.any(Number),
          ticket_id: ticket.id,
          author_type: 'client',
          body: 'This is a test ticket',
          created_at: expect.any(String),
        },
      ]);
      expect(read.body.client).toEqual({
        name: 'John Doe',
        email: expect.stringMatching(/^client-.*@example\.com$/),
      });
      const reply = await t.http
        .post(`/api/client/tickets/${ticket.id}/messages`)
        .set(headers)
        .send({ body: 'Any news?' })
        .expect(201);
      expect(reply.body).toEqual(
        expect.objectContaining({ ticket_id: ticket.id, author_type: 'client', body: 'Any news?' }),
      );
      expect(reply.body.author_id).toBeUndefined();
      // An agent takes it and answers: the client sees the answer, never the agent's id.
      await t.http
        .post(`/api/agent/tickets/${ticket.id}/assign`)
        .set(bearer(admin.token))
        .send({ user_id: admin.id })
        .expect(200);
      await t.http
        .post(`/api/agent/tickets/${ticket.id}/messages`)
        .set(bearer(admin.token))
        .send({ body: 'On it.' })
        .expect(201);
      const again = await t.http.get(`/api/client/tickets/${ticket.id}`).set(headers).expect(200);
      expect(
        again.body.messages.map((m: { author_type: string; body: string }) => [
          m.author_type,
          m.body,
        ]),
      ).toEqual([
        ['client', 'This is a test ticket'],
        ['client', 'Any news?'],
        ['user', 'On it.'],
      ]);
      expect(JSON.stringify(again.body)).not.toContain(admin.id);
      const closed = await t.http
        .post(`/api/client/tickets/${ticket.id}/close`)
        .set(headers)
        .expect(200);
      expect(closed.body).toEqual(
        expect.objectContaining({ status: 'closed', closed_at: expect.any(String) }),
      );
      expect(closed.body.client_id).toBeUndefined();
    });

    it('answers a wrong or missing secret exactly like a ticket that does not exist', async () => {
      const ticket = await createTicket(t);
      const missing = await t.http.get(`/api/client/tickets/${ticket.id}`).expect(404);
      const wrong = await t.http
        .get(`/api/client/tickets/${ticket.id}`)
        .set('X-Ticket-Secret', 'guess')
        .expect(404);
      const other = await createTicket(t);
      const crossed = await t.http
        .get(`/api/client/tickets/${ticket.id}`)
        .set('X-Ticket-Secret', other.secret)
        .expect(404);
      const none = await t.http
        .get('/api/client/tickets/99999999')
        .set('X-Ticket-Secret', ticket.secret)
        .expect(404);
      expect(missing.body.message).toBe(`Ticket ${ticket.id} not found`);
      expect(wrong.body).toEqual(missing.body);
      expect(crossed.body).toEqual(missing.body);
      expect(none.body.message).toBe('Ticket 99999999 not found');
      await t.http
        .post(`/api/client/tickets/${ticket.id}/messages`)
        .set('X-Ticket-Secret', 'guess')
        .send({ body: 'x' })
        .expect(404);
      await t.http.post(`/api/client/tickets/${ticket.id}/close`).expect(404);
      const rows: { status: string }[] = await t.dataSource.query(
        'SELECT status FROM tickets WHERE id = ?',
        [ticket.id],
      );
      expect(rows[0].status).toBe('new');
    });
  });
});
