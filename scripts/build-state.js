'use strict';
// Whether the build in dist/ is older than any source it is built from (used by scripts/cli.js and
// scripts/prestart.js).
const { readdirSync, statSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const SOURCE_DIRS = ['src', 'migrations'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json'];
const OUTPUT = join('dist', 'src', 'cli', 'main.js');
/** The console (vite): its sources, and the page its build writes. */
const CONSOLE_SOURCES = ['console', 'package-lock.json'];
const CONSOLE_OUTPUT = join('dist', 'console', 'index.html');

function newestMtime(path, pattern) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return pattern.test(path) ? stat.mtimeMs : 0;
  let newest = 0;
  for (const entry of readdirSync(path))
    newest = Math.max(newest, newestMtime(join(path, entry), pattern));
  return newest;
}

function reasonFor(root, output, sources, pattern) {
  const file = join(root, output);
  if (!existsSync(file)) return `${output} is missing`;
  const built = statSync(file).mtimeMs;
  for (const name of sources) {
    const path = join(root, name);
    if (existsSync(path) && newestMtime(path, pattern) > built) return `${name} changed since the last build`;
  }
  return null;
}

/** The reason the server and CLI need compiling in `root`, or null when dist is up to date. */
function staleReason(root) {
  return reasonFor(root, OUTPUT, [...SOURCE_DIRS, ...SOURCE_FILES], /\.(ts|json)$/);
}

/** The reason the console needs building in `root`, or null when dist/console is up to date. */
function consoleStaleReason(root) {
  return reasonFor(root, CONSOLE_OUTPUT, CONSOLE_SOURCES, /\.(ts|tsx|css|html|json|svg)$/);
}

module.exports = { staleReason, consoleStaleReason, OUTPUT };
