import { MigrationInterface, QueryRunner } from 'typeorm';
import { addColumnInPlace, dropColumnInPlace, RevertEffects } from './helpers';

/**
 * Each event keeps the W3C trace context it was recorded in (`traceparent`: the trace of the request or
 * CLI run that caused it, and the span that wrote it), so that every delivery of it, in any process
 * and on any retry, sends a `traceparent` in that trace. Rows written before have none: their
 * deliveries take a trace id made from the event's id.
 */
export class EventTraceContext1765300200000 implements MigrationInterface {
  name = 'EventTraceContext1765300200000';

  /** What `down` takes away (see RevertEffects): the events' trace contexts. */
  static readonly revert: RevertEffects = {
    drops: [{ table: 'webhook_events', column: 'traceparent' }],
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    await addColumnInPlace(queryRunner, 'webhook_events', {
      name: 'traceparent',
      type: 'varchar',
      length: '55',
      isNullable: true,
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropColumnInPlace(queryRunner, 'webhook_events', 'traceparent');
  }
}
