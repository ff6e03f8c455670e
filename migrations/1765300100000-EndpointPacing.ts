import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { addColumnInPlace, datetime, dropColumnInPlace, RevertEffects } from './helpers';

/**
 * Endpoints paced and protected: a webhook may cap its deliveries per second
 * (`rate_limit_per_second`, NULL: unlimited), and each endpoint in trouble has one row of shared
 * state (`webhook_endpoint_states`: paused until a `Retry-After`, slowed, or its circuit open), read
 * by every delivering process. A healthy endpoint has no row.
 */
export class EndpointPacing1765300100000 implements MigrationInterface {
  name = 'EndpointPacing1765300100000';

  /** What `down` takes away (see RevertEffects): the rates and the endpoints' back-off state. */
  static readonly revert: RevertEffects = {
    drops: [
      { table: 'webhook_endpoint_states' },
      { table: 'webhooks', column: 'rate_limit_per_second' },
    ],
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    await addColumnInPlace(queryRunner, 'webhooks', {
      name: 'rate_limit_per_second',
      type: 'integer',
      isNullable: true,
    });
    await queryRunner.createTable(
      new Table({
        name: 'webhook_endpoint_states',
        columns: [
          { name: 'webhook_id', type: 'integer', isPrimary: true },
          { name: 'circuit', type: 'varchar', length: '16', default: "'closed'" },
          { name: 'consecutive_failures', type: 'integer', default: 0 },
          { name: 'slow_level', type: 'integer', default: 0 },
          datetime('paused_until'),
          { name: 'pause_reason', type: 'varchar', length: '255', isNullable: true },
          datetime('opened_at'),
          datetime('next_probe_at'),
          datetime('updated_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['webhook_id'],
            referencedTableName: 'webhooks',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('webhook_endpoint_states');
    await dropColumnInPlace(queryRunner, 'webhooks', 'rate_limit_per_second');
  }
}
