'use strict';
// Whether the compiled CLI is older than any source it is built from (used by scripts/cli.js).
const { readdirSync, statSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const SOURCE_DIRS = ['src', 'migrations'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json'];
const OUTPUT = join('dist', 'src', 'cli', 'main.js');

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.(ts|json)$/.test(path) ? stat.mtimeMs : 0;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** The reason a build is needed in `root`, or null when dist is up to date. */
function staleReason(root) {
  const output = join(root, OUTPUT);
  if (!existsSync(output)) return `${OUTPUT} is missing`;
  const built = statSync(output).mtimeMs;
  for (const name of [...SOURCE_DIRS, ...SOURCE_FILES]) {
    const path = join(root, name);
    if (existsSync(path) && newestMtime(path) > built) return `${name} changed since the last build`;
  }
  return null;
}

module.exports = { staleReason, OUTPUT };
