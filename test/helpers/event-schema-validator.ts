import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { IncomingHttpHeaders } from 'node:http';
import { EVENT_CATALOG } from '../../src/events/event-catalog';
import { eventSchema } from '../../src/events/event-schemas';

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);

const validators = new Map<string, ValidateFunction>(
  EVENT_CATALOG.map((e) => [e.event, ajv.compile(eventSchema(e.event)!)]),
);

/** Validates a value against an event's schema; answers the errors, or null when it conforms. */
export function validateEventBody(event: string, body: unknown): string | null {
  const validate = validators.get(event);
  if (!validate) return `no schema for event ${event}`;
  return validate(body) ? null : ajv.errorsText(validate.errors);
}

/**
 * What is wrong with a received delivery's body for its event (named by `X-Webhook-Event`), or null.
 * Requests without that header (not deliveries) are not checked.
 */
export function schemaViolation(headers: IncomingHttpHeaders, raw: Buffer): string | null {
  const event = headers['x-webhook-event'];
  if (typeof event !== 'string') return null;
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return `${event}: the body is not JSON`;
  }
  const errors = validateEventBody(event, body);
  return errors ? `${event} (delivery ${String(headers['x-webhook-delivery'])}): ${errors}` : null;
}
