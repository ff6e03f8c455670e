import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { WalCheckpointer } from '../src/database/wal-checkpointer';
import { GUIDE_TICKET } from './factories/tickets';
import { eventually } from './helpers/receiver';
import { createTestApp, TestApp } from './helpers/test-app';

describe('WAL checkpoints on a thread of their own (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The embedded database, whichever database the rest of the suite runs on.
    t = await createTestApp({ DATABASE_URL: '' });
  });
  afterAll(() => t.close());

  const autocheckpoint = async () =>
    Number(
      (await t.dataSource.query<{ wal_autocheckpoint: number }[]>('PRAGMA wal_autocheckpoint'))[0]
        .wal_autocheckpoint,
    );

  it('copies committed pages into the database file while requests never checkpoint', async () => {
    const checkpointer = t.get(WalCheckpointer);
    expect(checkpointer.running).toBe(true);
    expect(await autocheckpoint()).toBe(0);
    const file = t.dataSource.options.database as string;
    const before = statSync(file).size;
    // ~4 MB of messages: far past one WAL checkpoint's worth of pages.
    const message = 'x'.repeat(20_000);
    for (let i = 0; i < 200; i++)
      await t.http
        .post('/api/client/tickets')
        .send({ ...GUIDE_TICKET, client_email: `wal-${i}@example.com`, message })
        .expect(201);
    await eventually(() => Promise.resolve(statSync(file).size > before + 3_000_000));
    expect(statSync(file).size).toBeGreaterThan(before + 3_000_000);
  });

  it('hands checkpoints back to the connection when its thread stops', async () => {
    const checkpointer = t.get(WalCheckpointer);
    const worker = (checkpointer as unknown as { worker: Worker }).worker;
    await worker.terminate();
    await eventually(async () => (await autocheckpoint()) === 1000);
    expect(await autocheckpoint()).toBe(1000);
    expect(checkpointer.running).toBe(false);
  });
});
