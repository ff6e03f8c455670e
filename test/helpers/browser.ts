import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliDecompressSync } from 'node:zlib';
import sparticuz from '@sparticuz/chromium';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`), used when it is there. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Where the browser tests get Chromium, in the order they look. */
export type ChromiumSource =
  | { kind: 'CHROMIUM_PATH'; path: string }
  | { kind: 'system'; path: string }
  | { kind: 'npm'; package: '@sparticuz/chromium' };

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `CHROMIUM_PATH` if set (it must exist), else an executable system Chromium, else the one npm ships in
 * `@sparticuz/chromium` (a devDependency, so `npm install && npm test` needs nothing else). The system
 * path is `HOMA_SYSTEM_CHROMIUM` when set, so the fallback can be tried on a machine that has one
 * (`HOMA_SYSTEM_CHROMIUM=/nonexistent`).
 */
export function chromiumSource(env: NodeJS.ProcessEnv = process.env): ChromiumSource {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH))
      throw new Error(`CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist`);
    return { kind: 'CHROMIUM_PATH', path: env.CHROMIUM_PATH };
  }
  const system = env.HOMA_SYSTEM_CHROMIUM || SYSTEM_CHROMIUM;
  if (isExecutable(system)) return { kind: 'system', path: system };
  return { kind: 'npm', package: '@sparticuz/chromium' };
}

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The NSS and expat libraries the package's Chromium links to, which a machine without a system Chromium
 * may well lack (the package unpacks them itself only on AWS Lambda): unpacked once from its
 * `bin/al2023.tar.br` into `$TMPDIR/al2023/lib`, by way of a temporary directory so that an interrupted
 * run leaves nothing half written.
 */
async function sparticuzLibraries(): Promise<string> {
  const target = join(tmpdir(), 'al2023');
  if (existsSync(join(target, 'lib', 'libnss3.so'))) return join(target, 'lib');
  const archive = join(dirname(require.resolve('@sparticuz/chromium')), '../../bin/al2023.tar.br');
  const scratch = mkdtempSync(join(tmpdir(), 'al2023-'));
  try {
    const tarball = join(scratch, 'al2023.tar');
    writeFileSync(tarball, brotliDecompressSync(readFileSync(archive)));
    await promisify(execFile)('tar', ['-xf', tarball, '-C', scratch]);
    rmSync(tarball);
    renameSync(scratch, target);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    // Another run may have got there first; anything else is a real failure.
    if (!existsSync(join(target, 'lib', 'libnss3.so'))) throw error;
  }
  return join(target, 'lib');
}

export async function launchChromium(): Promise<Browser> {
  const source = chromiumSource();
  if (source.kind !== 'npm')
    return chromium.launch({ executablePath: source.path, headless: true, args: ARGS });
  // The package unpacks its headless Chromium (and the fonts its fonts.conf names) into the temporary
  // directory on first use, a few seconds; later runs reuse it.
  const [executablePath, libraries] = await Promise.all([
    sparticuz.executablePath(),
    sparticuzLibraries(),
  ]);
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...ARGS, '--no-zygote'],
    env: {
      ...process.env,
      FONTCONFIG_PATH: join(tmpdir(), 'fonts'),
      LD_LIBRARY_PATH: [libraries, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    },
  });
}

/** Everything the page reported as an error: uncaught exceptions, console errors (CSP refusals among them). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // A 401 or 400 the console handles still logs "Failed to load resource"; that is not a page error.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      errors.push(m.text());
  });
  return errors;
}

/** A desktop-sized window. */
export const DESKTOP = { width: 1280, height: 900 };

/** A page in a fresh browser context, and the errors it reports (see collectPageErrors). */
export async function openPage(
  browser: Browser,
  options: { baseURL: string; viewport?: typeof DESKTOP; permissions?: string[] },
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    baseURL: options.baseURL,
    viewport: options.viewport ?? DESKTOP,
  });
  if (options.permissions) await context.grantPermissions(options.permissions);
  const page = await context.newPage();
  return { context, page, errors: collectPageErrors(page) };
}

/** Opens the console and signs in with the user's email and password. */
export async function signIn(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto('/console');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function screenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: false });
}
