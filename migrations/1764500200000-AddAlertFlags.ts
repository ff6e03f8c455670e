import { MigrationInterface, QueryRunner } from 'typeorm';
import { isMysql, RevertEffects } from './helpers';

const ALERT_FLAGS = ['event_webhook_disabled', 'event_delivery_failed'];

/**
 * Subscriptions to the operator alerts `webhook.disabled` and `delivery.failed`. Plain ALTER TABLE on
 * both databases: TypeORM's SQLite addColumn rebuilds the table, which foreign keys make risky.
 */
export class AddAlertFlags1764500200000 implements MigrationInterface {
  name = 'AddAlertFlags1764500200000';

  /** What `down` takes away (see RevertEffects). */
  static readonly revert: RevertEffects = {
    drops: ALERT_FLAGS.map((column) => ({ table: 'webhooks', column, losing: `${column} <> 0` })),
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    const type = isMysql(queryRunner)
      ? 'TINYINT(1) NOT NULL DEFAULT 0'
      : 'BOOLEAN NOT NULL DEFAULT (0)';
    for (const name of ALERT_FLAGS)
      await queryRunner.query(`ALTER TABLE webhooks ADD COLUMN ${name} ${type}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of ALERT_FLAGS)
      await queryRunner.query(`ALTER TABLE webhooks DROP COLUMN ${name}`);
  }
}
