import { toRfc3339 } from '../../events/rfc3339';

export interface Envelope {
  event: string;
  timestamp: string;
  data: object;
}

/**
 * Serialises the guide's envelope once. Plain compact JSON.stringify, so a receiver that re-serialises
 * the parsed body (the guide's Node.js verifier) gets these exact bytes back, whatever the payload holds.
 */
export function serialiseEnvelope(event: string, occurredAt: Date, data: object): string {
  const envelope: Envelope = { event, timestamp: toRfc3339(occurredAt), data };
  return JSON.stringify(envelope);
}
