import { DomainEvent } from '../../events/domain-event';
import { EVENTS } from '../../events/event-catalog';
import type { TicketAssignedData } from './ticket-event-data';

export class TicketAssignedEvent extends DomainEvent<TicketAssignedData> {
  static readonly eventName = EVENTS.TICKET_ASSIGNED;
  readonly name = TicketAssignedEvent.eventName;
}
