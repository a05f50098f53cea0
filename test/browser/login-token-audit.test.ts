import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { HAS_CHROMIUM, launchChromium, SHOTS, signIn, skipWithoutChromium } from './support.js';

/**
 * The web app end to end in Debian's chromium: sign in, create an API token (shown once),
 * find its `token.create` entry in the audit log, and switch to the dark theme.
 * Screenshots go to test-results/screenshots/ for a human to look at.
 */

const TOKEN_NAME = 'browser test token';

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

describe('web app in chromium', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    if (!HAS_CHROMIUM) return;
    server = await startTestServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  test('an admin signs in, creates an API token that is shown once, and finds token.create in the audit log', async (ctx) => {
    if (skipWithoutChromium(ctx)) return;
    if (!server || !browser) throw new Error('beforeAll did not start the server and the browser');
    const { url, adminEmail, adminPassword } = server;

    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      // Chrome logs every non-2xx response; the 401 of the first session check is expected.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
        problems.push(`console: ${msg.text()}`);
    });

    // A deep link works through the SPA fallback and, without a session, shows the sign-in page.
    const first = await page.goto(`${url}/settings/tokens`);
    expect(first?.status()).toBe(200);
    expect(first?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect.poll(() => page.getByTestId('login-page').isVisible()).toBe(true);

    // A wrong password is answered on the form, not with a blank page.
    await signIn(page, adminEmail, 'not the password');
    await page.getByTestId('form-error').waitFor();
    await shot(page, '01-login-error');

    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('tokens-page').waitFor();
    await expect.poll(() => page.getByTestId('current-user').textContent()).toContain(adminEmail);

    // The navigation shell, then API tokens through it.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByTestId('overview-page').waitFor();
    await shot(page, '02-overview');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Checks', exact: true }).click();
    await page.getByTestId('checks-page').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens', exact: true }).click();
    await page.getByTestId('tokens-page').waitFor();

    // Create a token.
    await page.getByTestId('create-token').click();
    const createDialog = page.getByRole('dialog', { name: 'Create API token' });
    await createDialog.waitFor();
    await createDialog.getByLabel('Name').fill(TOKEN_NAME);
    await createDialog.getByLabel('Scope').selectOption('editor');
    await createDialog.getByLabel('Expires in (days)').fill('30');
    await shot(page, '03-create-token');
    await createDialog.getByRole('button', { name: 'Create token' }).click();

    // The plaintext token is shown once, with a copy button and a warning.
    const created = page.getByRole('dialog', { name: 'Token created' });
    await created.waitFor();
    const token = await created.getByTestId('new-token-value').inputValue();
    expect(token.length).toBeGreaterThan(16);
    await expect
      .poll(() => created.getByTestId('token-once-warning').textContent())
      .toContain('will not be shown again');
    expect(await created.getByRole('button', { name: 'Copy' }).isVisible()).toBe(true);
    await shot(page, '04-token-created');

    // The token really works against the API.
    const meRes = await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(meRes.status).toBe(200);
    expect(((await meRes.json()) as { email: string }).email).toBe(adminEmail);

    await created.getByRole('button', { name: 'I have copied it' }).click();
    await created.waitFor({ state: 'hidden' });
    const row = page.getByTestId('table-row').filter({ hasText: TOKEN_NAME });
    await row.waitFor();
    expect(await row.textContent()).toContain('editor');
    expect(await page.content()).not.toContain(token);
    await shot(page, '05-tokens-list');

    // The audit log has the creation, with the token's metadata and never its secret.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.getByTestId('audit-page').waitFor();
    await page.getByTestId('audit-filter-action').fill('token.create');
    const entry = page.getByTestId('table-row').filter({ hasText: 'token.create' }).filter({ hasText: TOKEN_NAME });
    await entry.waitFor();
    // The filter went to the server: every row on the page is a token.create.
    await expect
      .poll(async () => [...new Set(await page.getByTestId('audit-action').allTextContents())])
      .toEqual(['token.create']);
    await entry.getByRole('button', { name: 'Show details' }).click();
    const after = page.getByTestId('audit-after');
    await after.waitFor();
    expect(await after.textContent()).toContain(TOKEN_NAME);
    expect(await page.content()).not.toContain(token);
    await shot(page, '06-audit-token-create');

    // Dark theme: the toggle applies it, and the choice survives a reload.
    await page.getByTestId('theme-toggle').click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.reload();
    await page.getByTestId('audit-page').waitFor();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    // A string expression: this file is type-checked without the DOM library.
    const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(background).not.toBe('rgb(246, 247, 249)');
    await page
      .getByTestId('table-row')
      .filter({ hasText: 'token.create' })
      .filter({ hasText: TOKEN_NAME })
      .getByRole('button', { name: 'Show details' })
      .click();
    await page.getByTestId('audit-after').waitFor();
    await shot(page, '07-audit-dark');

    // Sign out brings the sign-in page back.
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-page').waitFor();
    await shot(page, '08-signed-out-dark');

    expect(problems).toEqual([]);
  });
});
