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
  return res.body as CreatedTicket;
}
