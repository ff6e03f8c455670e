import { DomainEvent } from '../../events/domain-event';
import { EVENTS } from '../../events/event-catalog';
import type { ClientData } from './ticket-event-data';

export class ClientCreatedEvent extends DomainEvent<ClientData> {
  static readonly eventName = EVENTS.CLIENT_CREATED;
  readonly name = ClientCreatedEvent.eventName;
}
