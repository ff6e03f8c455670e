import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { bearer, createUser, TestUser } from './factories/users';
import { createWebhook, DELIVERY_TEST_ENV } from './factories/webhooks';
import { launchChromium, openPage, signIn } from './helpers/browser';
import { eventually } from './helpers/receiver';
import { createTestApp, TestApp } from './helpers/test-app';

const ASSETS = join(__dirname, '..', 'dist', 'console', 'assets');
const PASSWORD = 'CONSOLE-PW-314';
const TOKEN = 'HEADER-TOKEN-2718';

async function shown(locator: Locator, timeout = 10_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

/** What the console shows of credentials and sessions, driven as a person would. */
describe('web console: credentials, sign-out, sources (browser, e2e)', () => {
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
    ({ context, page, errors: pageErrors } = await openPage(browser, { baseURL: t.baseUrl }));
  });
  afterEach(async () => {
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  async function signInAsAdmin(): Promise<void> {
    await signIn(page, admin);
    await shown(page.getByRole('heading', { name: 'Webhooks' }));
  }

  it("shows a webhook's URL and headers masked, reveals them on request, and an edit keeps them", async () => {
    const url = `http://crm:${PASSWORD}@127.0.0.1:9/crm?api_key=K-1&channel=support`;
    const hook = await createWebhook(t, admin.token, {
      name: 'CRM hook',
      url,
      headers: { 'X-Api-Token': TOKEN },
    });
    await signInAsAdmin();
    await expect(page.content()).resolves.not.toContain(PASSWORD);
    await (await shown(page.getByRole('link', { name: 'CRM hook' }))).click();
    await shown(page.getByRole('heading', { name: 'CRM hook' }));
    const panel = page.getByRole('region', { name: 'URL and headers' });
    await shown(panel.getByText('http://********:********@127.0.0.1:9/crm?api_key=********'));
    await expect(page.content()).resolves.not.toMatch(new RegExp(`${PASSWORD}|${TOKEN}|K-1`));

    await panel.getByRole('button', { name: 'Reveal credentials' }).click();
    await shown(panel.getByText(url, { exact: true }));
    await shown(panel.getByText(TOKEN, { exact: true }));
    await panel.getByRole('button', { name: 'Hide credentials' }).click();
    await expect(panel.getByText(TOKEN, { exact: true }).count()).resolves.toBe(0);
    const audit = await t.http
      .get('/api/admin/audit-log')
      .query({ action: 'webhook.credentials_reveal', target_id: String(hook.id) })
      .set(bearer(admin.token))
      .expect(200);
    expect(audit.body.data).toHaveLength(1);

    await page.getByRole('link', { name: 'Edit' }).click();
    await shown(
      page.getByText('Credentials in it show as ********; to change the URL, type it whole'),
    );
    await page.getByLabel('Name').fill('CRM hook, renamed');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await shown(page.getByRole('heading', { name: 'CRM hook, renamed' }));
    const stored = await t.http
      .get(`/api/admin/webhooks/${hook.id}/credentials`)
      .set(bearer(admin.token))
      .expect(200);
    expect(stored.body).toEqual({ id: hook.id, url, headers: { 'X-Api-Token': TOKEN } });
  });

  it('signing out ends the session on the server: the token it held is refused', async () => {
    await signInAsAdmin();
    const token = await page.evaluate<string>("localStorage.getItem('homa.console.token')");
    await t.http.get('/api/auth/me').set(bearer(token)).expect(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await shown(page.getByText('You are signed out.'));
    await eventually(
      async () => (await t.http.get('/api/auth/me').set(bearer(token))).status === 401,
    );
  });

  it('is built without source maps, and serves none in production', async () => {
    const files = readdirSync(ASSETS);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const js of files.filter((f) => f.endsWith('.js')))
      expect(readFileSync(join(ASSETS, js), 'utf8')).not.toContain('sourceMappingURL');
    // Should a map be there all the same (a development build), production does not serve it.
    const probe = `probe-${randomUUID()}.js.map`;
    writeFileSync(join(ASSETS, probe), '{"version":3}');
    const production = await createTestApp({ NODE_ENV: 'production', LOG_LEVEL: 'error' });
    try {
      await production.http.get(`/console/assets/${probe}`).expect(404);
      await t.http.get(`/console/assets/${probe}`).expect(200);
    } finally {
      rmSync(join(ASSETS, probe), { force: true });
      await production.close();
    }
  });
});
