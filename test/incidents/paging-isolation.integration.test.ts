import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { doc, type Hook, startHangingServer, startReceiver } from './fixture.js';
import { api, createUser } from './helpers.js';

/** More stuck Slack pages than the page worker has slots (32), so a shared lane would starve the webhooks. */
const INCIDENTS = 40;

/**
 * The paging-isolation requirement (Grafana OnCall #4087), on the real app with its own workers and the
 * real clock: pages run on `notify.page.<type>` with a per-type limit, so a Slack API that hangs cannot
 * hold up pages on another channel type.
 */
describe.each(engines())('paging isolation on %s', (engine) => {
  let s: TestServer;
  let hook: Hook;
  let slack: Awaited<ReturnType<typeof startHangingServer>>;

  beforeAll(async () => {
    hook = await startReceiver();
    slack = await startHangingServer();
    s = await startTestServer({ engine, env: { MAINSTAY_CHECKS: 'false' } });
  });
  afterAll(async () => {
    // Cut the stuck Slack requests first: stopping the worker waits for its running handlers.
    await slack?.close();
    await s?.close();
    await hook?.close();
  });

  it('webhook pages arrive while a Slack channel that never answers holds its own lane', async () => {
    const call = api(s);
    const alice = await createUser(s, 'alice@example.test');
    expect(
      (await call('POST', '/api/v1/secrets', { name: 'slack-url', value: `${slack.url}/services/T0/B0/x` })).status,
    ).toBe(201);
    const applied = await call('POST', '/api/v1/apply', {
      documents: [
        doc('Channel', 'pager-hook', { type: 'webhook', url: `${hook.url}/page` }),
        doc('Channel', 'team-slack', { type: 'slack', urlSecret: 'slack-url', timeoutSeconds: 120 }),
        doc('EscalationPolicy', 'ops', { levels: [{ targets: [{ user: 'alice@example.test' }] }] }),
      ].map((document) => ({ document })),
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    // Slack first, so its pages are scheduled (and due) before the webhook ones.
    for (const [name, channel] of [
      ['slack', 'team-slack'],
      ['pager', 'pager-hook'],
    ])
      expect((await call('POST', `/api/v1/users/${alice}/contact-methods`, { name, channel })).status).toBe(201);

    const t0 = Date.now();
    for (let i = 0; i < INCIDENTS; i++) {
      const r = await call('POST', '/api/v1/incidents', { title: `incident ${i}`, policy: 'ops' });
      expect(r.status).toBe(201);
    }
    await hook.waitFor(INCIDENTS, 20_000);
    const pages = hook.got.filter((g) => g.path === '/page');
    expect(pages).toHaveLength(INCIDENTS);
    expect(new Set(pages.map((p) => p.body.incident.number)).size).toBe(INCIDENTS);
    // Every webhook page went out while Slack was still stuck (its timeout is 120 s).
    expect(Date.now() - t0).toBeLessThan(20_000);

    // Slack holds at most its per-type share of the page worker, and every one of them is still waiting.
    expect(slack.paths.length).toBeGreaterThan(0);
    expect(slack.paths.length).toBeLessThanOrEqual(8);
    expect(slack.paths.every((p) => p === '/services/T0/B0/x')).toBe(true);
    type Row = { channel: string; status: string; lane: string };
    const count = (rows: Row[], channel: string, status: string) =>
      rows.filter((d) => d.channel === channel && d.status === status).length;
    // The receipt of the last page commits just after the receiver answered it.
    let deliveries: Row[] = [];
    for (let i = 0; i < 100; i++) {
      deliveries = (await call('GET', '/api/v1/deliveries?limit=500')).body.items;
      if (count(deliveries, 'pager-hook', 'delivered') === INCIDENTS) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(count(deliveries, 'pager-hook', 'delivered')).toBe(INCIDENTS);
    expect(count(deliveries, 'team-slack', 'scheduled')).toBe(INCIDENTS);
    expect(deliveries.every((d) => d.lane === 'page')).toBe(true);
  });
});
