import { DomainEvent } from '../../events/domain-event';
import { EVENTS } from '../../events/event-catalog';
import type { TicketUpdatedData } from './ticket-event-data';

export class TicketUpdatedEvent extends DomainEvent<TicketUpdatedData> {
  static readonly eventName = EVENTS.TICKET_UPDATED;
  readonly name = TicketUpdatedEvent.eventName;
}
