import { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { bearer, createUser, TestUser } from './factories/users';
import { DELIVERY_TEST_ENV } from './factories/webhooks';
import { launchChromium, openPage, signIn } from './helpers/browser';
import { createTestApp, TestApp } from './helpers/test-app';

async function shown(locator: Locator, timeout = 10_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator.first();
}

/** The console's webhook form: filter and template editing, presets, and the live preview. */
describe('console: filters, templates and preview (browser, e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      createTestApp({ ...DELIVERY_TEST_ENV, PUBLIC_URL: 'https://help.example.com' }),
      launchChromium(),
    ]);
    admin = await createUser(t, 'admin');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(async () => {
    ({ context, page, errors: pageErrors } = await openPage(browser, { baseURL: t.baseUrl }));
    await signIn(page, admin);
    await (await shown(page.getByRole('link', { name: 'New webhook' }))).click();
    await shown(page.getByRole('heading', { name: 'New webhook' }));
  });
  afterEach(async () => {
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  const previewBody = () => page.getByLabel('Preview body');

  it('previews a preset and a filter live, then saves both', async () => {
    await page.getByLabel('Name').fill('On-call Slack');
    await page.getByLabel('URL').fill('https://hooks.example.com/slack');
    await page.getByLabel('ticket.created').check();
    // Without filter or template the preview is the sample event as is.
    await shown(page.getByText('The filter keeps this event; the receiver gets:'));
    await expect(previewBody().textContent()).resolves.toContain('"event": "ticket.created"');

    await page.getByLabel('Start from a preset').selectOption({ label: 'Slack' });
    await expect(page.getByLabel('Template (JSONata)').inputValue()).resolves.toContain('"blocks"');
    await shown(previewBody().filter({ hasText: '"text": "New ticket #123: Login Issue"' }));
    await expect(previewBody().textContent()).resolves.toContain(
      'https://help.example.com/tickets/123',
    );

    await page.getByLabel('Filter (JSON)').fill('{"data": {"priority": "urgent"}}');
    await shown(page.getByText('The filter drops this event: nothing is sent.'));
    await page
      .getByLabel('Filter (JSON)')
      .fill('{"data": {"priority": {"$in": ["medium", "high"]}}}');
    await shown(page.getByText('The filter keeps this event; the receiver gets:'));
    await page.getByLabel('Filter (JSON)').fill('{"data": ');
    await shown(page.getByText('Preview: filter must be valid JSON'));
    await page
      .getByLabel('Filter (JSON)')
      .fill('{"data": {"priority": {"$in": ["medium", "high"]}}}');

    await page.getByRole('button', { name: 'Create webhook' }).click();
    await shown(page.getByRole('heading', { name: 'On-call Slack' }));
    const list = await t.http.get('/api/admin/webhooks?limit=100').set(bearer(admin.token));
    const saved = (list.body.data as { name: string; filter: unknown; template: string }[]).find(
      (w) => w.name === 'On-call Slack',
    )!;
    expect(saved.filter).toEqual({ data: { priority: { $in: ['medium', 'high'] } } });
    expect(saved.template).toContain('"blocks"');
  });

  it("shows the API's refusal of a template beside it, and its evaluation error in the preview", async () => {
    await page.getByLabel('Name').fill('Broken template');
    await page.getByLabel('URL').fill('https://hooks.example.com/broken');
    await page.getByLabel('Template (JSONata)').fill('$error("no thanks")');
    await shown(page.getByText(/Preview: template failed: .*no thanks/));
    await page.getByLabel('Template (JSONata)').fill('{"text": ');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const error = await shown(page.locator('#template-error'));
    await expect(error.textContent()).resolves.toMatch(/template does not parse/);
    await expect(page.getByLabel('Template (JSONata)').getAttribute('aria-invalid')).resolves.toBe(
      'true',
    );
  });
});
