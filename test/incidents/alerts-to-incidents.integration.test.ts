import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { integrationKey } from '../alerts/helpers.js';
import { engines } from '../support/engines.js';
import { doc, Harness, type Hook, startReceiver } from './fixture.js';

const ALICE = 'alice@example.test';

/** Routed alert groups become incidents: attach, separate groups, resolve with the alerts, missing policies. */
describe.each(engines())('alerts → incidents on %s', (engine) => {
  let hook: Hook;
  let h: Harness;
  let key = '';

  const pd = async (action: 'trigger' | 'resolve', dedup: string, group = 'db', summary = `${dedup} failing`) => {
    const r = await h.s.app.http.inject({
      method: 'POST',
      url: '/v2/enqueue',
      payload: {
        routing_key: key,
        event_action: action,
        dedup_key: dedup,
        ...(action === 'trigger' ? { payload: { summary, source: dedup, severity: 'critical', group } } : {}),
      },
    });
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toEqual({ status: 'success', message: 'Event processed', dedup_key: dedup });
    // Past group_interval (1 s), so the group's next flush runs.
    await h.run(1_500);
  };
  const incidents = async () => (await h.call('GET', '/api/v1/incidents?sort=number')).body.items;

  beforeAll(async () => {
    hook = await startReceiver();
  });
  afterAll(() => hook?.close());
  beforeEach(async () => {
    h = await new Harness(engine, hook, '2026-11-23T10:00:00Z').start();
    await h.user('alice');
    const route = { groupBy: ['group'], groupWait: '0s', groupInterval: '1s', repeatInterval: '24h' };
    await h.applyOk([
      doc('Channel', 'pager-hook', { type: 'webhook', url: `${hook.url}/page` }),
      doc('EscalationPolicy', 'ops', { levels: [{ escalateAfterMinutes: 5, targets: [{ user: ALICE }] }] }),
      doc('EscalationPolicy', 'manual', { autoResolve: false, levels: [{ targets: [{ user: ALICE }] }] }),
      doc('Receiver', 'ops-pager', { escalationPolicy: 'ops' }),
      doc('Receiver', 'manual-pager', { escalationPolicy: 'manual' }),
      doc('Receiver', 'ghost-pager', { escalationPolicy: 'ghost' }),
      doc('Route', 'root', {
        receiver: 'ops-pager',
        ...route,
        routes: [
          { matchers: ['group="manual"'], receiver: 'manual-pager' },
          { matchers: ['group="ghost"'], receiver: 'ghost-pager' },
        ],
      }),
      doc('Integration', 'pd', { type: 'pagerduty', rateLimitPerMinute: 0, labels: { service: 'storage' } }),
    ]);
    await h.contact('alice', 'pager', 'pager-hook');
    key = await integrationKey(h.s, 'pd');
  });
  afterEach(() => h?.close());

  it('a PagerDuty Events v2 trigger opens an incident and pages level 0', async () => {
    await pd('trigger', 'disk-db1', 'db', 'db1 disk 95%');
    expect(h.pages()).toEqual([`incident.triggered:${ALICE}`]);
    const [inc] = await incidents();
    expect(inc).toMatchObject({
      title: 'db1 disk 95%',
      severity: 'SEV1',
      urgency: 'high',
      status: 'triggered',
      service: 'storage',
      policy: 'ops',
      receiver: 'ops-pager',
      createdBy: 'alerts:ops-pager',
      alerts: { total: 1, firing: 1 },
    });
    const page = hook.got.find((g) => g.path === '/page');
    expect(page?.body.incident).toMatchObject({ number: inc.number, title: 'db1 disk 95%', severity: 'SEV1' });
    expect(page?.body.text).toContain('• db1 disk 95%');
  });

  it('a second alert of the same group attaches to the open incident without a second level-0 page', async () => {
    await pd('trigger', 'disk-db1');
    await pd('trigger', 'disk-db2');
    expect(await incidents()).toHaveLength(1);
    const [inc] = await incidents();
    expect(inc.alerts).toEqual({ total: 2, firing: 2 });
    expect(h.pages()).toEqual([`incident.triggered:${ALICE}`]);
    const attached = (await h.timeline(inc.id)).filter((e) => e.type === 'alert.attached').map((e) => e.message);
    expect(attached).toEqual(['disk-db1 failing', 'disk-db2 failing']);
    const linked = await h.call('GET', `/api/v1/incidents/${inc.id}/alerts`);
    expect(linked.body.map((a: { summary: string; status: string }) => `${a.summary} ${a.status}`)).toEqual([
      'disk-db1 failing firing',
      'disk-db2 failing firing',
    ]);
  });

  it('an alert of another group opens another incident', async () => {
    await pd('trigger', 'disk-db1', 'db');
    await pd('trigger', 'cpu-web1', 'web');
    const list = await incidents();
    expect(list.map((i: { title: string; groupKey: string }) => i.title)).toEqual([
      'disk-db1 failing',
      'cpu-web1 failing',
    ]);
    expect(list[0].groupKey).not.toBe(list[1].groupKey);
    expect(h.pages()).toEqual([`incident.triggered:${ALICE}`, `incident.triggered:${ALICE}`]);
  });

  it('the incident resolves only when every linked alert has resolved', async () => {
    await pd('trigger', 'disk-db1');
    await pd('trigger', 'disk-db2');
    await pd('resolve', 'disk-db1');
    let [inc] = await incidents();
    expect(inc.status).toBe('triggered');
    expect(inc.alerts).toEqual({ total: 2, firing: 1 });
    await pd('resolve', 'disk-db2');
    [inc] = await incidents();
    expect(inc).toMatchObject({ status: 'resolved', resolvedBy: 'system', alerts: { total: 2, firing: 0 } });
    const tail = (await h.timeline(inc.id)).filter((e) => ['alert.resolved', 'resolved'].includes(e.type));
    expect(tail.map((e) => `${e.type}: ${e.message}`)).toEqual([
      'alert.resolved: disk-db1 failing',
      'alert.resolved: disk-db2 failing',
      'resolved: every linked alert resolved',
    ]);
    // A new trigger of the group after the resolve opens a new incident.
    await pd('trigger', 'disk-db1');
    expect((await incidents()).map((i: { status: string }) => i.status)).toEqual(['resolved', 'triggered']);
  });

  it('autoResolve: false keeps the incident open when its alerts resolve', async () => {
    await pd('trigger', 'report-late', 'manual');
    await pd('resolve', 'report-late', 'manual');
    const [inc] = await incidents();
    expect(inc).toMatchObject({ policy: 'manual', status: 'triggered', alerts: { total: 1, firing: 0 } });
    expect(await h.types(inc.id)).toContain('alert.resolved');
    expect(await h.types(inc.id)).not.toContain('resolved');
  });

  it('a receiver whose escalation policy does not exist still records the incident, with escalation.exhausted', async () => {
    await pd('trigger', 'mystery', 'ghost');
    const [inc] = await incidents();
    expect(inc).toMatchObject({ title: 'mystery failing', policy: null, receiver: 'ghost-pager', status: 'triggered' });
    const exhausted = (await h.timeline(inc.id)).filter((e) => e.type === 'escalation.exhausted');
    expect(exhausted).toMatchObject([
      { actor: 'policy:ghost', message: 'escalation policy ghost does not exist; nobody was paged' },
    ]);
    await h.run(60 * 60_000);
    expect(h.pages()).toEqual([]);
  });
});
