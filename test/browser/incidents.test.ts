import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { adminApi, HAS_CHROMIUM, launchChromium, SHOTS, signIn, skipWithoutChromium } from './support.js';

/**
 * Incidents, on-call and notification settings end to end in Debian's chromium against a whole
 * Mainstay: two people, a webhook channel pointing at a server this test runs, a two-layer schedule
 * with an override, an escalation policy and an incident paging through it, all seeded through the
 * API. Then the incident list and page (acknowledge, a note, a commander, delivery receipts), the
 * postmortem and an action item, who is on call, the schedule calendar with an override added in
 * the UI, the policy editor's field error for a level without targets, and a contact method added
 * and tested from the notification settings. Screenshots go to test-results/screenshots/incidents-*.png.
 */

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  if (fullPage) await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

function doc(kind: string, name: string, spec: unknown) {
  return { apiVersion: 'mainstay/v1', kind, metadata: { name }, spec };
}

interface Hook {
  url: string;
  bodies: Array<{ event?: string; title?: string }>;
  close(): Promise<void>;
}

/** A webhook receiver that answers 200 and keeps every JSON body it got. */
async function startHook(): Promise<Hook> {
  const bodies: Hook['bodies'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        bodies.push({});
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('incidents and on-call UI in chromium', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let hook: Hook | undefined;

  beforeAll(async () => {
    if (!HAS_CHROMIUM) return;
    server = await startTestServer();
    browser = await launchChromium();
    hook = await startHook();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await hook?.close();
  });

  test('work an incident, write its postmortem, read the schedule, edit a policy, add and test a contact method', {
    timeout: 180_000,
  }, async (ctx) => {
    if (skipWithoutChromium(ctx)) return;
    if (!server || !browser || !hook) throw new Error('beforeAll did not start the server, browser and webhook');
    const { url, adminEmail, adminPassword } = server;
    const call = adminApi(server);

    // Two people who take turns; both reachable through the webhook, so whoever is on call now gets paged.
    const people = [
      { email: 'alice@example.test', name: 'Alice Archer' },
      { email: 'bob@example.test', name: 'Bob Baker' },
    ];
    const ids: string[] = [];
    for (const p of people) {
      const u = await call('POST', '/api/v1/users', { ...p, role: 'responder', password: `${p.name} password 1` });
      ids.push(u.id);
    }
    await call('POST', '/api/v1/apply', {
      documents: [
        doc('Channel', 'ops-hook', { type: 'webhook', url: hook.url, description: 'The on-call bridge' }),
        doc('Schedule', 'primary', {
          timeZone: 'Europe/Berlin',
          description: 'Primary on-call for the web platform.',
          layers: [
            {
              name: 'weekly',
              rotation: {
                unit: 'weeks',
                start: '2026-01-05',
                handoff: '09:00',
                participants: ['alice@example.test', 'bob@example.test'],
              },
            },
            {
              name: 'weekend days',
              rotation: { unit: 'days', start: '2026-01-03', participants: ['bob@example.test', 'alice@example.test'] },
              restrictions: [{ days: ['sat', 'sun'], start: '09:00', end: '18:00' }],
            },
          ],
        }),
        doc('EscalationPolicy', 'web-critical', {
          description: 'Checkout and the public API',
          levels: [
            { escalateAfterMinutes: 15, targets: [{ schedule: 'primary' }] },
            { escalateAfterMinutes: 30, targets: [{ user: adminEmail }, { channel: 'ops-hook' }] },
          ],
          repeat: 1,
        }),
      ].map((document, i) => ({ source: `seed.yaml#${i + 1}`, document })),
    });
    for (const id of ids) {
      await call('POST', `/api/v1/users/${id}/contact-methods`, { name: 'bridge', channel: 'ops-hook' });
      await call('PUT', `/api/v1/users/${id}/notification-rules`, { rules: [{ contactMethod: 'bridge' }] });
    }
    const now = Date.now();
    await call('POST', '/api/v1/schedules/primary/overrides', {
      user: adminEmail,
      start: new Date(now + 2 * 3_600_000).toISOString(),
      end: new Date(now + 6 * 3_600_000).toISOString(),
      reason: 'covering the release',
    });
    const incident = await call('POST', '/api/v1/incidents', {
      title: 'Checkout API answers 500 for a third of requests',
      description: 'Error rate above 30% since the 14:02 deploy.',
      severity: 'SEV2',
      service: 'checkout',
      policy: 'web-critical',
    });
    // The page to whoever is on call goes out through the webhook.
    await expect.poll(() => hook?.bodies.some((b) => b.event === 'incident.triggered'), { timeout: 20_000 }).toBe(true);
    const onCallNow = (await call('GET', '/api/v1/schedules/primary/oncall')) as { onCall: { name: string } | null };

    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      // Chrome logs every non-2xx response (the first 401, the 404 of a postmortem not written yet, a 400) as a resource error.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
        problems.push(`console: ${msg.text()}`);
    });
    const nav = (name: string) =>
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

    await page.goto(`${url}/incidents`);
    await signIn(page, adminEmail, adminPassword);
    await page.getByTestId('incidents-page').waitFor();

    // The list: the open incident with its severity and status; the resolved tab is empty.
    const row = page.getByTestId('incident-row').filter({ hasText: 'Checkout API answers 500' });
    await row.waitFor();
    expect(await row.getByTestId('incident-severity').textContent()).toBe('SEV2');
    expect(await row.getByTestId('incident-status').textContent()).toBe('triggered');
    await shot(page, 'incidents-01-list');
    await page.getByTestId('tab-resolved').click();
    await page.getByText('No incidents here yet').waitFor();
    await page.getByTestId('tab-open').click();
    await page.getByTestId('filter-SEV1').click();
    await page.getByText('No incidents match').waitFor();
    expect(new URL(page.url()).searchParams.get('severity')).toBe('SEV1');
    await page.getByTestId('filter-SEV2').click();
    await row.waitFor();
    await page.getByTestId('filter-q').fill('checkout');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('checkout');
    await row.waitFor();
    await row.getByTestId('incident-link').click();

    // The incident page: acknowledge, a note, a commander; the page's delivery receipt shows the webhook's 200.
    await page.getByTestId('incident-page').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/incidents/${incident.number}`);
    await page.getByTestId('acknowledge').click();
    await expect.poll(() => page.getByTestId('incident-status').textContent()).toBe('acknowledged');
    const timeline = page.getByTestId('incident-timeline');
    await timeline.locator('[data-type="acknowledged"]').waitFor();
    expect(await timeline.locator('[data-type="acknowledged"]').getByTestId('timeline-actor').textContent()).toBe(
      `by ${adminEmail}`,
    );
    await page.getByTestId('note-text').fill('Rolled back the 14:02 deploy; error rate falling.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await timeline.locator('[data-type="note"]').filter({ hasText: 'Rolled back the 14:02 deploy' }).waitFor();
    expect(await page.getByTestId('note-text').inputValue()).toBe('');

    await page.getByTestId('assign-role').click();
    const assign = page.getByTestId('assign-role-dialog');
    expect(await assign.getByTestId('role-select').inputValue()).toBe('commander');
    await assign.getByPlaceholder('Search by name or email').fill('Alice');
    await assign.getByRole('button', { name: /Alice Archer/ }).click();
    await assign.getByRole('button', { name: 'Assign', exact: true }).click();
    const commander = page.locator('[data-testid="incident-role"][data-role="commander"]');
    await commander.waitFor();
    expect(await commander.textContent()).toContain('alice@example.test');
    await timeline.locator('[data-type="role.assigned"]').waitFor();

    const delivered = timeline.locator('[data-type="notification.delivered"]').first();
    await delivered.waitFor({ timeout: 15_000 });
    expect(await delivered.textContent()).toContain('HTTP 200');
    await delivered.getByTestId('receipts-toggle').click();
    const receipt = delivered.getByTestId('receipt').first();
    await receipt.waitFor();
    expect(await receipt.textContent()).toContain('200');
    await shot(page, 'incidents-02-incident-page');

    // Postmortem: created from the template, the root cause written and saved with its version.
    await page.getByTestId('tab-postmortem').click();
    await page.getByTestId('pm-create').click();
    await page.getByTestId('pm-root-cause').waitFor();
    expect(await page.getByTestId('pm-summary').inputValue()).toContain('Checkout API answers 500');
    expect(await page.getByTestId('pm-version').textContent()).toContain('version 1');
    await page.getByTestId('pm-root-cause').fill('A connection pool of 10 for 40 workers after the deploy.');
    await page.getByTestId('pm-status-select').selectOption('in_review');
    await page.getByTestId('pm-save').click();
    await page.getByTestId('pm-saved').waitFor();
    expect(await page.getByTestId('pm-version').textContent()).toContain('version 2');
    expect(await page.getByTestId('pm-status').textContent()).toBe('In review');
    const saved = (await call('GET', `/api/v1/incidents/${incident.id}/postmortem`)) as {
      version: number;
      document: { rootCause: string };
    };
    expect(saved.version).toBe(2);
    expect(saved.document.rootCause).toBe('A connection pool of 10 for 40 workers after the deploy.');
    expect(await page.getByTestId('pm-download').getAttribute('href')).toBe(
      `/api/v1/incidents/${incident.id}/postmortem.md`,
    );

    // An action item with an owner and a due date; its status changes in place.
    await page.getByTestId('add-action-item').click();
    const itemDialog = page.getByTestId('action-item-dialog');
    await itemDialog.getByTestId('ai-title').fill('Size the pool from the worker count');
    await itemDialog.getByTestId('ai-owner').fill('alice@example.test');
    await itemDialog.getByTestId('ai-due').fill('2026-12-15');
    await itemDialog.getByRole('button', { name: 'Add action item' }).click();
    const items = page.getByTestId('action-items-table').getByTestId('table-row');
    await items.filter({ hasText: 'Size the pool' }).waitFor();
    expect(await items.filter({ hasText: 'Size the pool' }).textContent()).toContain('alice@example.test');
    await items.filter({ hasText: 'Size the pool' }).getByTestId('ai-status-inline').selectOption('in_progress');
    await expect
      .poll(
        async () =>
          ((await call('GET', '/api/v1/action-items')) as { items: Array<{ status: string }> }).items[0]?.status,
      )
      .toBe('in_progress');
    await shot(page, 'incidents-03-postmortem');

    // Action items across incidents: the item shows; "mine" hides it (it is Alice's).
    await nav('Action items');
    await page.getByTestId('action-items-page').waitFor();
    const allItems = page.getByTestId('action-items-table').getByTestId('table-row');
    await allItems.filter({ hasText: 'Size the pool' }).waitFor();
    await page.getByTestId('ai-filter-mine').check();
    await expect.poll(() => allItems.count()).toBe(0);

    // On-call: who is on call now on the schedule, as the API says.
    await nav('On-call');
    await page.getByTestId('oncall-page').waitFor();
    const oncallRow = page.getByTestId('oncall-table').getByTestId('table-row').filter({ hasText: 'primary' });
    await oncallRow.waitFor();
    expect(await oncallRow.getByTestId('oncall-now').textContent()).toContain(onCallNow.onCall?.name ?? 'nobody');

    // The schedule: both layers, the overrides row and the final row, the seeded override drawn as one.
    await oncallRow.getByTestId('schedule-link').click();
    await page.getByTestId('schedule-page').waitFor();
    const calendar = page.getByTestId('schedule-calendar');
    await calendar.waitFor();
    expect(await calendar.getByTestId('sched-layer').count()).toBe(2);
    expect(await page.getByTestId('schedule-zone').textContent()).toContain('Europe/Berlin');
    expect(await calendar.getByTestId('sched-now').count()).toBe(1);
    expect(await calendar.getByTestId('sched-overrides').locator('[data-kind="override"]').count()).toBe(1);
    expect(
      await calendar.getByTestId('sched-final').locator(`[data-kind="override"][data-user="${adminEmail}"]`).count(),
    ).toBeGreaterThan(0);
    expect(await page.getByTestId('schedule-change').count()).toBe(1);
    // Another override, from the form (the default range starts at the next full hour).
    await page.getByTestId('add-override').click();
    const overrideDialog = page.getByTestId('override-dialog');
    await overrideDialog.getByTestId('override-user').fill('bob@example.test');
    await overrideDialog.getByTestId('override-reason').fill('swap for the offsite');
    await overrideDialog.getByRole('button', { name: 'Add override' }).click();
    await expect.poll(() => page.getByTestId('schedule-change').count()).toBe(2);
    await expect.poll(() => calendar.getByTestId('sched-overrides').locator('[data-kind="override"]').count()).toBe(2);
    // A swap, and the schedule's secret calendar feed.
    await page.getByTestId('add-swap').click();
    const swapDialog = page.getByTestId('swap-dialog');
    await swapDialog.getByTestId('swap-from').fill('alice@example.test');
    await swapDialog.getByTestId('swap-to').fill('bob@example.test');
    await swapDialog.getByRole('button', { name: 'Swap', exact: true }).click();
    await expect.poll(() => page.getByTestId('schedule-change').count()).toBe(3);
    await calendar.getByTestId('sched-overrides').locator('[data-kind="swap"]').waitFor();
    await page.getByTestId('schedule-feed').click();
    const feed = page.getByTestId('feed-dialog');
    await feed.getByTestId('feed-rotate').click();
    await expect.poll(() => feed.getByTestId('feed-url').inputValue()).toMatch(/\/ical\/[^/]+\.ics$/);
    // The feed URL is built on the configured external URL; ask this server for its path.
    const ics = await fetch(`${url}${new URL(await feed.getByTestId('feed-url').inputValue()).pathname}`);
    expect(ics.status).toBe(200);
    expect(await ics.text()).toContain('BEGIN:VCALENDAR');
    await page.keyboard.press('Escape');
    await feed.waitFor({ state: 'hidden' });
    await shot(page, 'incidents-04-schedule');
    const scheduleUrl = page.url();

    // The policy editor: the preview names who level 1 pages now; a level without targets is refused on its field.
    await nav('Escalation policies');
    await page.getByTestId('policies-table').getByTestId('policy-link').filter({ hasText: 'web-critical' }).click();
    await page.getByTestId('policy-editor').waitFor();
    const preview = page.getByTestId('policy-preview');
    await preview.waitFor();
    expect(await preview.getByTestId('preview-level').first().textContent()).toContain(
      onCallNow.onCall?.name ?? 'nobody',
    );
    await page.getByTestId('add-level').click();
    const levels = page.getByTestId('policy-level');
    expect(await levels.count()).toBe(3);
    await levels.nth(2).getByTestId('remove-target').click();
    await page.getByRole('button', { name: 'Save policy' }).click();
    const levelError = page.getByTestId('field-error-levels.2.targets');
    await levelError.waitFor();
    expect(await levelError.textContent()).toContain('at least one target');
    expect(await page.getByTestId('form-error').textContent()).toContain('nothing was applied');
    await shot(page, 'incidents-05-policy-editor');
    const policyUrl = page.url();

    // Notification settings: a contact method through the webhook channel, and a test the webhook receives.
    await nav('Notifications');
    await page.getByTestId('notifications-page').waitFor();
    await page.getByTestId('contacts-empty').waitFor();
    await page.getByTestId('contact-name').fill('bridge');
    await page.getByTestId('contact-channel').selectOption('ops-hook');
    await page.getByRole('button', { name: 'Add contact method' }).click();
    const contact = page.getByTestId('contact-row').filter({ hasText: 'bridge' });
    await contact.waitFor();
    const testsBefore = hook.bodies.filter((b) => b.event === 'test').length;
    await contact.getByTestId('test-contact').click();
    await contact.getByTestId('test-result').waitFor();
    expect(await contact.getByTestId('test-result').textContent()).toContain('HTTP 200');
    expect(hook.bodies.filter((b) => b.event === 'test').length).toBe(testsBefore + 1);
    await page.getByTestId('add-rule').click();
    await page.getByRole('button', { name: 'Save rules' }).click();
    await expect
      .poll(async () => ((await call('GET', '/api/v1/users/me/notification-rules')) as unknown[]).length)
      .toBe(1);
    await shot(page, 'incidents-06-notifications');

    // Channels: the webhook with its host, and a test send through it.
    await nav('Channels');
    const channelRow = page.getByTestId('channels-table').getByTestId('table-row').filter({ hasText: 'ops-hook' });
    await channelRow.waitFor();
    await channelRow.getByTestId('test-channel').click();
    await page.getByTestId('channel-test-dialog').getByRole('button', { name: 'Send test' }).click();
    await page.getByTestId('channel-test-dialog').getByTestId('test-result').waitFor();
    expect(await page.getByTestId('channel-test-dialog').getByTestId('test-result').textContent()).toContain(
      'HTTP 200',
    );
    await page.keyboard.press('Escape');

    // Dark theme: the same pages.
    await page.getByTestId('theme-toggle').click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.goto(`${url}/incidents/${incident.number}`);
    await page.getByTestId('incident-timeline').locator('[data-type="note"]').waitFor();
    await page.getByTestId('incident-timeline').getByTestId('receipts-toggle').first().click();
    await shot(page, 'incidents-07-incident-page-dark');
    await page.goto(`${url}/incidents/${incident.number}?tab=postmortem`);
    await page.getByTestId('pm-root-cause').waitFor();
    await shot(page, 'incidents-08-postmortem-dark');
    await page.goto(scheduleUrl);
    await page.getByTestId('schedule-calendar').waitFor();
    await shot(page, 'incidents-09-schedule-dark');
    await page.goto(policyUrl);
    await page.getByTestId('policy-preview').waitFor();
    await page.getByTestId('add-level').click();
    await page.getByTestId('policy-level').nth(2).getByTestId('remove-target').click();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByTestId('field-error-levels.2.targets').waitFor();
    await shot(page, 'incidents-10-policy-editor-dark');
    await nav('Notifications');
    await page.getByTestId('contact-row').first().getByTestId('test-contact').click();
    await page.getByTestId('test-result').waitFor();
    await shot(page, 'incidents-11-notifications-dark');

    expect(problems).toEqual([]);
  });
});
