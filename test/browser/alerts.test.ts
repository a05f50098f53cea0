import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { adminApi, HAS_CHROMIUM, launchChromium, SHOTS, signIn, skipWithoutChromium } from './support.js';

/**
 * The alerts UI end to end in Debian's chromium against a whole Mainstay: routing, inhibition and
 * a maintenance window applied as code, alerts pushed through the PagerDuty Events API; then the
 * live list (grouping, matcher filter and its error), an alert's why-trail, acknowledging it, a
 * silence made from it with its preview, the silences list, the routing tester and the
 * maintenance calendar. Screenshots go to test-results/screenshots/alerts-*.png.
 */

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  if (fullPage) await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

function doc(kind: string, name: string, spec: unknown) {
  return { apiVersion: 'mainstay/v1', kind, metadata: { name }, spec };
}

/** `YYYY-MM-DDTHH:MM` in UTC, the wall clock of a window whose timeZone is UTC. */
function utcWallClock(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

interface AlertJson {
  id: string;
  summary: string;
  why: { state: string };
}

describe('alerts UI in chromium', () => {
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

  test('list, filter and group alerts, read the why-trail, silence one with a preview, test routing, see maintenance', {
    timeout: 180_000,
  }, async (ctx) => {
    if (skipWithoutChromium(ctx)) return;
    if (!server || !browser) throw new Error('beforeAll did not start the server and browser');
    const { url, adminEmail, adminPassword } = server;
    const call = adminApi(server);

    // Configuration as code: two receivers, a tree with a db branch, an inhibition, two maintenance windows.
    const now = Date.now();
    const documents = [
      doc('Receiver', 'ops', {}),
      doc('Receiver', 'db-team', {}),
      doc('Route', 'root', {
        receiver: 'ops',
        groupBy: ['service'],
        groupWait: '0s',
        groupInterval: '1s',
        repeatInterval: '4h',
        routes: [
          { matchers: ['service="db"'], receiver: 'db-team', groupBy: ['service', 'severity'] },
          { matchers: ['severity=~"critical|error"'], continue: true, repeatInterval: '1h' },
        ],
      }),
      doc('Integration', 'pd-api', { type: 'pagerduty', labels: { service: 'api', team: 'web' } }),
      doc('Integration', 'pd-db', { type: 'pagerduty', labels: { service: 'db', team: 'data' } }),
      doc('InhibitRule', 'db-outage-holds-api', {
        sourceMatchers: ['class="outage"'],
        targetMatchers: ['service="api"', 'severity="warning"'],
        description: 'a database outage explains API warnings',
      }),
      doc('MaintenanceWindow', 'db2-upgrade', {
        timeZone: 'UTC',
        starts: utcWallClock(now - 30 * 60_000),
        duration: '3h',
        matchers: ['source="db2"'],
        comment: 'PostgreSQL 17 upgrade of the replica',
      }),
      doc('MaintenanceWindow', 'weekly-patching', {
        timeZone: 'UTC',
        starts: '2026-01-04T02:00',
        duration: '2h',
        rrule: 'FREQ=WEEKLY;BYDAY=SU',
        matchers: ['component="kernel"'],
      }),
    ];
    await call('POST', '/api/v1/apply', {
      documents: documents.map((d, i) => ({ source: `alerts.yaml#${i + 1}`, document: d })),
    });
    const keys = {
      api: ((await call('POST', '/api/v1/integrations/pd-api/key')) as { key: string }).key,
      db: ((await call('POST', '/api/v1/integrations/pd-db/key')) as { key: string }).key,
    };
    const trigger = async (key: string, dedup: string, payload: Record<string, string>) => {
      const res = await fetch(`${url}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ routing_key: key, event_action: 'trigger', dedup_key: dedup, payload }),
      });
      expect(res.status).toBe(202);
    };
    const firing = async () =>
      ((await call('GET', '/api/v1/alerts?limit=50')) as { items: AlertJson[] }).items.filter(
        (a) => a.why.state !== 'pending',
      ).length;

    // The outage first, so the inhibition has its source when the API warning arrives.
    await trigger(keys.db, 'db1-down', {
      summary: 'Primary database db1 is down',
      source: 'db1',
      severity: 'critical',
      class: 'outage',
    });
    await expect.poll(firing, { timeout: 20_000 }).toBe(1);
    await trigger(keys.api, 'api-errors', {
      summary: 'API error rate above 5% on checkout',
      source: 'api-1',
      severity: 'warning',
      component: 'checkout',
    });
    await trigger(keys.api, 'api2-disk', { summary: 'Disk 91% full on api-2', source: 'api-2', severity: 'error' });
    await trigger(keys.api, 'cache-ratio', {
      summary: 'Cache hit ratio below 80%',
      source: 'cache-1',
      severity: 'info',
    });
    await trigger(keys.db, 'db2-lag', {
      summary: 'Replication lag 45 s on db2',
      source: 'db2',
      severity: 'warning',
      component: 'replica',
    });
    await trigger(keys.api, 'api2-disk', { summary: 'Disk 91% full on api-2', source: 'api-2', severity: 'error' });
    await expect.poll(firing, { timeout: 20_000 }).toBe(5);

    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      // Chrome logs every non-2xx response (the first 401, the 400 of a bad matcher) as a resource error.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
        problems.push(`console: ${msg.text()}`);
    });
    const nav = (name: string) =>
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

    await page.goto(`${url}/alerts`);
    await signIn(page, adminEmail, adminPassword);
    await page.getByTestId('alerts-page').waitFor();
    const rows = page.getByTestId('alert-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(5);

    // The API warning is held by the inhibition, the replica by its maintenance window; the repeat counts.
    const apiRow = rows.filter({ hasText: 'API error rate' });
    await expect
      .poll(() => apiRow.getByTestId('alert-state').textContent())
      .toContain('inhibited by db-outage-holds-api');
    const lagRow = rows.filter({ hasText: 'Replication lag' });
    expect(await lagRow.getByTestId('alert-state').textContent()).toContain('maintenance db2-upgrade');
    expect(await rows.filter({ hasText: 'Disk 91%' }).locator('td').nth(3).textContent()).toBe('1');

    // Group by service: two groups with their counts; a group collapses.
    await page.getByTestId('group-by').selectOption('service');
    const groups = page.getByTestId('alert-group');
    await expect.poll(() => groups.count()).toBe(2);
    expect(await groups.filter({ hasText: 'service=api' }).getByTestId('alert-group-count').textContent()).toBe(
      '3 alerts',
    );
    expect(await groups.filter({ hasText: 'service=db' }).getByTestId('alert-group-count').textContent()).toBe(
      '2 alerts',
    );
    await shot(page, 'alerts-01-list-grouped');
    await groups.filter({ hasText: 'service=db' }).getByTestId('alert-group-toggle').click();
    await expect.poll(() => rows.count()).toBe(3);
    await groups.filter({ hasText: 'service=db' }).getByTestId('alert-group-toggle').click();
    await expect.poll(() => rows.count()).toBe(5);

    // Matchers narrow the list on the server; a bad one shows the API's error on the box.
    const matcher = page.getByTestId('filter-matcher');
    await matcher.fill('service=~"api|web", severity!="info"');
    await expect.poll(() => rows.count()).toBe(2);
    expect(new URL(page.url()).searchParams.get('matcher')).toBe('service=~"api|web", severity!="info"');
    await matcher.fill('severity=~"(crit"');
    const matcherError = page.getByTestId('field-error-matcher');
    await matcherError.waitFor();
    expect(await matcherError.textContent()).toContain('invalid regex');
    expect(await rows.count()).toBe(0);
    await shot(page, 'alerts-02-invalid-matcher');
    await matcher.fill('');
    await expect.poll(() => rows.count()).toBe(5);

    // The inhibited alert: its why-trail names the rule and links the alert that inhibits it.
    await apiRow.getByTestId('alert-link').click();
    await page.getByTestId('alert-page').waitFor();
    const trail = page.getByTestId('why-trail');
    await trail.getByTestId('why-inhibited').waitFor();
    expect(await trail.getByTestId('why-suppressed').textContent()).toContain('Suppressed');
    await expect
      .poll(() => trail.getByTestId('why-inhibited').textContent())
      .toBe('Inhibited by rule db-outage-holds-api because alert Primary database db1 is down fires.');
    expect(await trail.getByTestId('why-route').first().textContent()).toContain(
      'Routed to receiver ops via route root',
    );
    await page.getByTestId('acknowledge').click();
    await page.getByTestId('ack').first().waitFor();
    await trail.getByTestId('why-acknowledged').waitFor();
    await page.getByTestId('history-entry').filter({ hasText: 'acknowledged' }).first().waitFor();
    await shot(page, 'alerts-03-alert-page');

    // Silence…: the editor starts with the alert's labels; the preview counts what they match.
    await page.getByTestId('silence-alert').click();
    await page.getByTestId('silence-editor').waitFor();
    const matcherRows = page.getByTestId('matcher-row');
    // severity, source and component from the event; service, team and integration from the integration.
    expect(await matcherRows.count()).toBe(6);
    const preview = page.getByTestId('preview-count');
    await expect.poll(() => preview.textContent()).toContain('1 firing alert matches');
    // Keep service and team only: every alert of the API integration.
    for (const label of ['component', 'integration', 'severity', 'source']) {
      const index = await matcherRows.evaluateAll(
        (els, name) =>
          els.findIndex((el) => (el.querySelector('input') as unknown as { value: string }).value === name),
        label,
      );
      await matcherRows.nth(index).getByTestId('remove-matcher').click();
    }
    await expect.poll(() => preview.textContent()).toContain('3 firing alerts match');
    expect(await page.getByTestId('preview-alert').count()).toBe(3);
    // The server's validation lands on the fields: a bad regex on its row, a missing comment on the comment.
    await page.getByTestId('add-matcher').click();
    await matcherRows.nth(2).getByTestId('matcher-name').fill('source');
    await matcherRows.nth(2).getByTestId('matcher-op').selectOption('=~');
    await matcherRows.nth(2).getByTestId('matcher-value').fill('api-(');
    await page.getByTestId('field-error-matchers.2').waitFor();
    await page.getByRole('button', { name: 'Create silence' }).click();
    await page.getByTestId('field-error-comment').waitFor();
    await matcherRows.nth(2).getByTestId('remove-matcher').click();
    await expect.poll(() => preview.textContent()).toContain('3 firing alerts match');
    await page.getByTestId('duration-1d').click();
    await page.getByTestId('silence-comment').fill('Checkout deploy in progress; ask #web-oncall.');
    await shot(page, 'alerts-04-silence-editor');
    await page.getByRole('button', { name: 'Create silence' }).click();
    await page.getByTestId('silence-page').waitFor();
    expect(await page.getByTestId('silence-state').textContent()).toBe('active');
    await expect.poll(() => page.getByTestId('preview-count').textContent()).toContain('3 firing alerts match');
    const silenceName = (await page.getByRole('heading', { level: 1 }).locator('.mono').textContent()) ?? '';
    expect(silenceName).toMatch(/^silence-/);
    await shot(page, 'alerts-05-silence-page');

    // The silences list shows it; the alerts it matches now read "silenced by" it.
    await nav('Silences');
    const silenceRow = page.getByTestId('silences-table').getByTestId('table-row').filter({ hasText: silenceName });
    await silenceRow.waitFor();
    expect(await silenceRow.textContent()).toContain('service="api"');
    expect(await silenceRow.getByTestId('expire-silence').isVisible()).toBe(true);
    await shot(page, 'alerts-06-silences');
    // A group re-judges its alerts when it next flushes (creating a silence does not flush it): a new
    // alert in the root route's service=api group does.
    await trigger(keys.api, 'api3-slow', { summary: 'Slow responses on api-3', source: 'api-3', severity: 'warning' });
    await nav('Alerts');
    await expect
      .poll(() => rows.filter({ hasText: 'Cache hit ratio' }).getByTestId('alert-state').textContent(), {
        timeout: 15_000,
      })
      .toContain(`silenced by ${silenceName}`);
    await expect.poll(() => rows.count()).toBe(6);

    // Routing: the tree, and a label set tested against it lights up the routes it reaches.
    await nav('Routing');
    await page.getByTestId('routing-page').waitFor();
    await expect.poll(() => page.getByTestId('route-node').count()).toBe(3);
    await page.getByTestId('routing-labels').fill('{service="db", severity="critical"}');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByTestId('routing-result').waitFor();
    expect(await page.locator('[data-testid="route-node"][data-matched]').getAttribute('data-path')).toBe('root.0');
    expect(await page.getByTestId('routing-result-route').textContent()).toContain('receiver db-team');
    expect(await page.getByTestId('routing-result-route').textContent()).toContain('service="db"');
    await shot(page, 'alerts-07-routing');
    await page.getByTestId('routing-labels').fill('not a label');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByTestId('field-error-labels').waitFor();

    // Maintenance: the calendar draws the open window today and the weekly one on Sundays.
    await nav('Maintenance windows');
    const calendar = page.getByTestId('maintenance-calendar');
    await calendar.getByTestId('calendar-block').filter({ hasText: 'db2-upgrade' }).first().waitFor();
    expect(await calendar.getByTestId('calendar-block').filter({ hasText: 'weekly-patching' }).count()).toBe(4);
    expect(await page.getByTestId('maintenance-window').count()).toBe(2);
    await shot(page, 'alerts-08-maintenance');
    await page.getByTestId('calendar-next').click();
    await expect
      .poll(() => calendar.getByTestId('calendar-block').filter({ hasText: 'weekly-patching' }).count())
      .toBe(4);
    expect(await calendar.getByTestId('calendar-block').filter({ hasText: 'db2-upgrade' }).count()).toBe(0);

    // Dark theme.
    await page.getByTestId('theme-toggle').click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await nav('Alerts');
    await page.getByTestId('group-by').selectOption('service');
    await expect.poll(() => rows.count()).toBe(6);
    await shot(page, 'alerts-09-list-dark');
    await rows.filter({ hasText: 'Replication lag' }).getByTestId('alert-link').click();
    await page.getByTestId('why-maintenance').waitFor();
    await shot(page, 'alerts-10-alert-page-dark');
    const alertUrl = page.url();
    await nav('Maintenance windows');
    await page.getByTestId('maintenance-calendar').getByTestId('calendar-block').first().waitFor();
    await shot(page, 'alerts-11-maintenance-dark', false);

    // A viewer sees alerts but no Acknowledge, Resolve or Silence buttons.
    await call('POST', '/api/v1/users', {
      email: 'viewer@example.test',
      name: 'Vera Viewer',
      role: 'viewer',
      password: 'viewer password 123',
    });
    const viewer = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const viewerPage = await viewer.newPage();
    await viewerPage.goto(alertUrl);
    await signIn(viewerPage, 'viewer@example.test', 'viewer password 123');
    await viewerPage.getByTestId('why-trail').waitFor();
    expect(await viewerPage.getByTestId('acknowledge').count()).toBe(0);
    expect(await viewerPage.getByTestId('resolve').count()).toBe(0);
    expect(await viewerPage.getByTestId('silence-alert').count()).toBe(0);
    await viewer.close();

    expect(problems).toEqual([]);
  });
});
