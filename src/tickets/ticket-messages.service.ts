import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { insertRows } from '../database/sql';
import { TransactionService } from '../database/transaction.service';
import { EventPublisher } from '../events/event-publisher';
import { toRfc3339 } from '../events/rfc3339';
import { AuthorType, TicketMessage } from './entities/ticket-message.entity';
import { Ticket } from './entities/ticket.entity';
import { MessageCreatedEvent } from './events/message-created.event';
import { ticketNotFound } from './ticket-errors';

@Injectable()
export class TicketMessagesService {
  constructor(
    private readonly tx: TransactionService,
    private readonly events: EventPublisher,
  ) {}

  /** Adds a message to an existing ticket and publishes `message.created` once committed. */
  async add(
    ticketId: number,
    authorType: AuthorType,
    authorId: string | null,
    body: string,
  ): Promise<TicketMessage> {
    return this.tx.run(async (m) => {
      if (!(await m.existsBy(Ticket, { id: ticketId }))) throw ticketNotFound(ticketId);
      const { message, event } = await this.insert(m, ticketId, authorType, authorId, body);
      await this.events.publish(m, [event]);
      return message;
    });
  }

  /** Inserts within the caller's transaction; the caller publishes the event in it. */
  async insert(
    m: EntityManager,
    ticketId: number,
    authorType: AuthorType,
    authorId: string | null,
    body: string,
  ): Promise<{ message: TicketMessage; event: MessageCreatedEvent }> {
    const [inserted] = await this.insertMany(m, [
      { ticket_id: ticketId, author_type: authorType, author_id: authorId, body },
    ]);
    return inserted;
  }

  /** Several messages in one INSERT, within the caller's transaction; the caller publishes the events. */
  async insertMany(
    m: EntityManager,
    rows: Pick<TicketMessage, 'ticket_id' | 'author_type' | 'author_id' | 'body'>[],
  ): Promise<{ message: TicketMessage; event: MessageCreatedEvent }[]> {
    const created_at = new Date();
    const ids = await insertRows(
      m,
      'ticket_messages',
      rows.map((row) => ({ ...row, created_at })),
    );
    return rows.map((row, i) => {
      const message: TicketMessage = { id: ids[i], ...row, created_at };
      const event = new MessageCreatedEvent({
        message_id: message.id,
        ticket_id: row.ticket_id,
        author_type: row.author_type,
        author_id: row.author_id,
        body: row.body,
        created_at: toRfc3339(created_at),
      });
      return { message, event };
    });
  }
}
