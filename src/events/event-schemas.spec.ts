import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { EVENT_CATALOG } from './event-catalog';
import { eventSchema, eventSchemaPath } from './event-schemas';

describe('event schemas', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  const validatorFor = (name: string) =>
    ajv.getSchema(eventSchemaPath(name)) ?? ajv.compile(eventSchema(name)!);
  const envelope = (event: string, data: unknown) => ({
    event,
    timestamp: '2024-01-15T10:30:00Z',
    data,
  });

  it.each(EVENT_CATALOG.map((e) => [e.event, e]))(
    '%s has a draft 2020-12 schema its catalog sample conforms to',
    (name, entry) => {
      const schema = eventSchema(name)!;
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      const validate = validatorFor(name);
      expect(validate(envelope(name, entry.sample))).toBe(true);
      expect(validate.errors ?? null).toBeNull();
    },
  );

  it('refuses bodies that break the contract', () => {
    const validate = validatorFor('ticket.created');
    const sample = EVENT_CATALOG[0].sample;
    expect(validate(envelope('ticket.created', { ...sample, ticket_id: '123' }))).toBe(false);
    expect(validate(envelope('ticket.created', { ...sample, priority: 'whenever' }))).toBe(false);
    const { title: _title, ...untitled } = sample;
    expect(validate(envelope('ticket.created', untitled))).toBe(false);
    expect(validatorFor('ticket.updated')(envelope('ticket.updated', sample))).toBe(false);
    expect(validate({ ...envelope('ticket.created', sample), timestamp: 'yesterday' })).toBe(false);
  });

  it('has no schema for a name outside the catalog', () => {
    expect(eventSchema('ticket.deleted')).toBeUndefined();
  });
});
