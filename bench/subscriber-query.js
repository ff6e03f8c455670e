#!/usr/bin/env node
'use strict';
// node bench/subscriber-query.js [mysql://root@127.0.0.1:3306/db]: fan-out's subscriber query at
// 10,000 webhooks (10 subscribed to ticket.created), before (a scan of every webhook, no flag index)
// and after (one indexed lookup per flag), alternated three times, on a fresh migrated database
// (SQLite by default). Needs a build (npm run build).
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const L = require('./lib');

const OTHER = ['ticket_updated', 'ticket_status_change', 'ticket_closed', 'ticket_assigned'];
const FLAGS = ['all', 'ticket_created', ...OTHER, 'message_created', 'client_created']
  .concat(['client_updated', 'user_created', 'user_updated', 'webhook_disabled', 'delivery_failed'])
  .map((f) => `event_${f}`);
const ASKED = ['event_ticket_created', 'event_message_created', 'event_client_created'];
const SELECT = `SELECT id, ordered, \`filter\`, event_all, ${ASKED.join(', ')} FROM webhooks`;
const BEFORE = `${SELECT} WHERE enabled = 1 AND (${['event_all', ...ASKED].map((c) => `${c} = 1`).join(' OR ')}) ORDER BY id`;
const AFTER = ['event_all', ...ASKED]
  .map((f) => `${SELECT} WHERE ${f} = 1 AND enabled = 1`)
  .join(' UNION ALL ');

async function connect(url) {
  const env = {
    JWT_SECRET: 'bench-only-secret-0123456789-abcdefghijkl',
    HOMA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'homa-subq-')),
    DATABASE_URL: url ?? '',
  };
  await L.runCli(['migrate'], env);
  if (!url) {
    const db = new (require('better-sqlite3'))(join(env.DATA_DIR, 'homa.sqlite'));
    return (sql, params = []) =>
      /^(DROP|CREATE)/.test(sql)
        ? db.exec(sql)
        : db.prepare(sql)[sql.startsWith('SELECT') ? 'all' : 'run'](...params);
  }
  const conn = await require('mysql2/promise').createConnection(url);
  return async (sql, params) => (await conn.query(sql, params))[0];
}

async function main() {
  const url = process.argv[2];
  const query = await connect(url);
  for (let i = 0; i < 10_000; i++) {
    const flag = i < 10 ? 'event_ticket_created' : `event_${OTHER[i % OTHER.length]}`;
    await query(
      `INSERT INTO webhooks (name, url, url_search, secret, ${flag}) VALUES (?, ?, ?, ?, 1)`,
      [
        `Other ${i}`,
        `http://127.0.0.1:9/o/${i}`,
        `http://127.0.0.1:9/o/${i}`,
        `enc:v1:${'x'.repeat(90)}`,
      ],
    );
  }
  const index = (make) =>
    Promise.all(
      FLAGS.map((f) =>
        query(
          make
            ? `CREATE INDEX idx_webhooks_${f} ON webhooks (${f}, enabled)`
            : url
              ? `DROP INDEX idx_webhooks_${f} ON webhooks`
              : `DROP INDEX IF EXISTS idx_webhooks_${f}`,
        ),
      ),
    );
  for (let run = 1; run <= 3; run++)
    for (const [name, sql, make] of [
      ['before (scan)', BEFORE, false],
      ['after (indexed)', AFTER, true],
    ]) {
      await index(make);
      const t0 = performance.now();
      let rows = 0;
      for (let i = 0; i < 200; i++) rows = (await query(sql)).length;
      const ms = (performance.now() - t0) / 200;
      console.log(
        `${url ? 'MariaDB' : 'SQLite'} run ${run} ${name}: ${ms.toFixed(3)} ms per query, ${rows} rows`,
      );
    }
}

main().then(
  () => process.exit(0),
  (error) => (console.error(error), process.exit(1)),
);
