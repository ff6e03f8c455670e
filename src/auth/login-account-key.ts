import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { normaliseEmail } from './users.service';

/**
 * The key failed logins are counted under for an email: one key for every spelling the database
 * takes for the same account. Login finds its user with `users.email = ?`, compared by the column's
 * collation: on MySQL/MariaDB `utf8mb4_unicode_ci` takes `victim@`, `víctim@` and `ｖictim@` for one
 * email, so a key made in JavaScript (`toLowerCase()`) would give each spelling a limit of its own.
 * There the key is the collation's own weight string of the email (what the comparison compares);
 * on SQLite, which compares the lower-cased email byte for byte, it is that email. Keys are hashed,
 * so the attempt store (Redis) holds no address. Unknown emails get keys the same way, so a limit
 * reached answers alike whether or not an account exists.
 */
@Injectable()
export class LoginAccountKey {
  private collation: Promise<{ charset: string; name: string }> | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async of(email: string): Promise<string> {
    const normalised = normaliseEmail(email);
    const canonical =
      this.dataSource.options.type === 'mysql' ? await this.weightString(normalised) : normalised;
    return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
  }

  private async weightString(email: string): Promise<string> {
    const { charset, name } = await this.emailCollation();
    const rows: { w: string | null }[] = await this.dataSource.query(
      `SELECT HEX(WEIGHT_STRING(CONVERT(? USING ${charset}) COLLATE ${name})) AS w`,
      [email],
    );
    return `${name}:${rows[0]?.w ?? ''}`;
  }

  /** The collation of `users.email` (the one the login lookup compares with), read once. */
  private emailCollation(): Promise<{ charset: string; name: string }> {
    this.collation ??= this.dataSource
      .query(
        "SELECT CHARACTER_SET_NAME AS charset, COLLATION_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'email'",
      )
      .then((rows: { charset: string | null; name: string | null }[]) => {
        const charset = rows[0]?.charset ?? 'utf8mb4';
        const name = rows[0]?.name ?? 'utf8mb4_unicode_ci';
        // Interpolated into SQL: these names are letters, digits and underscores only.
        if (!/^\w+$/.test(charset) || !/^\w+$/.test(name))
          throw new Error(`Unexpected collation for users.email: ${charset} ${name}`);
        return { charset, name };
      })
      .catch((error: unknown) => {
        this.collation = null;
        throw error;
      });
    return this.collation;
  }
}
