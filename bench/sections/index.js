'use strict';
// Sections of the benchmark kept in files of their own: every bench/sections/<name>.js other than this
// one and helpers (`_*.js`) exports {name, run(ctx, mode), rows(fmt)}. Each runs on fresh deployments of its own, after the
// built-in sections of its mode, when BENCH_SECTIONS names it (or names nothing) and time allows.
const { readdirSync } = require('node:fs');

module.exports = readdirSync(__dirname)
  .filter((file) => file.endsWith('.js') && file !== 'index.js' && !file.startsWith('_'))
  .sort()
  .map((file) => require(`./${file}`))
  // A section hooked into bench.js by hand (signing runs inside each mode's built-in sections) has no run().
  .filter((section) => typeof section.run === 'function');
