import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';
import {
  datetime,
  intPrimary,
  longText,
  nowDefault,
  timestamps,
  uuidPrimary,
  RevertEffects,
} from './helpers';

const EVENT_FLAGS = [
  'event_all',
  'event_ticket_created',
  'event_ticket_updated',
  'event_ticket_status_change',
  'event_ticket_closed',
  'event_ticket_assigned',
  'event_message_created',
  'event_client_created',
  'event_client_updated',
  'event_user_created',
  'event_user_updated',
];

function flag(name: string): TableColumnOptions {
  return { name, type: 'boolean', default: false };
}

export class CreateWebhooks1764300200000 implements MigrationInterface {
  name = 'CreateWebhooks1764300200000';

  /** What `down` takes away (see RevertEffects). */
  static readonly revert: RevertEffects = {
    drops: [
      { table: 'webhook_delivery_attempts' },
      { table: 'webhook_deliveries' },
      { table: 'webhooks' },
    ],
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'webhooks',
        columns: [
          intPrimary(),
          { name: 'name', type: 'varchar', length: '255' },
          { name: 'url', type: 'varchar', length: '2048' },
          { name: 'secret', type: 'varchar', length: '255' },
          { name: 'previous_secrets', type: 'text', isNullable: true },
          { name: 'enabled', type: 'boolean', default: true },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'timeout_ms', type: 'integer', isNullable: true },
          { name: 'headers', type: 'text', isNullable: true },
          ...EVENT_FLAGS.map(flag),
          { name: 'disabled_reason', type: 'varchar', length: '500', isNullable: true },
          datetime('failing_since'),
          ...timestamps(queryRunner),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_deliveries',
        columns: [
          uuidPrimary(),
          { name: 'webhook_id', type: 'integer' },
          { name: 'event', type: 'varchar', length: '64' },
          { name: 'event_id', type: 'varchar', length: '36' },
          longText(queryRunner, 'payload', false),
          { name: 'status', type: 'varchar', length: '16', default: "'pending'" },
          { name: 'success', type: 'boolean', default: false },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'response', type: 'text', isNullable: true },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'duration_ms', type: 'integer', isNullable: true },
          datetime('next_attempt_at'),
          datetime('delivered_at'),
          datetime('locked_until'),
          ...timestamps(queryRunner),
        ],
        foreignKeys: [
          {
            columnNames: ['webhook_id'],
            referencedTableName: 'webhooks',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          { name: 'idx_webhook_deliveries_due', columnNames: ['status', 'next_attempt_at'] },
          { name: 'idx_webhook_deliveries_webhook', columnNames: ['webhook_id', 'created_at'] },
          { name: 'idx_webhook_deliveries_created', columnNames: ['created_at'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_delivery_attempts',
        columns: [
          intPrimary(),
          { name: 'delivery_id', type: 'varchar', length: '36' },
          { name: 'attempt', type: 'integer' },
          { name: 'trigger', type: 'varchar', length: '8', default: "'auto'" },
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'response', type: 'text', isNullable: true },
          { name: 'error_code', type: 'varchar', length: '32', isNullable: true },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'duration_ms', type: 'integer' },
          { name: 'created_at', type: 'datetime', precision: 3, default: nowDefault(queryRunner) },
        ],
        foreignKeys: [
          {
            columnNames: ['delivery_id'],
            referencedTableName: 'webhook_deliveries',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          { name: 'idx_webhook_attempts_delivery', columnNames: ['delivery_id', 'attempt'] },
          { name: 'idx_webhook_attempts_created', columnNames: ['created_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('webhook_delivery_attempts');
    await queryRunner.dropTable('webhook_deliveries');
    await queryRunner.dropTable('webhooks');
  }
}
