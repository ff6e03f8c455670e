import {
  MigrationInterface,
  QueryRunner,
  Table,
  TableColumn,
  TableForeignKey,
  TableIndex,
} from 'typeorm';
import { isMysql, longText, nowDefault, RevertEffects } from './helpers';

const FK_EVENT = 'fk_webhook_deliveries_event';
const UQ_EVENT_WEBHOOK = 'uq_webhook_deliveries_event_webhook';

/**
 * The outbox: each event is stored once, in the transaction of the change that caused it, and each
 * delivery refers to it instead of carrying its own copy of the body. Existing deliveries keep their
 * exact bytes: each distinct `event_id` becomes one event (already fanned out) holding its payload.
 */
export class CreateEventOutbox1764400000000 implements MigrationInterface {
  name = 'CreateEventOutbox1764400000000';

  /** What `down` takes away (see RevertEffects). */
  static readonly revert: RevertEffects = {
    // Each delivery gets its event's body back; events not fanned out yet have no delivery to keep it.
    drops: [{ table: 'webhook_events', losing: 'fanned_out = 0' }],
    note: 'each delivery gets its body back as a column of its own',
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'webhook_events',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '64' },
          longText(queryRunner, 'body', false),
          { name: 'ordering_key', type: 'varchar', length: '64', isNullable: true },
          { name: 'fanned_out', type: 'boolean', default: false },
          { name: 'created_at', type: 'datetime', precision: 3, default: nowDefault(queryRunner) },
        ],
        indices: [
          { name: 'idx_webhook_events_fan_out', columnNames: ['fanned_out', 'id'] },
          { name: 'idx_webhook_events_created', columnNames: ['created_at'] },
        ],
      }),
    );
    // One event per distinct event_id, with the body its deliveries were sent with.
    await queryRunner.query(
      `INSERT INTO webhook_events (id, name, body, ordering_key, fanned_out, created_at)
       SELECT d.event_id, d.event, d.payload, NULL, ${isMysql(queryRunner) ? 'TRUE' : '1'}, MIN(d.created_at)
       FROM webhook_deliveries d
       GROUP BY d.event_id, d.event, d.payload`,
    );
    await queryRunner.dropColumn('webhook_deliveries', 'payload');
    await queryRunner.createIndex(
      'webhook_deliveries',
      new TableIndex({
        name: UQ_EVENT_WEBHOOK,
        columnNames: ['event_id', 'webhook_id'],
        isUnique: true,
      }),
    );
    await queryRunner.createForeignKey(
      'webhook_deliveries',
      new TableForeignKey({
        name: FK_EVENT,
        columnNames: ['event_id'],
        referencedTableName: 'webhook_events',
        referencedColumnNames: ['id'],
        onDelete: 'RESTRICT',
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropForeignKey('webhook_deliveries', FK_EVENT);
    await queryRunner.dropIndex('webhook_deliveries', UQ_EVENT_WEBHOOK);
    await queryRunner.addColumn(
      'webhook_deliveries',
      new TableColumn(longText(queryRunner, 'payload', true)),
    );
    await queryRunner.query(
      `UPDATE webhook_deliveries SET payload =
         (SELECT e.body FROM webhook_events e WHERE e.id = webhook_deliveries.event_id)`,
    );
    await queryRunner.changeColumn(
      'webhook_deliveries',
      'payload',
      new TableColumn(longText(queryRunner, 'payload', false)),
    );
    // Events not fanned out yet have no delivery to carry them: they are lost with the outbox.
    await queryRunner.dropTable('webhook_events');
  }
}
