import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { addColumnInPlace, dropColumnInPlace, RevertEffects } from './helpers';

const IDX_ORDERED = 'idx_webhook_deliveries_ordered';
const IDX_KEY_SEQ = 'idx_webhook_events_key_seq';

/**
 * Ordered delivery per key: a webhook may ask for one key's deliveries in commit order. Events get
 * their number within their ordering key (`key_seq`, taken from `event_sequences` by the transaction
 * that records them); deliveries to ordered webhooks get theirs within (webhook, key) (`sequence`,
 * from `delivery_sequences`), which is what `X-Webhook-Sequence` carries. Columns are added in place
 * (no table rebuild on SQLite), so existing deliveries and events keep their rows untouched.
 */
export class OrderedDelivery1764600000000 implements MigrationInterface {
  name = 'OrderedDelivery1764600000000';

  /** What `down` takes away (see RevertEffects). */
  static readonly revert: RevertEffects = {
    drops: [
      { table: 'delivery_sequences' },
      { table: 'event_sequences' },
      { table: 'webhook_deliveries', column: 'sequence' },
      { table: 'webhook_deliveries', column: 'ordering_key' },
      { table: 'webhook_events', column: 'key_seq' },
      { table: 'webhooks', column: 'ordered', losing: 'ordered <> 0' },
    ],
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    await addColumnInPlace(queryRunner, 'webhooks', {
      name: 'ordered',
      type: 'boolean',
      default: false,
    });
    await addColumnInPlace(queryRunner, 'webhook_events', {
      name: 'key_seq',
      type: 'bigint',
      isNullable: true,
    });
    await queryRunner.createIndex(
      'webhook_events',
      new TableIndex({ name: IDX_KEY_SEQ, columnNames: ['ordering_key', 'key_seq'] }),
    );
    await addColumnInPlace(queryRunner, 'webhook_deliveries', {
      name: 'ordering_key',
      type: 'varchar',
      length: '64',
      isNullable: true,
    });
    await addColumnInPlace(queryRunner, 'webhook_deliveries', {
      name: 'sequence',
      type: 'bigint',
      isNullable: true,
    });
    await queryRunner.createIndex(
      'webhook_deliveries',
      new TableIndex({
        name: IDX_ORDERED,
        columnNames: ['webhook_id', 'ordering_key', 'sequence'],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'event_sequences',
        columns: [
          { name: 'ordering_key', type: 'varchar', length: '64', isPrimary: true },
          { name: 'last_seq', type: 'bigint', default: 0 },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'delivery_sequences',
        columns: [
          { name: 'webhook_id', type: 'integer', isPrimary: true },
          { name: 'ordering_key', type: 'varchar', length: '64', isPrimary: true },
          { name: 'last_seq', type: 'bigint', default: 0 },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('delivery_sequences');
    await queryRunner.dropTable('event_sequences');
    await queryRunner.dropIndex('webhook_deliveries', IDX_ORDERED);
    await dropColumnInPlace(queryRunner, 'webhook_deliveries', 'sequence');
    await dropColumnInPlace(queryRunner, 'webhook_deliveries', 'ordering_key');
    await queryRunner.dropIndex('webhook_events', IDX_KEY_SEQ);
    await dropColumnInPlace(queryRunner, 'webhook_events', 'key_seq');
    await dropColumnInPlace(queryRunner, 'webhooks', 'ordered');
  }
}
