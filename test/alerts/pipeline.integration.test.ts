import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { apply, doc, integrationKey, startReceiver } from './helpers.js';

describe.each(engines())('alert pipeline end to end on %s', (engine) => {
  let s: TestServer;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  let key = '';
  const pd = (body: unknown) => s.app.http.inject({ method: 'POST', url: '/v2/enqueue', payload: body as object });

  beforeAll(async () => {
    hook = await startReceiver();
    s = await startTestServer({ engine });
    await apply(s, [
      doc('Receiver', 'ops-hook', { webhooks: [{ url: `${hook.url}/hook` }] }),
      doc('Route', 'root', {
        receiver: 'ops-hook',
        groupBy: ['alertname'],
        groupWait: '0s',
        groupInterval: '1s',
        repeatInterval: '1h',
      }),
      doc('Integration', 'pd', { type: 'pagerduty' }),
    ]);
    key = await integrationKey(s, 'pd');
  });
  afterAll(async () => {
    await s?.close();
    await hook?.close();
  });

  it('a PagerDuty trigger reaches the webhook, and its resolve follows', async () => {
    const r = await pd({
      routing_key: key,
      event_action: 'trigger',
      dedup_key: 'disk-1',
      payload: { summary: 'disk full on db1', source: 'db1', severity: 'critical' },
    });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'disk-1' });
    await hook.waitFor(1);
    const first = hook.got[0]?.body;
    expect(first.version).toBe('4');
    expect(first.status).toBe('firing');
    expect(first.alerts).toHaveLength(1);
    expect(first.alerts[0].labels.source).toBe('db1');
    const resolved = await pd({ routing_key: key, event_action: 'resolve', dedup_key: 'disk-1' });
    expect(resolved.statusCode).toBe(202);
    await hook.waitFor(2);
    expect(hook.got[1]?.body.status).toBe('resolved');
    expect(hook.got[1]?.headers['idempotency-key']).toBeTruthy();
  });
});
