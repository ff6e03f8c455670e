import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { insertRow } from '../database/sql';
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
  ) {
    const row = { ticket_id: ticketId, author_type: authorType, author_id: authorId, body };
    const created_at = new Date();
    const message: TicketMessage = {
      id: await insertRow(m, 'ticket_messages', { ...row, created_at }),
      ...row,
      created_at,
    };
    const event = new MessageCreatedEvent({
      message_id: message.id,
      ticket_id: ticketId,
      author_type: authorType,
      author_id: authorId,
      body,
      created_at: toRfc3339(created_at),
    });
    return { message, event };
  }
}
