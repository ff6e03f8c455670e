import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { insertMany, placeholders } from '../database/sql';
import { DomainEvent } from '../events/domain-event';
import { Client } from './entities/client.entity';
import { ClientCreatedEvent } from './events/client-created.event';

/** Who a public ticket says it is from: anyone may say anything, so this never changes a client. */
export interface ClientInput {
  client_name: string;
  client_email: string;
}

export type ResolvedClient = Pick<Client, 'id' | 'name' | 'email'>;

/** The client a ticket is for and the events its resolution published (client.created, or none). */
export interface ClientResolution {
  client: ResolvedClient;
  events: DomainEvent[];
}

/**
 * The clients of some emails, as plain SQL in one query: it runs for every ticket created, and
 * TypeORM's `findBy` builds its query anew each time (about 5 % of the request thread's CPU per ticket).
 */
async function findClients(m: EntityManager, emails: string[]): Promise<ResolvedClient[]> {
  return m.query(
    `SELECT id, name, email FROM clients WHERE email IN (${placeholders(emails.length)})`,
    emails,
  );
}

/**
 * MySQL compares emails by the column's collation (`José@…` and `jose@…` are one), the maps of
 * resolveMany exactly. When the query found a client that no input names exactly, each input it could
 * be for is looked up alone, which answers the client the database takes for that email.
 */
async function matchByCollation(
  m: EntityManager,
  emails: string[],
  found: ResolvedClient[],
  idByEmail: Map<string, string>,
): Promise<void> {
  const named = new Set(emails);
  if (found.every((client) => named.has(client.email ?? ''))) return;
  for (const email of named) {
    if (idByEmail.has(email)) continue;
    const [client] = await findClients(m, [email]);
    if (client) idByEmail.set(email, client.id);
  }
}

export function clientEmailOf(input: ClientInput): string {
  return input.client_email.trim().toLowerCase();
}

/**
 * Finds the client a public ticket is for by email, or creates it. A caller proves nothing by naming
 * an email, so an existing client is never changed here: the name given stays on the ticket
 * (`tickets.client_name`), and no `client.updated` goes out.
 */
@Injectable()
export class ClientsService {
  /**
   * The clients of several tickets created together, one resolution per input, in order: a new email
   * met twice makes one client (created by the first). One query finds them all, one INSERT creates
   * the new ones.
   */
  async resolveMany(m: EntityManager, inputs: ClientInput[]): Promise<ClientResolution[]> {
    if (inputs.length === 0) return [];
    const emails = inputs.map(clientEmailOf);
    const byId = new Map<string, ResolvedClient>();
    const idByEmail = new Map<string, string>();
    const found = await findClients(m, [...new Set(emails)]);
    for (const client of found) {
      byId.set(client.id, client);
      if (client.email !== null) idByEmail.set(client.email, client.id);
    }
    await matchByCollation(m, emails, found, idByEmail);
    const created: ResolvedClient[] = [];
    const resolutions = inputs.map((input, i): ClientResolution => {
      const id = idByEmail.get(emails[i]);
      const current = id === undefined ? undefined : byId.get(id);
      if (current) return { client: current, events: [] };
      const client = { id: randomUUID(), name: input.client_name.trim(), email: emails[i] };
      byId.set(client.id, client);
      idByEmail.set(client.email, client.id);
      created.push(client);
      const event = new ClientCreatedEvent({
        client_id: client.id,
        name: client.name,
        email: client.email,
      });
      return { client, events: [event] };
    });
    await this.write(m, created);
    return resolutions;
  }

  /** Plain SQL: TypeORM's save() reads each new row back for its timestamps, one more round trip. */
  private async write(m: EntityManager, created: ResolvedClient[]): Promise<void> {
    const now = new Date();
    await insertMany(
      m,
      'clients',
      ['id', 'name', 'email', 'created_at', 'updated_at'],
      created.map((c) => [c.id, c.name, c.email, now, now]),
    );
  }
}
