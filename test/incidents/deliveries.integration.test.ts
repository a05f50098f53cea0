import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { doc, Harness, type Hook, MIN, startHangingServer, startReceiver } from './fixture.js';

/** Delivery receipts: retries on 5xx, no retry on 4xx, timeouts recorded; the deliveries list and its filters. */
describe.each(engines())('notification deliveries on %s', (engine) => {
  let hook: Hook;
  let flaky: Hook;
  let status = 500;
  let hang: Awaited<ReturnType<typeof startHangingServer>>;
  let h: Harness;
  const failedEntries = async (id: string) =>
    (await h.timeline(id)).filter((e) => e.type.startsWith('notification.') && e.type !== 'notification.scheduled');

  beforeAll(async () => {
    hook = await startReceiver();
    flaky = await startReceiver(() => status);
    hang = await startHangingServer();
  });
  afterAll(async () => {
    await hook?.close();
    await flaky?.close();
    await hang?.close();
  });
  beforeEach(async () => {
    h = await new Harness(engine, hook, '2026-11-23T10:00:00Z').start();
    flaky.got.length = 0;
    status = 500;
    for (const who of ['alice', 'bob']) await h.user(who);
    await h.applyOk([
      doc('Channel', 'pager-hook', { type: 'webhook', url: `${hook.url}/page` }),
      doc('Channel', 'flaky-hook', { type: 'webhook', url: `${flaky.url}/flaky` }),
      doc('Channel', 'slow-hook', { type: 'webhook', url: `${hang.url}/slow`, timeoutSeconds: 1 }),
      doc('EscalationPolicy', 'ops', {
        levels: [{ targets: [{ user: 'alice@example.test' }, { user: 'bob@example.test' }] }],
      }),
    ]);
  });
  afterEach(() => h?.close());

  it('a 500 is recorded as failed (will retry), then delivered on the retry; receipts show both attempts', async () => {
    await h.contact('alice', 'pager', 'flaky-hook');
    const inc = await h.incident({ title: 'Retry me', policy: 'ops' });
    await h.run();
    expect(flaky.got).toHaveLength(1);
    let entries = await failedEntries(inc.id);
    expect(entries.map((e) => `${e.type}: ${e.message}`)).toEqual([
      'notification.failed: bob@example.test has no contact methods; nobody could reach them',
      'notification.failed: flaky-hook: 500 HTTP 500 Internal Server Error: ok (will retry)',
    ]);
    expect(entries[1].details).toMatchObject({ attempt: 1, statusCode: 500, final: false, channel: 'flaky-hook' });

    status = 200;
    await h.run(1_000);
    expect(flaky.got).toHaveLength(2);
    // The retry is the same message: the receiver can deduplicate by its idempotency key.
    expect(flaky.got[1]?.headers['idempotency-key']).toBe(flaky.got[0]?.headers['idempotency-key']);
    entries = await failedEntries(inc.id);
    expect(entries.map((e) => e.type)).toEqual([
      'notification.failed',
      'notification.failed',
      'notification.delivered',
    ]);
    const [d] = await h.deliveries(inc.id);
    expect(d).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200, lastError: null });
    expect(d.receipts).toMatchObject([
      { attempt: 1, ok: false, statusCode: 500, final: false, error: 'HTTP 500 Internal Server Error: ok' },
      { attempt: 2, ok: true, statusCode: 200, final: true },
    ]);
    await h.run(60 * MIN);
    expect(flaky.got).toHaveLength(2);
  });

  it('a 400 fails for good at once and is not retried', async () => {
    status = 400;
    await h.contact('alice', 'pager', 'flaky-hook');
    const inc = await h.incident({ title: 'Bad request', policy: 'ops' });
    await h.run();
    await h.run(60 * MIN);
    expect(flaky.got).toHaveLength(1);
    const failed = (await failedEntries(inc.id)).filter((e) => e.details.channel === 'flaky-hook');
    expect(failed.map((e) => e.message)).toEqual(['flaky-hook: 400 HTTP 400 Bad Request: ok']);
    expect(failed[0].details).toMatchObject({ final: true, statusCode: 400 });
    const [d] = await h.deliveries(inc.id);
    expect(d).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 400 });
    expect(d.receipts).toHaveLength(1);
  });

  it('a channel that never answers times out after timeoutSeconds, is recorded, and the other page still went out', async () => {
    await h.contact('alice', 'slow', 'slow-hook');
    await h.contact('bob', 'pager', 'pager-hook');
    const inc = await h.incident({ title: 'Slow receiver', policy: 'ops' });
    const running = h.run();
    // Bob's page arrives while alice's delivery still waits for an answer.
    await hook.waitFor(1, 5_000);
    expect(h.pages()).toEqual(['incident.triggered:bob@example.test']);
    expect((await h.deliveries(inc.id)).find((d) => d.channel === 'slow-hook')?.status).toBe('scheduled');
    await running;
    const slow = (await h.deliveries(inc.id)).find((d) => d.channel === 'slow-hook');
    expect(slow).toMatchObject({ status: 'retrying', attempts: 1, lastStatusCode: null });
    expect(slow.lastError).toBe('no response within 1 s (timeoutSeconds)');
    expect(slow.receipts[0].latencyMs).toBeGreaterThanOrEqual(900);
    const failed = (await failedEntries(inc.id)).filter((e) => e.type === 'notification.failed');
    expect(failed.map((e) => e.message)).toEqual(['slow-hook: no response within 1 s (timeoutSeconds) (will retry)']);
  });

  it('GET /api/v1/deliveries filters by incident, status and user, with receipts', async () => {
    status = 400;
    await h.contact('alice', 'pager', 'pager-hook');
    await h.contact('bob', 'pager', 'flaky-hook');
    const first = await h.incident({ title: 'one', policy: 'ops' });
    await h.run(MIN);
    const second = await h.incident({ title: 'two', policy: 'ops' });
    await h.run(MIN);
    const list = async (query: string) => {
      const r = await h.call('GET', `/api/v1/deliveries?${query}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body;
    };
    const all = await list('');
    expect(all.total).toBe(4);
    expect(all.items.map((d: { incidentId: string }) => d.incidentId)).toEqual([
      second.id,
      second.id,
      first.id,
      first.id,
    ]);
    const ofFirst = await list(`incident=${first.id}`);
    expect(ofFirst.items.map((d: { channel: string; status: string }) => `${d.channel} ${d.status}`).sort()).toEqual([
      'flaky-hook failed',
      'pager-hook delivered',
    ]);
    const failed = await list('status=failed');
    expect(failed.total).toBe(2);
    expect(failed.items.every((d: { userId: string }) => d.userId === h.users.bob)).toBe(true);
    expect(failed.items[0].receipts).toMatchObject([{ ok: false, statusCode: 400, final: true }]);
    const alices = await list(`user=${h.users.alice}&limit=1`);
    expect(alices).toMatchObject({ total: 2, limit: 1, offset: 0 });
    expect(alices.items[0]).toMatchObject({ incidentId: second.id, status: 'delivered', lane: 'page', attempts: 1 });
    expect((await list(`user=${h.users.alice}&status=failed`)).total).toBe(0);
    expect((await h.call('GET', '/api/v1/deliveries?status=lost')).status).toBe(400);
  });
});
