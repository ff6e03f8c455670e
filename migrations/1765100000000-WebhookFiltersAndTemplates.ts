import { MigrationInterface, QueryRunner } from 'typeorm';
import { addColumnInPlace, dropColumnInPlace, longText, RevertEffects } from './helpers';

/**
 * What a receiver gets, shaped by the integrator: a webhook may hold a `filter` (JSON, matched against
 * each event's body at fan-out) and a `template` (a JSONata expression whose result is the body sent).
 * A templated delivery keeps its rendered body (`webhook_deliveries.body`) so that every retry sends,
 * signs and logs the same bytes; other deliveries leave it NULL and keep sharing their event's body.
 * Columns are added in place, so existing rows are not copied.
 */
export class WebhookFiltersAndTemplates1765100000000 implements MigrationInterface {
  name = 'WebhookFiltersAndTemplates1765100000000';

  /** What `down` takes away (see RevertEffects): filters, templates and the bodies they rendered. */
  static readonly revert: RevertEffects = {
    drops: [
      { table: 'webhook_deliveries', column: 'body' },
      { table: 'webhooks', column: 'template' },
      { table: 'webhooks', column: 'filter' },
    ],
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    await addColumnInPlace(queryRunner, 'webhooks', {
      name: 'filter',
      type: 'text',
      isNullable: true,
    });
    await addColumnInPlace(queryRunner, 'webhooks', {
      name: 'template',
      type: 'text',
      isNullable: true,
    });
    await addColumnInPlace(queryRunner, 'webhook_deliveries', longText(queryRunner, 'body', true));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropColumnInPlace(queryRunner, 'webhook_deliveries', 'body');
    await dropColumnInPlace(queryRunner, 'webhooks', 'template');
    await dropColumnInPlace(queryRunner, 'webhooks', 'filter');
  }
}
