import { MigrationInterface, QueryRunner } from 'typeorm';
import { addColumnInPlace, dropColumnInPlace, RevertEffects } from './helpers';

/**
 * The name a ticket was opened under, on the ticket: the public API no longer writes it over the
 * client's own name (anyone may open a ticket for any email). Existing tickets take their client's
 * current name. Added in place, so no table is rebuilt.
 */
export class TicketClientName1764700000000 implements MigrationInterface {
  name = 'TicketClientName1764700000000';

  /** What `down` takes away (see RevertEffects): the names a ticket was filed under, where they differ. */
  static readonly revert: RevertEffects = {
    drops: [
      {
        table: 'tickets',
        column: 'client_name',
        losing:
          'client_name IS NOT NULL AND client_name <> (SELECT c.name FROM clients c WHERE c.id = tickets.client_id)',
      },
    ],
  };

  async up(queryRunner: QueryRunner): Promise<void> {
    await addColumnInPlace(queryRunner, 'tickets', {
      name: 'client_name',
      type: 'varchar',
      length: '255',
      isNullable: true,
    });
    await queryRunner.query(
      'UPDATE tickets SET client_name = (SELECT c.name FROM clients c WHERE c.id = tickets.client_id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropColumnInPlace(queryRunner, 'tickets', 'client_name');
  }
}
