import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { intPrimary, nowDefault, RevertEffects } from './helpers';

/** The audit trail of admin actions (never a secret, hash or password). */
export class CreateAuditLog1764500100000 implements MigrationInterface {
  name = 'CreateAuditLog1764500100000';

  /** What `down` takes away (see RevertEffects). */
  static readonly revert: RevertEffects = { drops: [{ table: 'audit_log' }] };

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          intPrimary(),
          { name: 'actor_type', type: 'varchar', length: '16' },
          { name: 'actor_user_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'actor_email', type: 'varchar', length: '255', isNullable: true },
          { name: 'actor_api_key_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'action', type: 'varchar', length: '64' },
          { name: 'target_type', type: 'varchar', length: '32' },
          { name: 'target_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'details', type: 'text', isNullable: true },
          {
            name: 'created_at',
            type: 'datetime',
            precision: 3,
            default: nowDefault(queryRunner),
          },
        ],
      }),
    );
    await queryRunner.createIndices('audit_log', [
      new TableIndex({ name: 'idx_audit_log_created_at', columnNames: ['created_at'] }),
      new TableIndex({ name: 'idx_audit_log_target', columnNames: ['target_type', 'target_id'] }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_log');
  }
}
