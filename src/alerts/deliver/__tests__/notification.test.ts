import { describe, expect, it } from 'vitest';
import { alertmanagerPayload, commonOf, forTarget, subjectOf } from '../notification.js';
import { alert, notification } from './support/fixtures.js';

type Labels = Record<string, string>;

describe('commonOf (Alertmanager template.Data)', () => {
  it.each<{ name: string; labels: Labels[]; common: Labels }>([
    { name: 'no alerts have nothing in common', labels: [], common: {} },
    { name: 'one alert: all its labels', labels: [{ a: '1', b: '2' }], common: { a: '1', b: '2' } },
    {
      name: 'a pair shared by all alerts is common',
      labels: [
        { a: '1', b: '2' },
        { a: '1', b: '3' },
      ],
      common: { a: '1' },
    },
    {
      name: 'a label missing from one alert is not common',
      labels: [{ a: '1', b: '2' }, { a: '1' }],
      common: { a: '1' },
    },
    { name: 'an empty value is a value', labels: [{ a: '' }, { a: '' }], common: { a: '' } },
  ])('$name', ({ labels, common }) => {
    const alerts = labels.map((l) => ({ labels: l, annotations: { runbook: 'r' } }));
    expect(commonOf(alerts)).toEqual({
      commonLabels: common,
      commonAnnotations: alerts.length ? { runbook: 'r' } : {},
    });
  });
});

describe('alertmanagerPayload', () => {
  it('has the Alertmanager v4 webhook shape and nothing of Mainstay', () => {
    const a = alert({ labels: { alertname: 'DiskFull', instance: 'db-1' }, annotations: { summary: 's' } });
    const n = notification([a], { commonAnnotations: { summary: 's' } });
    expect(alertmanagerPayload(n, 0)).toEqual({
      version: '4',
      groupKey: '{}:{alertname="DiskFull"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'team-db',
      groupLabels: { alertname: 'DiskFull' },
      commonLabels: { alertname: 'DiskFull' },
      commonAnnotations: { summary: 's' },
      externalURL: 'https://mainstay.example',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'DiskFull', instance: 'db-1' },
          annotations: { summary: 's' },
          startsAt: '2026-03-01T10:00:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'https://prometheus.example/graph?g0.expr=disk',
          fingerprint: a.fingerprint,
        },
      ],
    });
  });

  it('maxAlerts keeps the first alerts and counts the rest, with earlier truncation', () => {
    const alerts = [1, 2, 3, 4, 5].map((i) => alert({ labels: { alertname: 'DiskFull', shard: i < 3 ? 'a' : 'b' } }));
    const n = notification(alerts, { truncatedAlerts: 10 });
    const p = alertmanagerPayload(n, 2);
    expect(p.alerts.map((x) => x.fingerprint)).toEqual([alerts[0]?.fingerprint, alerts[1]?.fingerprint]);
    expect(p.truncatedAlerts).toBe(13);
    // As Alertmanager, which truncates before building the template data.
    expect(p.commonLabels).toEqual({ alertname: 'DiskFull', shard: 'a' });
  });

  it('maxAlerts 0 or above the count sends all', () => {
    const n = notification([alert(), alert()]);
    expect(alertmanagerPayload(n, 0).alerts).toHaveLength(2);
    expect(alertmanagerPayload(n, 2).truncatedAlerts).toBe(0);
  });
});

describe('subjectOf (Alertmanager __subject)', () => {
  it.each<{ groupLabels: Labels; commonLabels: Labels; want: string }>([
    { groupLabels: { alertname: 'DiskFull' }, commonLabels: { alertname: 'DiskFull' }, want: '[FIRING:2] DiskFull' },
    {
      groupLabels: { alertname: 'DiskFull', cluster: 'eu' },
      commonLabels: { alertname: 'DiskFull', cluster: 'eu', team: 'db', env: 'prod' },
      want: '[FIRING:2] DiskFull eu (prod db)',
    },
    { groupLabels: {}, commonLabels: { job: 'node' }, want: '[FIRING:2] (node)' },
  ])('$want', ({ groupLabels, commonLabels, want }) => {
    const n = notification([alert(), alert(), alert({ status: 'resolved' })], { groupLabels, commonLabels });
    expect(subjectOf(n)).toBe(want);
  });

  it('a resolved group is [RESOLVED] without a count', () => {
    expect(subjectOf(notification([alert({ status: 'resolved' })]))).toBe('[RESOLVED] DiskFull');
  });
});

describe('forTarget (send_resolved)', () => {
  const firing = alert({ labels: { alertname: 'DiskFull', team: 'db' } });
  const resolved = alert({ status: 'resolved', labels: { alertname: 'DiskFull', team: 'web' } });

  it('sendResolved keeps the notification as it is', () => {
    const n = notification([firing, resolved]);
    expect(forTarget(n, true)).toBe(n);
  });

  it('without sendResolved, resolved alerts are left out and the common labels recomputed', () => {
    const out = forTarget(notification([firing, resolved]), false);
    expect(out?.alerts).toEqual([firing]);
    expect(out?.commonLabels).toEqual(firing.labels);
  });

  it('without sendResolved, a notification of resolved alerts only is not sent', () => {
    expect(forTarget(notification([resolved]), false)).toBeNull();
  });
});
