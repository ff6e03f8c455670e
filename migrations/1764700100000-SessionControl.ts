import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { addColumnInPlace, datetime, dropColumnInPlace, RevertEffects } from './helpers';

/**
 * Sessions that can end: `users.token_version` (every JWT carries it; a password, role or status
 * change raises it), `revoked_tokens` (JWTs signed out before they expire) and `api_keys.expires_at`.
 * Columns are added in place (no table rebuild on SQLite); existing users start at version 0, existing
 * keys never expire.
 */
export class SessionControl1764700100000 implements MigrationInterface {
  name = 'SessionControl1764700100000';

  /** What `down` takes away (see RevertEffects): sign-outs, key expiries and session versions. */
  static readonly revert: RevertEffects = {
    drops: [
      { table: 'revoked_tokens' },
      { table: 'api_keys', column: 'expires_at' },
      { table: 'users', column: 'token_version', losing: 'token_version <> 0' },
    ],
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    await addColumnInPlace(queryRunner, 'users', {
      name: 'token_version',
      type: 'int',
      default: 0,
    });
    await addColumnInPlace(queryRunner, 'api_keys', datetime('expires_at'));
    await queryRunner.createTable(
      new Table({
        name: 'revoked_tokens',
        columns: [
          { name: 'jti', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          datetime('expires_at', false),
        ],
        indices: [{ columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('revoked_tokens');
    await dropColumnInPlace(queryRunner, 'api_keys', 'expires_at');
    await dropColumnInPlace(queryRunner, 'users', 'token_version');
  }
}
