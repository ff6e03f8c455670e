#!/usr/bin/env node
'use strict';
// `npm start`'s prestart: builds what a fresh clone lacks (the server, the CLI and the console), and
// only what is older than its sources, so a second start does not rebuild. Production builds once
// with `npm run build` and starts `homa serve` (see docs/operations.md).
const { spawnSync } = require('node:child_process');
const { dirname, join } = require('node:path');
const { staleReason, consoleStaleReason } = require('./build-state');

const root = join(__dirname, '..');

function run(label, reason, args) {
  process.stderr.write(`homa: building the ${label} (${reason})\n`);
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const server = staleReason(root);
if (server) run('server', server, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
const consoleReason = consoleStaleReason(root);
if (consoleReason)
  run('console', consoleReason, [
    // vite's package exports do not include its bin: found through its package.json.
    join(dirname(require.resolve('vite/package.json')), require('vite/package.json').bin.vite),
    'build',
    '--config',
    'console/vite.config.ts',
  ]);
