import type { DeliveryJob } from './delivery-job';

/** A new delivery's first attempt, as a fan-out pass hands it to a queue; `fields` fill in the rest. */
export function deliveryJob(
  fields: Pick<DeliveryJob, 'id' | 'webhookId' | 'eventId' | 'body'> & Partial<DeliveryJob>,
): DeliveryJob {
  return {
    event: 'ticket.created',
    orderingKey: null,
    sequence: null,
    attempts: 0,
    status: 'pending',
    nextAttemptAt: 0,
    deliveredAt: null,
    leaseUntil: null,
    ...fields,
  };
}
