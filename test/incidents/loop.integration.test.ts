import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.js';
import type { Worker } from '../../src/platform/queue/index.js';
import { apply, doc, startReceiver } from '../alerts/helpers.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { allTasksWorker, api, checkResult, createUser } from './helpers.js';

type Hook = Awaited<ReturnType<typeof startReceiver>>;
const MIN = 60_000;

/**
 * The whole first loop, in process with a fake clock: a check fails → alert → route → incident →
 * the on-call person is paged by webhook → acknowledged through the signed link in the page → the
 * check recovers → the incident resolves. Plus escalation to the next level, and escalation that
 * survives a restart with the right remaining delay and no step run twice.
 */
describe.each(engines())('check → alert → incident → page → ack → resolve on %s', (engine) => {
  let s: TestServer;
  let hook: Hook;
  let clock: FakeClock;
  let worker: Worker;
  let call: ReturnType<typeof api>;
  const ids: Record<string, string> = {};

  const run = async (ms = 1) => {
    clock.advance(ms);
    while ((await worker.runOnce()) > 0) {}
  };
  const pages = () =>
    hook.got.filter((g) => g.path === '/page').map((g) => `${g.body.event}:${g.body.recipient?.user ?? '-'}`);

  const setup = async (server: TestServer) => {
    s = server;
    call = api(s);
    worker = allTasksWorker(s, clock);
  };

  beforeAll(async () => {
    hook = await startReceiver();
  });
  afterAll(() => hook?.close());
  beforeEach(async () => {
    // Monday 2026-11-23 10:00 UTC = 11:00 Berlin: the day's rotation turn (handoff 09:00) is alice's.
    clock = new FakeClock(Date.parse('2026-11-23T10:00:00Z'));
    await setup(
      await startTestServer({
        engine,
        clock,
        env: { MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' },
        listen: false,
      }),
    );
    ids.alice = await createUser(s, 'alice@example.test');
    ids.bob = await createUser(s, 'bob@example.test');
    await apply(s, [
      doc('Channel', 'pager-hook', { type: 'webhook', url: `${hook.url}/page` }),
      doc('Schedule', 'primary', {
        timeZone: 'Europe/Berlin',
        layers: [
          {
            name: 'weekdays',
            rotation: {
              every: 1,
              unit: 'days',
              start: '2026-11-01',
              handoff: '09:00',
              participants: ['alice@example.test', 'bob@example.test'],
            },
          },
        ],
      }),
      doc('EscalationPolicy', 'ops', {
        levels: [
          { escalateAfterMinutes: 5, targets: [{ schedule: 'primary' }] },
          { escalateAfterMinutes: 5, targets: [{ user: 'bob@example.test' }] },
        ],
      }),
      doc('Receiver', 'ops-pager', { escalationPolicy: 'ops' }),
      doc('Route', 'root', {
        receiver: 'ops-pager',
        groupBy: ['check'],
        groupWait: '0s',
        groupInterval: '1s',
        repeatInterval: '24h',
      }),
    ]);
    for (const who of ['alice', 'bob']) {
      const r = await call('POST', `/api/v1/users/${ids[who]}/contact-methods`, {
        name: 'pager',
        channel: 'pager-hook',
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const c = await call('POST', '/api/v1/checks', {
      name: 'api',
      kind: 'tcp',
      target: { host: '127.0.0.1', port: 9 },
      intervalSeconds: 30,
      labels: { service: 'api' },
      severity: 'critical',
    });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    hook.got.length = 0;
  });
  afterEach(() => s?.close());

  it('the on-call person is paged, acknowledges by the signed link, and the incident resolves with the check', async () => {
    expect((await call('GET', '/api/v1/schedules/primary/oncall')).body.onCall.user).toBe('alice@example.test');
    await checkResult(s, clock, 'api', false);
    await run();
    expect(pages()).toEqual(['incident.triggered:alice@example.test']);

    const list = await call('GET', '/api/v1/incidents?status=triggered');
    expect(list.body.total).toBe(1);
    const inc = list.body.items[0];
    expect(inc).toMatchObject({
      severity: 'SEV1',
      urgency: 'high',
      status: 'triggered',
      service: 'api',
      policy: 'ops',
    });
    expect(inc.alerts).toEqual({ total: 1, firing: 1 });

    // The page carries signed links; the receiver gets the idempotency key as a header too.
    const page = hook.got.find((g) => g.path === '/page');
    expect(page?.headers['idempotency-key']).toBe(page?.body.id);
    const ackUrl = new URL(page?.body.links.acknowledge);
    // GET only shows a confirmation (link previews must not acknowledge).
    const shown = await s.app.http.inject({ method: 'GET', url: ackUrl.pathname });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain(`incident #${inc.number}`);
    expect((await call('GET', `/api/v1/incidents/${inc.id}`)).body.status).toBe('triggered');
    const acked = await s.app.http.inject({ method: 'POST', url: ackUrl.pathname });
    expect(acked.statusCode).toBe(200);
    const after = (await call('GET', `/api/v1/incidents/${inc.id}`)).body;
    expect(after.status).toBe('acknowledged');
    expect(after.acknowledgedBy).toBe('link:acknowledge');
    expect(after.ttaSeconds).toBeLessThan(60);

    // Acknowledged: level 2 (bob) is not paged when its delay passes.
    await run(6 * MIN);
    expect(pages()).toEqual(['incident.triggered:alice@example.test']);

    // The link is single-purpose: the acknowledge token cannot resolve, and another incident's token does not work here.
    const resolveUrl = new URL(page?.body.links.resolve);
    expect(resolveUrl.pathname).not.toBe(ackUrl.pathname);

    await checkResult(s, clock, 'api', true);
    await run(2_000);
    const done = (await call('GET', `/api/v1/incidents/${inc.id}`)).body;
    expect(done.status).toBe('resolved');
    expect(done.resolvedBy).toBe('system');
    expect(done.alerts).toEqual({ total: 1, firing: 0 });

    const timeline = (await call('GET', `/api/v1/incidents/${inc.id}/timeline?limit=200`)).body.items.map(
      (e: { type: string }) => e.type,
    );
    for (const t of [
      'created',
      'alert.attached',
      'escalation.step',
      'notification.scheduled',
      'notification.delivered',
      'acknowledged',
      'alert.resolved',
      'resolved',
    ])
      expect(timeline, t).toContain(t);
    expect(timeline.indexOf('created')).toBe(0);
    const deliveries = (await call('GET', `/api/v1/incidents/${inc.id}/deliveries`)).body;
    expect(deliveries[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, lane: 'page' });
    expect(deliveries[0].receipts[0]).toMatchObject({ ok: true, statusCode: 200, final: true });
  });

  it('nobody acknowledges: the next level is paged after its delay, exactly once', async () => {
    await checkResult(s, clock, 'api', false);
    await run();
    await run(4 * MIN);
    expect(pages()).toEqual(['incident.triggered:alice@example.test']);
    await run(MIN);
    expect(pages()).toEqual(['incident.triggered:alice@example.test', 'incident.escalated:bob@example.test']);
    await run(30 * MIN);
    expect(pages()).toHaveLength(2);
    const inc = (await call('GET', '/api/v1/incidents')).body.items[0];
    const types = (await call('GET', `/api/v1/incidents/${inc.id}/timeline?limit=200`)).body.items.map(
      (e: { type: string }) => e.type,
    );
    expect(types.filter((t: string) => t === 'escalation.step')).toHaveLength(2);
    expect(types).toContain('escalation.exhausted');
  });

  it('a restart mid-escalation resumes with the remaining delay, and a step re-run after a crash pages nobody twice', async () => {
    const created = await call('POST', '/api/v1/incidents', {
      title: 'Disk full on db-1',
      severity: 'SEV2',
      policy: 'ops',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await run();
    expect(pages()).toEqual(['incident.triggered:alice@example.test']);

    // Stop the whole server 3 minutes in; start a new one on the same data.
    await run(3 * MIN);
    const { dataDir, schema } = s;
    await s.close({ keepData: true });
    clock.advance(MIN);
    await setup(
      await startTestServer({
        engine,
        clock,
        env: { MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' },
        listen: false,
        reopen: { dataDir, schema },
      }),
    );
    // 4 minutes in: level 2 is still a minute away.
    await run();
    expect(pages()).toHaveLength(1);

    // Simulate kill -9 during the level-2 step: the task is claimed (lease taken) and its process dies.
    clock.advance(MIN);
    const claimed = await s.app.queue.claim(10, ['incidents.escalate']);
    expect(claimed).toHaveLength(1);
    // The dead process had run the step and committed it; its queue row was never completed.
    await s.app.incidents.taskHandlers?.['incidents.escalate']?.(claimed[0] as never, {
      signal: new AbortController().signal,
      extendLease: async () => true,
      completeIn: async () => true,
    });
    // After the lease expires the task is claimed again and runs again: the step guard makes it a no-op.
    await run(s.app.queue.leaseMs + 1_000);
    expect(pages()).toEqual(['incident.triggered:alice@example.test', 'incident.escalated:bob@example.test']);
    const steps = (await call('GET', `/api/v1/incidents/${created.body.id}/timeline?limit=200`)).body.items.filter(
      (e: { type: string }) => e.type === 'escalation.step',
    );
    expect(steps.map((e: { details: { level: number } }) => e.details.level)).toEqual([0, 1]);
  });
});
