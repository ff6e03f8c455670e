/**
 * The pipeline's own in-process notices, on the app's event emitter (`@OnEvent` listeners). They are
 * hints that work is waiting in the database; a missed one only delays it until the next periodic pass.
 */

/** A transaction that recorded events has committed (here, or with BullMQ on another replica). */
export class EventsCommittedEvent {
  static readonly NAME = 'pipeline.events-committed';
}

/**
 * Deliveries of ordered webhooks were made due (their predecessor finished, or their webhook was
 * enabled again or recovered) by a transaction that has committed.
 */
export class DeliveriesReleasedEvent {
  static readonly NAME = 'pipeline.deliveries-released';

  constructor(readonly ids: string[]) {}
}
