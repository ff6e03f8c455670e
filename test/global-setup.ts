import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options';

/** On MySQL the e2e files share one database: migrate it once, before they start in parallel. */
export default async function globalSetup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const dataSource = new DataSource(
    buildDataSourceOptions({ DATABASE_URL: url, DATA_DIR: './data' }),
  );
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
}
