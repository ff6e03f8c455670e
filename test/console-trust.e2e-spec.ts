import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { bearer, createUser, TestUser } from './factories/users';
import { DELIVERY_TEST_ENV } from './factories/webhooks';
import { launchChromium, openPage, signIn } from './helpers/browser';
import { createTestApp, TestApp } from './helpers/test-app';

const FIXTURES = join(__dirname, 'fixtures/mtls');
const CLIENT_CERT = readFileSync(join(FIXTURES, 'client.pem'), 'utf8');
const CLIENT_KEY = readFileSync(join(FIXTURES, 'client.key'), 'utf8');

async function shown(locator: Locator, timeout = 10_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

/** The console's signature scheme, public key and client certificate fields. */
describe('console: ed25519 and mutual TLS (browser, e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    [t, browser] = await Promise.all([createTestApp(DELIVERY_TEST_ENV), launchChromium()]);
    admin = await createUser(t, 'admin');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    ({
      context,
      page,
      errors: pageErrors,
    } = await openPage(browser, {
      baseURL: t.baseUrl,
      permissions: ['clipboard-read', 'clipboard-write'],
    }));
    await signIn(page, admin);
    await (await shown(page.getByRole('link', { name: 'New webhook' }))).click();
    await shown(page.getByRole('heading', { name: 'New webhook' }));
  });
  afterEach(async () => {
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  const apiWebhook = async (id: string) =>
    (await t.http.get(`/api/admin/webhooks/${id}`).set(bearer(admin.token)).expect(200)).body as {
      signature_scheme: string;
      public_key: string | null;
      client_certificate: string | null;
      client_key: string | null;
    };

  it('creates an ed25519 webhook with a client certificate, shows and copies its public key', async () => {
    await page.getByLabel('Name').fill('Enterprise receiver');
    await page.getByLabel('URL').fill('https://hooks.example.com/enterprise');
    await page.getByLabel('ticket.created').check();
    await page.getByLabel('Signature scheme').selectOption('ed25519');
    await page.getByLabel('Client certificate (PEM)').fill(CLIENT_CERT);
    await page.getByLabel('Client key (PEM)').fill(CLIENT_KEY);
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await shown(page.getByRole('heading', { name: 'Enterprise receiver' }));
    const id = /\/webhooks\/(\d+)/.exec(page.url())![1];
    const stored = await apiWebhook(id);
    expect(stored).toMatchObject({
      signature_scheme: 'ed25519',
      client_certificate: CLIENT_CERT,
      client_key: '********',
    });
    expect(stored.public_key).toMatch(/^whpk_/);

    const key = await shown(page.getByLabel('Public key', { exact: true }));
    await expect(key.textContent()).resolves.toBe(stored.public_key);
    await page.getByRole('button', { name: 'Copy public key' }).click();
    await shown(page.getByText('Public key copied.'));
    await expect(page.evaluate<string>('navigator.clipboard.readText()')).resolves.toBe(
      stored.public_key,
    );

    await page.getByRole('button', { name: 'Rotate key pair' }).click();
    await shown(page.getByText(/Key pair rotated\. The old key also signs until/));
    const rotated = await apiWebhook(id);
    expect(rotated.public_key).not.toBe(stored.public_key);
    await shown(
      page.getByLabel('Public key', { exact: true }).filter({ hasText: rotated.public_key! }),
    );

    // Editing: the stored key is never shown back, and a save without a new one keeps it.
    await page.getByRole('link', { name: 'Edit' }).click();
    await shown(page.getByRole('heading', { name: 'Edit webhook' }));
    await expect(page.getByLabel('Signature scheme').inputValue()).resolves.toBe('ed25519');
    await expect(page.getByLabel('Client key (PEM)').inputValue()).resolves.toBe('');
    await shown(page.getByText(/A key is stored \(encrypted; never shown\)/));
    expect(await page.content()).not.toContain('PRIVATE KEY-----\n');
    await page.getByLabel('Description').fill('kept key');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await shown(page.getByRole('heading', { name: 'Enterprise receiver' }));
    expect(await apiWebhook(id)).toMatchObject({
      client_certificate: CLIENT_CERT,
      client_key: '********',
    });
  });

  it('shows the API’s 400 beside the client key field for a key of another pair', async () => {
    await page.getByLabel('Name').fill('Mismatched');
    await page.getByLabel('URL').fill('https://hooks.example.com/mismatch');
    await page.getByLabel('ticket.created').check();
    await page.getByLabel('Client certificate (PEM)').fill(CLIENT_CERT);
    await page
      .getByLabel('Client key (PEM)')
      .fill(readFileSync(join(FIXTURES, 'server.key'), 'utf8'));
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await shown(page.getByText(/client_key does not match client_certificate/));
    await expect(page.getByLabel('Client key (PEM)').getAttribute('aria-invalid')).resolves.toBe(
      'true',
    );
  });
});
