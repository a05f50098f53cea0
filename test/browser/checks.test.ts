import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { HAS_CHROMIUM, launchChromium, SHOTS, signIn, skipWithoutChromium } from './support.js';

/**
 * The checks UI end to end in Debian's chromium against a whole Mainstay and a local HTTP
 * service: create an HTTP check through the form (field errors land on their inputs), run it
 * now, see its response-time chart, find it in the list, look at a heartbeat's ping URL and
 * log, keep a secret, and the same pages in the dark theme. Screenshots go to
 * test-results/screenshots/ for a human to look at.
 */

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  // Full-page shots of a scrolled page repeat the sticky shell; start from the top.
  if (fullPage) await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

/** A service to watch: JSON `{ status: "ok" }` on every path. */
function startService(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', version: '1.4.2' }));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

describe('checks UI in chromium', () => {
  let server: TestServer | undefined;
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    if (!HAS_CHROMIUM) return;
    server = await startTestServer();
    service = await startService();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await service?.close();
    await server?.close();
  });

  test('create an HTTP check through the form, run it, chart it, list it; heartbeat and secrets pages; dark theme', {
    timeout: 120_000,
  }, async (ctx) => {
    if (skipWithoutChromium(ctx)) return;
    if (!server || !browser || !service) throw new Error('beforeAll did not start the server, service and browser');
    const { url, adminEmail, adminPassword, adminToken } = server;
    const nav = (page: Page, name: string) =>
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      // Chrome logs every non-2xx response (the first 401, the 400 of a bad form) as a resource error.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
        problems.push(`console: ${msg.text()}`);
    });

    await page.goto(`${url}/checks`);
    await signIn(page, adminEmail, adminPassword);
    await page.getByTestId('checks-page').waitFor();
    await page.getByTestId('checks-table').getByTestId('empty-state').waitFor();
    await shot(page, 'checks-01-empty-list');

    // New check: kind first, then the form. Bad input comes back from the API onto its inputs.
    await page.getByTestId('new-check').click();
    await page.getByTestId('kind-picker').waitFor();
    await page.getByTestId('kind-http').click();
    const form = page.getByTestId('check-form');
    await form.getByLabel('Name').fill('shop-api');
    await form.getByLabel('Labels').fill('team=web\nenv=prod');
    await form.getByLabel('URL', { exact: true }).fill('ftp://shop.example.test/');
    await form.getByLabel('Interval (seconds)').fill('5');
    await form.getByLabel('Timeout (seconds)').fill('2');
    await form.getByTestId('add-json').click();
    await form.getByLabel('Path', { exact: true }).fill('status');
    await form.getByLabel('Value', { exact: true }).fill('ok');
    await form.getByRole('button', { name: 'Create check' }).click();
    await form.getByTestId('field-error-target.url').waitFor();
    expect(await form.getByTestId('field-error-target.url').textContent()).toContain('http');
    expect(await form.getByTestId('field-error-target.json.0.path').textContent()).toContain('JSON path');
    await shot(page, 'checks-02-form-field-errors');

    await form.getByLabel('URL', { exact: true }).fill(service.url);
    await form.getByLabel('Path', { exact: true }).fill('$.status');
    await form.getByRole('button', { name: 'Create check' }).click();
    await page.getByTestId('check-page').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('shop-api');
    expect(await page.getByTestId('check-target').textContent()).toBe(`GET ${service.url}`);

    // Run now shows the whole probe result.
    await page.getByTestId('run-now').click();
    const run = page.getByTestId('run-result-dialog');
    await run.getByTestId('probe-result').waitFor();
    expect(await run.getByTestId('probe-outcome').textContent()).toBe('ok');
    expect(await run.getByTestId('probe-message').textContent()).toContain('200');
    await run.getByTestId('timings').waitFor();
    // A modal's backdrop covers the viewport only: shoot what the user sees.
    await shot(page, 'checks-03-run-now', false);
    await run.getByRole('button', { name: 'Close', exact: true }).first().click();
    await run.waitFor({ state: 'hidden' });

    // The scheduler runs it every 5 s; with a few results stored the chart has a line to draw.
    const checkId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    const auth = { authorization: `Bearer ${adminToken}` };
    await expect
      .poll(
        async () => {
          const res = await fetch(`${url}/api/v1/checks/${checkId}/results?limit=1`, { headers: auth });
          return ((await res.json()) as { total: number }).total;
        },
        { timeout: 45_000, interval: 1000 },
      )
      .toBeGreaterThanOrEqual(3);
    await page.reload();
    const canvas = page.getByTestId('response-chart').locator('canvas').first();
    await expect
      .poll(
        async () => {
          if (await canvas.isVisible()) return true;
          await page.reload();
          await page.getByTestId('check-page').waitFor();
          await page.waitForTimeout(1000);
          return canvas.isVisible();
        },
        { timeout: 45_000, interval: 1000 },
      )
      .toBe(true);
    await expect
      .poll(() => page.getByTestId('check-status').first().textContent(), { timeout: 20_000 })
      .toContain('up');
    await page.getByTestId('results-table').getByTestId('table-row').first().waitFor();
    await page.getByTestId('results-table').getByRole('button', { name: 'Show details' }).first().click();
    await shot(page, 'checks-04-check-page');

    // Edit: the stored check fills the form, and saving it unchanged but for the description is accepted.
    await page.getByTestId('edit-check').click();
    const edit = page.getByTestId('check-form');
    expect(await edit.getByLabel('URL', { exact: true }).inputValue()).toBe(service.url);
    expect(await edit.getByLabel('Path', { exact: true }).inputValue()).toBe('$.status');
    expect(await edit.getByLabel('Labels').inputValue()).toBe('team=web\nenv=prod');
    await edit.getByLabel('Description').fill('The shop API; page the web team.');
    await edit.getByRole('button', { name: 'Save check' }).click();
    await page.getByTestId('check-settings').getByText('The shop API; page the web team.').waitFor();

    // Pause and resume.
    await page.getByTestId('pause-check').click();
    await expect.poll(() => page.getByTestId('check-status').first().textContent()).toContain('paused');
    await page.getByTestId('resume-check').click();
    await page.getByTestId('pause-check').waitFor();

    // The list: the check with its status, target, and a 24-cell uptime bar; filters go to the server.
    await nav(page, 'Checks');
    const row = page.getByTestId('checks-table').getByTestId('table-row').filter({ hasText: 'shop-api' });
    await row.waitFor();
    expect(await row.textContent()).toContain(service.url);
    expect(await row.getByTestId('uptime-bar').locator('span').count()).toBe(24);
    await page.getByTestId('filter-kind').selectOption('tcp');
    await page.getByText('Nothing matches').waitFor();
    await page.getByTestId('filter-kind').selectOption('');
    await row.waitFor();
    await shot(page, 'checks-05-list');

    // A heartbeat (created through the API) shows its ping URL and the pings received.
    const created = await fetch(`${url}/api/v1/checks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'nightly-backup', kind: 'heartbeat', target: { periodSeconds: 3600 } }),
    });
    expect(created.status).toBe(201);
    const heartbeat = (await created.json()) as { id: string; pingPath: string };
    expect((await fetch(`${url}${heartbeat.pingPath}`, { method: 'POST', body: 'backup ok: 12 GB' })).status).toBe(200);
    await page.goto(`${url}/checks/${heartbeat.id}`);
    await page.getByTestId('heartbeat').waitFor();
    expect(await page.getByTestId('ping-url').inputValue()).toBe(`${url}${heartbeat.pingPath}`);
    await page.getByTestId('pings-table').getByText('backup ok: 12 GB').waitFor();
    await shot(page, 'checks-06-heartbeat');

    // Secrets: created with a password input; the list never holds the value.
    await nav(page, 'Secrets');
    await page.getByTestId('secrets-page').waitFor();
    await page.getByTestId('create-secret').click();
    const secretForm = page.getByTestId('create-secret-form');
    await secretForm.getByLabel('Name').fill('shop-api-token');
    await secretForm.getByLabel('Description').fill('bearer token for the shop API');
    expect(await secretForm.getByLabel('Value').getAttribute('type')).toBe('password');
    await secretForm.getByLabel('Value').fill('s3cr3t-value-never-shown');
    await secretForm.getByRole('button', { name: 'Create secret' }).click();
    await page.getByTestId('table-row').filter({ hasText: 'shop-api-token' }).waitFor();
    expect(await page.content()).not.toContain('s3cr3t-value-never-shown');
    await shot(page, 'checks-07-secrets');

    // Dark theme: the chart reads its colours from the theme.
    await page.getByTestId('theme-toggle').click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await nav(page, 'Checks');
    await page.getByTestId('checks-table').getByTestId('check-link').filter({ hasText: 'shop-api' }).click();
    await page.getByTestId('response-chart').locator('canvas').first().waitFor();
    await shot(page, 'checks-08-check-page-dark');
    await nav(page, 'Checks');
    await row.waitFor();
    await shot(page, 'checks-09-list-dark');
    await page.getByTestId('new-check').click();
    await page.getByTestId('kind-sql').click();
    await page.getByTestId('check-form').waitFor();
    await shot(page, 'checks-10-sql-form-dark');

    expect(problems).toEqual([]);
  });
});
