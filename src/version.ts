import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Homa's version from package.json, found from src/ (tests) and dist/src/ (builds) alike. */
function readVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'homa' && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

export const VERSION = readVersion();
