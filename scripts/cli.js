#!/usr/bin/env node
'use strict';
// `npm run cli -- …`: compiles only when a source is newer than the build, then runs the CLI here.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { staleReason, OUTPUT } = require('./build-state');

const root = join(__dirname, '..');
const reason = staleReason(root);
if (reason) {
  process.stderr.write(`homa: compiling (${reason})\n`);
  const tsc = require.resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
require(join(root, OUTPUT));
