import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import {
  datetime,
  intPrimary,
  longText,
  nowDefault,
  timestamps,
  uuidPrimary,
  RevertEffects,
} from './helpers';

export class CreateTickets1764300100000 implements MigrationInterface {
  name = 'CreateTickets1764300100000';

  /** What `down` takes away (see RevertEffects). */
  static readonly revert: RevertEffects = {
    drops: [
      { table: 'ticket_messages' },
      { table: 'tickets' },
      { table: 'departments' },
      { table: 'clients' },
    ],
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'clients',
        columns: [
          uuidPrimary(),
          { name: 'name', type: 'varchar', length: '255' },
          { name: 'email', type: 'varchar', length: '255', isNullable: true, isUnique: true },
          ...timestamps(queryRunner),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'departments',
        columns: [
          intPrimary(),
          { name: 'name', type: 'varchar', length: '255', isUnique: true },
          { name: 'description', type: 'text', isNullable: true },
          ...timestamps(queryRunner),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'tickets',
        columns: [
          intPrimary(),
          { name: 'title', type: 'varchar', length: '255' },
          { name: 'client_id', type: 'varchar', length: '36' },
          { name: 'department_id', type: 'integer', isNullable: true },
          { name: 'channel_id', type: 'varchar', length: '32', default: "'web'" },
          { name: 'status', type: 'varchar', length: '32', default: "'new'" },
          { name: 'priority', type: 'varchar', length: '16', default: "'medium'" },
          { name: 'assigned_user_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'secret_hash', type: 'varchar', length: '64' },
          datetime('closed_at'),
          ...timestamps(queryRunner),
        ],
        foreignKeys: [
          {
            columnNames: ['client_id'],
            referencedTableName: 'clients',
            referencedColumnNames: ['id'],
          },
          {
            columnNames: ['department_id'],
            referencedTableName: 'departments',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
          {
            columnNames: ['assigned_user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
        ],
        indices: [
          { name: 'idx_tickets_status', columnNames: ['status', 'created_at'] },
          { name: 'idx_tickets_client', columnNames: ['client_id'] },
          { name: 'idx_tickets_assignee', columnNames: ['assigned_user_id'] },
          { name: 'idx_tickets_department', columnNames: ['department_id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ticket_messages',
        columns: [
          intPrimary(),
          { name: 'ticket_id', type: 'integer' },
          { name: 'author_type', type: 'varchar', length: '16' },
          { name: 'author_id', type: 'varchar', length: '36', isNullable: true },
          longText(queryRunner, 'body', false),
          { name: 'created_at', type: 'datetime', precision: 3, default: nowDefault(queryRunner) },
        ],
        foreignKeys: [
          {
            columnNames: ['ticket_id'],
            referencedTableName: 'tickets',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [{ name: 'idx_ticket_messages_ticket', columnNames: ['ticket_id', 'id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('ticket_messages');
    await queryRunner.dropTable('tickets');
    await queryRunner.dropTable('departments');
    await queryRunner.dropTable('clients');
  }
}
