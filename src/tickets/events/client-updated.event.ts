import { DomainEvent } from '../../events/domain-event';
import { Changes, EVENTS } from '../../events/event-catalog';
import type { ClientData } from './ticket-event-data';

export class ClientUpdatedEvent extends DomainEvent<ClientData & { changes: Changes }> {
  static readonly eventName = EVENTS.CLIENT_UPDATED;
  readonly name = ClientUpdatedEvent.eventName;
}
