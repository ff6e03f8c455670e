import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { datetime, nowDefault, timestamps, uuidPrimary, RevertEffects } from './helpers';

export class CreateAuth1764300000000 implements MigrationInterface {
  name = 'CreateAuth1764300000000';

  /** What `down` takes away (see RevertEffects). */
  static readonly revert: RevertEffects = { drops: [{ table: 'api_keys' }, { table: 'users' }] };

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          uuidPrimary(),
          { name: 'email', type: 'varchar', length: '255', isUnique: true },
          { name: 'name', type: 'varchar', length: '255' },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'role', type: 'varchar', length: '16', default: "'agent'" },
          { name: 'status', type: 'varchar', length: '16', default: "'active'" },
          ...timestamps(queryRunner),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          uuidPrimary(),
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'name', type: 'varchar', length: '255' },
          { name: 'key_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'key_prefix', type: 'varchar', length: '16' },
          datetime('last_used_at'),
          { name: 'created_at', type: 'datetime', precision: 3, default: nowDefault(queryRunner) },
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [{ columnNames: ['user_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_keys');
    await queryRunner.dropTable('users');
  }
}
