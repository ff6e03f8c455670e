import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { fieldError } from '../common/validation';
import { insertMany, placeholders } from '../database/sql';
import { DomainEvent } from '../events/domain-event';
import { diff } from '../events/event-catalog';
import { Client } from './entities/client.entity';
import { ClientCreatedEvent } from './events/client-created.event';
import { ClientUpdatedEvent } from './events/client-updated.event';

export interface ClientInput {
  client_id?: string;
  client_name?: string;
  client_email?: string;
}

export type ResolvedClient = Pick<Client, 'id' | 'name' | 'email'>;

/** The client a ticket is for and the events its resolution published, or why there is none. */
export type ClientResolution =
  | { client: ResolvedClient; events: DomainEvent[]; error?: never }
  | { error: Error; client?: never; events?: never };

/**
 * The clients of some inputs, by id or by email, as plain SQL in one query: it runs for every ticket
 * created, and TypeORM's `findBy` builds its query anew each time (about 5 % of the request thread's
 * CPU per ticket).
 */
async function findClients(m: EntityManager, inputs: ClientInput[]): Promise<ResolvedClient[]> {
  const ids = inputs.flatMap((input) => (input.client_id === undefined ? [] : [input.client_id]));
  const emails = inputs.flatMap((input) => (input.client_id === undefined ? [emailOf(input)] : []));
  const where = [
    ...(ids.length > 0 ? [`id IN (${placeholders(ids.length)})`] : []),
    ...(emails.length > 0 ? [`email IN (${placeholders(emails.length)})`] : []),
  ];
  return m.query(`SELECT id, name, email FROM clients WHERE ${where.join(' OR ')}`, [
    ...ids,
    ...emails,
  ]);
}

/**
 * MySQL compares emails by the column's collation (`José@…` and `jose@…` are one), the maps of
 * resolveMany exactly. When the query found a client that no input names exactly, each input it could
 * be for is looked up alone, which answers the client the database takes for that email.
 */
async function matchByCollation(
  m: EntityManager,
  inputs: ClientInput[],
  found: ResolvedClient[],
  idByEmail: Map<string, string>,
): Promise<void> {
  const named = new Set(
    inputs.map((input) => (input.client_id !== undefined ? input.client_id : emailOf(input))),
  );
  if (found.every((client) => named.has(client.id) || named.has(client.email ?? ''))) return;
  for (const input of inputs) {
    if (input.client_id !== undefined || idByEmail.has(emailOf(input))) continue;
    const [client] = await findClients(m, [input]);
    if (client) idByEmail.set(emailOf(input), client.id);
  }
}

function emailOf(input: ClientInput): string {
  return input.client_email!.trim().toLowerCase();
}

/** Finds the client a ticket is for, by id or by email, creating or renaming it as the request says. */
@Injectable()
export class ClientsService {
  /**
   * The clients of several tickets created together, one resolution per input, in order, as if each
   * were resolved after the one before: a new email met twice makes one client, a client renamed
   * twice is renamed twice. One query finds them all, one INSERT creates the new ones.
   */
  async resolveMany(m: EntityManager, inputs: ClientInput[]): Promise<ClientResolution[]> {
    if (inputs.length === 0) return [];
    // Each client as it stands after the inputs resolved so far, and the client of each email.
    const byId = new Map<string, ResolvedClient>();
    const idByEmail = new Map<string, string>();
    const found = await findClients(m, inputs);
    for (const client of found) {
      byId.set(client.id, client);
      if (client.email !== null) idByEmail.set(client.email, client.id);
    }
    await matchByCollation(m, inputs, found, idByEmail);
    const created: ResolvedClient[] = [];
    const renamed = new Map<string, string>();
    const resolutions = inputs.map((input): ClientResolution => {
      const id = input.client_id ?? idByEmail.get(emailOf(input));
      const current = id === undefined ? undefined : byId.get(id);
      if (!current && input.client_id !== undefined)
        return { error: fieldError('client_id', `${input.client_id} is not a known client`) };
      if (!current) {
        const client = { id: randomUUID(), name: input.client_name!.trim(), email: emailOf(input) };
        byId.set(client.id, client);
        idByEmail.set(client.email, client.id);
        created.push(client);
        const event = new ClientCreatedEvent({
          client_id: client.id,
          name: client.name,
          email: client.email,
        });
        return { client, events: [event] };
      }
      const next = input.client_name?.trim();
      if (!next || next === current.name) return { client: current, events: [] };
      const client = { ...current, name: next };
      byId.set(client.id, client);
      renamed.set(client.id, next);
      const event = new ClientUpdatedEvent({
        client_id: client.id,
        name: next,
        email: client.email,
        changes: diff(current, { name: next }, ['name']),
      });
      return { client, events: [event] };
    });
    await this.write(m, created, renamed);
    return resolutions;
  }

  /** Plain SQL: TypeORM's save() reads each new row back for its timestamps, one more round trip. */
  private async write(
    m: EntityManager,
    created: ResolvedClient[],
    renamed: Map<string, string>,
  ): Promise<void> {
    const now = new Date();
    await insertMany(
      m,
      'clients',
      ['id', 'name', 'email', 'created_at', 'updated_at'],
      created.map((c) => [c.id, c.name, c.email, now, now]),
    );
    for (const [id, name] of renamed) await m.update(Client, { id }, { name });
  }
}
