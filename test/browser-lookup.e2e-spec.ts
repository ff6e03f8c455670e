import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumSource, SYSTEM_CHROMIUM } from './helpers/browser';

/** Where the browser tests look for Chromium; the console's own tests then launch whichever is found. */
describe('finding Chromium for the browser tests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'homa-chromium-'));
  const file = (name: string, mode: number) => {
    const path = join(dir, name);
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, mode);
    return path;
  };
  const executable = file('chromium', 0o755);
  const plain = file('not-executable', 0o644);
  const missing = join(dir, 'missing');

  it('takes CHROMIUM_PATH first, and refuses one that does not exist', () => {
    expect(chromiumSource({ CHROMIUM_PATH: executable, HOMA_SYSTEM_CHROMIUM: executable })).toEqual(
      {
        kind: 'CHROMIUM_PATH',
        path: executable,
      },
    );
    expect(() => chromiumSource({ CHROMIUM_PATH: missing })).toThrow(/CHROMIUM_PATH=.*missing/);
  });

  it('then an executable system Chromium', () => {
    expect(chromiumSource({ HOMA_SYSTEM_CHROMIUM: executable })).toEqual({
      kind: 'system',
      path: executable,
    });
    expect(SYSTEM_CHROMIUM).toBe('/usr/bin/chromium');
  });

  it('else the one npm ships (@sparticuz/chromium)', () => {
    for (const system of [missing, plain])
      expect(chromiumSource({ HOMA_SYSTEM_CHROMIUM: system })).toEqual({
        kind: 'npm',
        package: '@sparticuz/chromium',
      });
  });
});
