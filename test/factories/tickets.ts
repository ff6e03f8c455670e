import type { TestApp } from '../helpers/test-app';
import { uniqueEmail } from './users';

/** The usage guide's step 3 body. */
export const GUIDE_TICKET = {
  title: 'Test Ticket',
  client_name: 'John Doe',
  client_email: 'john@example.com',
  status: 'new',
  priority: 'medium',
  message: 'This is a test ticket',
};

export interface CreatedTicket {
  id: number;
  secret: string;
  /** Read from the database: the public answer does not carry it. */
  client_id: string;
  status: string;
  updated_at: string;
}

/** Opens a ticket through the public API, for a client of its own unless the body says otherwise. */
export async function createTicket(
  t: TestApp,
  body: Record<string, unknown> = {},
): Promise<CreatedTicket> {
  const res = await t.http
    .post('/api/client/tickets')
    .send({ ...GUIDE_TICKET, client_email: uniqueEmail('client'), ...body });
  if (res.status !== 201)
    throw new Error(`create ticket: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    ...(res.body as Omit<CreatedTicket, 'client_id'>),
    client_id: await clientIdOf(t, res.body.id),
  };
}

/** The public API never answers a client's id: tests read it from the ticket's row. */
export async function clientIdOf(t: TestApp, ticketId: number): Promise<string> {
  const rows: { client_id: string }[] = await t.dataSource.query(
    'SELECT client_id FROM tickets WHERE id = ?',
    [ticketId],
  );
  return rows[0].client_id;
}
