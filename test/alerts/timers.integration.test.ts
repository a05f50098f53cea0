import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.js';
import { Worker } from '../../src/platform/queue/index.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { apply, doc, integrationKey, startReceiver } from './helpers.js';

const T0 = Date.parse('2026-11-23T10:00:00Z'); // a Monday
type Hook = Awaited<ReturnType<typeof startReceiver>>;

/**
 * Alertmanager's grouping timers and the suppression rules, driven by a fake clock: the test runs
 * the work queue by hand (`runOnce`) after moving the clock, so every flush and delivery is observed.
 */
describe.each(engines())('grouping timers, silences, inhibition and maintenance on %s', (engine) => {
  let s: TestServer;
  let hook: Hook;
  let key = '';
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
  const trigger = async (dedup: string, labels: { alertname?: string; severity?: string; source?: string } = {}) => {
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/v2/enqueue',
      payload: {
        routing_key: key,
        event_action: 'trigger',
        dedup_key: dedup,
        payload: {
          summary: labels.alertname ?? dedup,
          source: labels.source ?? 'host-1',
          severity: labels.severity ?? 'critical',
          component: labels.alertname ?? 'DiskFull',
        },
      },
    });
    expect(r.statusCode).toBe(202);
  };
  const resolve = async (dedup: string) => {
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/v2/enqueue',
      payload: { routing_key: key, event_action: 'resolve', dedup_key: dedup },
    });
    expect(r.statusCode).toBe(202);
  };
  /** Moves the clock and runs everything that became due (flushes, then their deliveries). */
  const advance = async (ms: number) => {
    clock.advance(ms);
    while ((await worker.runOnce()) > 0) {}
  };
  const sent = () => hook.got.map((g) => ({ status: g.body.status, n: g.body.alerts.length }));

  const base = [
    doc('Receiver', 'hook', { webhooks: [{ url: 'http://placeholder.invalid/' }] }),
    doc('Integration', 'pd', { type: 'pagerduty', rateLimitPerMinute: 0 }),
  ];
  const route = (extra: object = {}) =>
    doc('Route', 'root', {
      receiver: 'hook',
      groupBy: ['component'],
      groupWait: '30s',
      groupInterval: '5m',
      repeatInterval: '4h',
      ...extra,
    });

  beforeAll(async () => {
    hook = await startReceiver();
    base[0] = doc('Receiver', 'hook', { webhooks: [{ url: `${hook.url}/hook` }] });
  });
  afterAll(async () => {
    await hook?.close();
  });
  beforeEach(async () => {
    clock = new FakeClock(T0);
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
    await apply(s, [...base, route()]);
    key = await integrationKey(s, 'pd');
    hook.got.length = 0;
  });
  afterEach(async () => {
    await s?.close();
  });

  it('group_wait batches alerts that start together into one notification', async () => {
    await trigger('a');
    await advance(10_000);
    await trigger('b');
    expect(sent()).toEqual([]);
    await advance(19_000);
    expect(sent()).toEqual([]); // 29 s after the first alert
    await advance(1_000);
    expect(sent()).toEqual([{ status: 'firing', n: 2 }]);
  });

  it('a new alert in a notified group waits for group_interval; a repeat waits for repeat_interval', async () => {
    await trigger('a');
    await advance(30_000);
    expect(sent()).toHaveLength(1);
    await advance(60_000);
    await trigger('b');
    await advance(60_000);
    expect(sent()).toHaveLength(1); // 2 min after the flush: group_interval is 5 min
    await advance(180_000);
    expect(sent()).toEqual([
      { status: 'firing', n: 1 },
      { status: 'firing', n: 2 },
    ]);
    await advance(3 * 3_600_000);
    expect(sent()).toHaveLength(2);
    await advance(3_600_000 + 1_000);
    expect(sent()).toHaveLength(3); // repeat_interval 4 h after the last notification
  });

  it('repeats and re-triggers of the same dedup key count instead of notifying again', async () => {
    await trigger('a');
    await trigger('a');
    await trigger('a');
    await advance(30_000);
    expect(sent()).toEqual([{ status: 'firing', n: 1 }]);
    const list = await api('GET', '/api/v1/alerts');
    expect(list.body.items[0].repeats).toBe(2);
  });

  it('a resolution is notified at the next group_interval tick, then the group closes', async () => {
    await trigger('a');
    await advance(30_000);
    await resolve('a');
    await advance(4 * 60_000);
    expect(sent()).toHaveLength(1);
    await advance(60_000);
    expect(sent()).toEqual([
      { status: 'firing', n: 1 },
      { status: 'resolved', n: 1 },
    ]);
    const groups = await api('GET', '/api/v1/alert-groups');
    expect(groups.body.total).toBe(0);
  });

  it('a silenced alert is held, and notifies as soon as the silence is expired early', async () => {
    const created = await api('POST', '/api/v1/silences', {
      matchers: ['component="DiskFull"'],
      duration: '2h',
      comment: 'disk swap tonight',
    });
    expect(created.status).toBe(201);
    await trigger('a');
    await advance(60_000);
    expect(sent()).toEqual([]);
    const alert = (await api('GET', '/api/v1/alerts')).body.items[0];
    expect(alert.why.state).toBe('suppressed');
    expect(alert.why.silencedBy).toEqual([created.body.name]);
    await api('POST', `/api/v1/silences/${created.body.name}/expire`);
    await advance(1);
    expect(sent()).toEqual([{ status: 'firing', n: 1 }]);
  });

  it('a new silence shows on the alerts it matches at once, without sending anything', async () => {
    await trigger('a');
    await advance(30_000);
    const created = await api('POST', '/api/v1/silences', {
      matchers: ['source="host-1"'],
      duration: '1h',
      comment: 'x',
    });
    const alert = (await api('GET', '/api/v1/alerts?sort=-severity')).body.items[0];
    expect(alert.why.silencedBy).toEqual([created.body.name]);
    const history = (await api('GET', `/api/v1/alerts/${alert.id}/history`)).body.items.map(
      (e: { type: string }) => e.type,
    );
    expect(history).toContain('suppressed');
    await advance(1);
    expect(sent()).toHaveLength(1);
  });

  it('a silence that ends by itself releases the alert at its end time', async () => {
    await api('POST', '/api/v1/silences', { matchers: ['source="host-1"'], duration: '10m', comment: 'reboot' });
    await trigger('a');
    await advance(9 * 60_000);
    expect(sent()).toEqual([]);
    await advance(60_000);
    expect(sent()).toEqual([{ status: 'firing', n: 1 }]);
  });

  it('an alert notified firing and then silenced still gets its resolution delivered (Alertmanager #226)', async () => {
    await trigger('a');
    await advance(30_000);
    expect(sent()).toEqual([{ status: 'firing', n: 1 }]);
    await api('POST', '/api/v1/silences', { matchers: ['component="DiskFull"'], duration: '2h', comment: 'known' });
    await resolve('a');
    await advance(5 * 60_000);
    expect(sent()).toEqual([
      { status: 'firing', n: 1 },
      { status: 'resolved', n: 1 },
    ]);
  });

  it('inhibition: a critical alert holds the warning of the same component; the warning notifies once it resolves', async () => {
    await apply(s, [
      doc('InhibitRule', 'crit-over-warn', {
        sourceMatchers: ['severity="critical"'],
        targetMatchers: ['severity="warning"'],
        equal: ['component'],
      }),
      route({ groupBy: ['component', 'severity'] }),
    ]);
    await trigger('crit', { alertname: 'DiskFull', severity: 'critical' });
    await trigger('warn', { alertname: 'DiskFull', severity: 'warning' });
    await trigger('other', { alertname: 'CPU', severity: 'warning' });
    await advance(30_000);
    const firing = sent();
    expect(firing).toHaveLength(2); // crit DiskFull, warning CPU; the DiskFull warning is inhibited
    const warn = (
      await api('GET', '/api/v1/alerts?matcher=severity%3D%22warning%22&matcher=component%3D%22DiskFull%22')
    ).body.items[0];
    expect(warn.why.inhibitedBy[0].rule).toBe('crit-over-warn');
    await resolve('crit');
    await advance(5 * 60_000);
    const bodies = hook.got.map(
      (g) => `${g.body.status}:${g.body.commonLabels.component}:${g.body.commonLabels.severity}`,
    );
    expect(bodies).toContain('firing:DiskFull:warning');
    expect(bodies).toContain('resolved:DiskFull:critical');
  });

  it('a maintenance window holds matching alerts and they notify when it ends', async () => {
    await apply(s, [
      doc('MaintenanceWindow', 'weekly-patch', {
        timeZone: 'Europe/Berlin',
        starts: '2026-11-23T10:30', // 09:30 UTC, i.e. it began 30 min before T0
        duration: '1h',
        rrule: 'FREQ=WEEKLY;BYDAY=MO',
        matchers: ['source="host-1"'],
      }),
    ]);
    await trigger('a');
    await advance(60_000);
    expect(sent()).toEqual([]);
    const alert = (await api('GET', '/api/v1/alerts')).body.items[0];
    expect(alert.why.maintenance).toEqual(['weekly-patch']);
    await advance(29 * 60_000);
    expect(sent()).toEqual([{ status: 'firing', n: 1 }]);
  });

  it('mute_time_intervals hold notifications inside the interval', async () => {
    await apply(s, [
      doc('TimeInterval', 'business-hours', {
        timeZone: 'UTC',
        intervals: [{ times: [{ start: '09:00', end: '11:00' }], weekdays: ['monday:friday'] }],
      }),
      // Alertmanager allows mute intervals below the root only.
      route({ routes: [{ matchers: ['source="host-1"'], muteTimeIntervals: ['business-hours'] }] }),
    ]);
    await trigger('a');
    await advance(30_000);
    expect(sent()).toEqual([]);
    expect((await api('GET', '/api/v1/alerts')).body.items[0].why.muted).toEqual(['business-hours']);
    await advance(3_600_000);
    expect(sent()).toEqual([{ status: 'firing', n: 1 }]);
  });

  it('retention deletes resolved alerts (with history) after 90 days and keeps open ones', async () => {
    await trigger('old');
    await trigger('open');
    await advance(30_000);
    await resolve('old');
    await advance(5 * 60_000);
    clock.advance(91 * 86_400_000);
    expect(await s.app.alerts.purgeOnce()).toBeGreaterThan(0);
    const all = (await api('GET', '/api/v1/alerts?status=all')).body;
    expect(all.items.map((a: { dedupKey: string }) => a.dedupKey)).toEqual(['open']);
  });

  it('a restart in the middle of group_wait neither loses nor duplicates the notification', async () => {
    await trigger('a');
    await advance(10_000);
    const { dataDir, schema } = s;
    await s.close({ keepData: true });
    s = await startTestServer({
      engine,
      clock,
      env: { MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' },
      listen: false,
      reopen: { dataDir, schema },
    });
    worker = new Worker({
      queue: s.app.queue,
      handlers: s.app.alerts.taskHandlers ?? {},
      clock,
      logger: pino({ level: 'silent' }),
      retention: false,
    });
    await advance(19_000);
    expect(sent()).toEqual([]);
    await advance(1_000);
    await advance(60_000);
    expect(sent()).toEqual([{ status: 'firing', n: 1 }]);
  });

  it('a restart during repeat_interval repeats once, on time', async () => {
    await trigger('a');
    await advance(30_000);
    const { dataDir, schema } = s;
    await s.close({ keepData: true });
    s = await startTestServer({
      engine,
      clock,
      env: { MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' },
      listen: false,
      reopen: { dataDir, schema },
    });
    worker = new Worker({
      queue: s.app.queue,
      handlers: s.app.alerts.taskHandlers ?? {},
      clock,
      logger: pino({ level: 'silent' }),
      retention: false,
    });
    await advance(4 * 3_600_000 - 1_000);
    expect(sent()).toHaveLength(1);
    await advance(1_000);
    await advance(60_000);
    expect(sent()).toEqual([
      { status: 'firing', n: 1 },
      { status: 'firing', n: 1 },
    ]);
  });
});
