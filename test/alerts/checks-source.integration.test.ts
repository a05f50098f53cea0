import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sinkCheck } from '../../src/checks/check.runtime.js';
import { FakeClock } from '../../src/platform/clock.js';
import { Worker } from '../../src/platform/queue/index.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { apply, doc, startReceiver } from './helpers.js';

type Hook = Awaited<ReturnType<typeof startReceiver>>;

/**
 * Checks as an alert source: state changes become alerts in the transaction that stores them;
 * dependencies hold a child's alert while its parent is down; a flapping check notifies once per flap.
 * Results are fed straight into the result sink with a fake clock, so nothing probes the network.
 */
describe.each(engines())('check alerts, dependencies and flapping on %s', (engine) => {
  let s: TestServer;
  let hook: Hook;
  let clock: FakeClock;
  let worker: Worker;
  const h = () => ({ authorization: `Bearer ${s.adminToken}` });
  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const r = await s.app.http.inject({
      method,
      url,
      headers: h(),
      ...(payload ? { payload: payload as object } : {}),
    });
    return { status: r.statusCode, body: r.json() };
  };
  const createCheck = async (name: string, extra: object = {}) => {
    const r = await api('POST', '/api/v1/checks', {
      name,
      kind: 'tcp',
      target: { host: '127.0.0.1', port: 9 },
      intervalSeconds: 30,
      labels: { team: 'net' },
      ...extra,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  /** One probe result for a check, stored like a real run (flushed to the database). */
  const result = async (name: string, ok: boolean) => {
    const rec = s.app.checks.byName(name);
    if (!rec) throw new Error(`no check ${name}`);
    s.app.checks.sink.record(sinkCheck(rec), clock.now(), {
      ok,
      latencyMs: 3,
      message: ok ? 'connected' : 'connection refused',
      details: {},
    });
    await s.app.checks.sink.flush();
  };
  const run = async (ms = 1) => {
    clock.advance(ms);
    while ((await worker.runOnce()) > 0) {}
  };
  const sent = () =>
    hook.got.map(
      (g) => `${g.body.status}:${g.body.alerts.map((a: { labels: { check: string } }) => a.labels.check).join(',')}`,
    );

  beforeAll(async () => {
    hook = await startReceiver();
  });
  afterAll(() => hook?.close());
  beforeEach(async () => {
    clock = new FakeClock(Date.parse('2026-11-23T10:00:00Z'));
    s = await startTestServer({
      engine,
      clock,
      env: { MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' },
      listen: false,
    });
    worker = new Worker({
      queue: s.app.queue,
      handlers: s.app.alerts.taskHandlers ?? {},
      clock,
      logger: pino({ level: 'silent' }),
      retention: false,
    });
    await apply(s, [
      doc('Receiver', 'hook', { webhooks: [{ url: `${hook.url}/hook` }] }),
      doc('Route', 'root', {
        receiver: 'hook',
        groupBy: ['check'],
        groupWait: '0s',
        groupInterval: '1s',
        repeatInterval: '24h',
      }),
    ]);
    hook.got.length = 0;
  });
  afterEach(() => s?.close());

  it('a check going down opens an alert with its labels plus check, kind and severity; recovery resolves it', async () => {
    await createCheck('api', { severity: 'warning' });
    await result('api', false);
    await run();
    const list = await api('GET', '/api/v1/alerts');
    expect(list.body.items[0].labels).toMatchObject({
      team: 'net',
      check: 'api',
      kind: 'tcp',
      severity: 'warning',
      alertname: 'api',
    });
    expect(list.body.items[0].source).toBe('check');
    await result('api', true);
    await run(2_000);
    expect(sent()).toEqual(['firing:api', 'resolved:api']);
  });

  it("a child's alert is held while the check it depends on is down, and notifies when the parent recovers first", async () => {
    await createCheck('router');
    await createCheck('web', { dependsOn: ['router'] });
    await result('router', false);
    await result('web', false);
    await run();
    expect(sent()).toEqual(['firing:router']);
    const web = (await api('GET', '/api/v1/alerts?matcher=check%3D%22web%22')).body.items[0];
    expect(web.why.state).toBe('suppressed');
    expect(web.why.dependency).toEqual(['router']);
    // History keeps recording while held.
    const events = await api('GET', '/api/v1/checks/web/events');
    expect(events.body.items.some((e: { type: string }) => e.type === 'down')).toBe(true);
    await result('router', true);
    await run(2_000);
    // web is released at once; router's resolution goes at its group_interval tick.
    expect(sent().sort()).toEqual(['firing:router', 'firing:web', 'resolved:router']);
    await result('web', true);
    await run(2_000);
    expect(sent()).toContain('resolved:web');
  });

  it('a dependant that recovers while held sends nothing, because nothing was told', async () => {
    await createCheck('router');
    await createCheck('web', { dependsOn: ['router'] });
    await result('router', false);
    await result('web', false);
    await run();
    await result('web', true);
    await run(2_000);
    expect(sent()).toEqual(['firing:router']);
  });

  it('a flapping check notifies once per flap period, not on every change', async () => {
    await createCheck('flappy');
    // Alternate until flap detection (21 results) kicks in; count what reached the webhook then.
    let ok = false;
    for (let i = 0; i < 21; i++) {
      await result('flappy', ok);
      ok = !ok;
      await run(30_000);
    }
    const alert = (await api('GET', '/api/v1/alerts?matcher=check%3D%22flappy%22')).body.items[0];
    expect(alert?.flapping).toBe(true);
    const atFlapStart = hook.got.length;
    for (let i = 0; i < 20; i++) {
      await result('flappy', ok);
      ok = !ok;
      await run(30_000);
    }
    expect(hook.got.length).toBe(atFlapStart); // no notification for 20 more changes
    // Steady again: the flap ends and the alert resolves once.
    for (let i = 0; i < 25; i++) {
      await result('flappy', true);
      await run(30_000);
    }
    const after = sent().slice(atFlapStart);
    expect(after).toEqual(['resolved:flappy']);
    const history = await api('GET', `/api/v1/alerts/${alert.id}/history`);
    const types = history.body.items.map((e: { type: string }) => e.type);
    expect(types).toContain('flapping_start');
  });
});
