import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, Locator, Page } from 'playwright-core';
import { createUser, TestUser } from './factories/users';
import { createWebhook, DELIVERY_TEST_ENV } from './factories/webhooks';
import { launchChromium, openPage, screenshot, signIn } from './helpers/browser';
import { createTestApp, TestApp } from './helpers/test-app';

/** Screenshots go to docs/ with UPDATE_SCREENSHOTS=1 only. */
const DOCS = process.env.UPDATE_SCREENSHOTS
  ? join(__dirname, '..', 'docs')
  : mkdtempSync(join(tmpdir(), 'homa-screens-'));

async function shown(locator: Locator, timeout = 10_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

/** Many webhooks in the console: the list a page at a time, and a search box that waits for a pause. */
describe('console: webhook list paging and search (browser, e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  /** The `q` of every list request the console made. */
  let searches: string[];

  const rows = () => page.getByRole('table').getByRole('row');

  beforeAll(async () => {
    [t, browser] = await Promise.all([createTestApp(DELIVERY_TEST_ENV), launchChromium()]);
    admin = await createUser(t, 'admin');
    await createWebhook(t, admin.token, {
      name: 'Needle in the haystack',
      url: 'http://127.0.0.1:9/needle',
      event_user_updated: true,
    });
    for (let i = 0; i < 28; i++)
      await createWebhook(t, admin.token, {
        name: `Hook ${String(i).padStart(2, '0')}`,
        url: `http://127.0.0.1:9/hooks/${i}`,
        event_user_updated: true,
      });
    await createWebhook(t, admin.token, {
      name: 'Vault',
      url: 'http://robot:Hunter2Password@127.0.0.1:9/vault/inbox?token=tok3nSecretValue',
      event_user_updated: true,
    });
    ({ page, errors: pageErrors } = await openPage(browser, { baseURL: t.baseUrl }));
    searches = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.pathname === '/api/admin/webhooks') searches.push(url.searchParams.get('q') ?? '');
    });
    await signIn(page, admin);
  });
  afterAll(async () => {
    expect(pageErrors).toEqual([]);
    await browser?.close();
    await t?.close();
  });

  it('pages through 30 webhooks, 25 at a time', async () => {
    await shown(page.getByText('Page 1 of 2 (30 webhooks)'));
    await expect(rows().count()).resolves.toBe(26); // the header and 25
    await shown(page.getByRole('link', { name: 'Hook 00' }));
    await expect(page.getByRole('link', { name: 'Vault' }).count()).resolves.toBe(0);

    await page.getByRole('button', { name: 'Next page' }).click();
    await shown(page.getByText('Page 2 of 2 (30 webhooks)'));
    await shown(page.getByRole('link', { name: 'Vault' }));
    await expect(rows().count()).resolves.toBe(6);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    await expect(page.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await shown(page.getByText('Page 1 of 2 (30 webhooks)'));
  });

  it('searches by name once typing pauses, from the first page', async () => {
    await page.getByRole('button', { name: 'Next page' }).click();
    await shown(page.getByText('Page 2 of 2'));
    searches = [];
    await page.getByLabel('Search by name or URL').pressSequentially('NEEDLE', { delay: 40 });
    await page.getByText(/Page \d of/).waitFor({ state: 'detached' });
    await shown(page.getByRole('link', { name: 'Needle in the haystack' }));
    await expect(rows().count()).resolves.toBe(2);
    await expect(page.getByText(/Page \d of/).count()).resolves.toBe(0);
    const url = new URL(page.url());
    expect(url.searchParams.get('q')).toBe('NEEDLE');
    expect(url.searchParams.get('page')).toBeNull();
    // Debounced: the half-typed words were never asked for.
    expect(searches).toContain('NEEDLE');
    expect(searches.filter((q) => q !== '' && q !== 'NEEDLE')).toEqual([]);
    await screenshot(page, join(DOCS, 'console-webhook-search.png'));
  });

  it('finds a URL kept encrypted by its path, never by its credentials', async () => {
    const box = page.getByLabel('Search by name or URL');
    await box.fill('vault/inbox');
    await shown(page.getByRole('link', { name: 'Vault' }));
    await expect(page.getByText('Hunter2Password').count()).resolves.toBe(0);
    await box.fill('Hunter2Password');
    await shown(page.getByText('No webhook matches.'));
    await box.fill('tok3nSecret');
    await shown(page.getByText('No webhook matches.'));
    await box.fill('');
    await shown(page.getByText('Page 1 of 2 (30 webhooks)'));
  });

  it("keeps a webhook chosen elsewhere in the delivery log's filter, past the 100 it lists", async () => {
    await page.goto('/console/deliveries?webhook_id=987654');
    await shown(page.getByRole('heading', { name: 'Deliveries' }));
    await expect(page.getByLabel('Webhook').locator('option:checked').textContent()).resolves.toBe(
      'Webhook #987654',
    );
  });
});
