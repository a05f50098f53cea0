import { describe, expect, it } from 'vitest';
import { AM_MAX_ALERTS, amSummary, parseAlertmanagerWebhook, parsePrometheusAlerts } from '../alertmanager.js';

// The version "4" example payload as Alertmanager sends it (sample from the webhook docs' format).
const amExample = {
  receiver: 'sms',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: {
        alertname: 'ProbeFailure',
        instance: 'https://server.example.org',
        job: 'http_checks',
        monitor: 'master',
        severity: 'critical',
      },
      annotations: {
        description: 'Instance https://server.example.org has been down for over 5m. Job: http_checks',
        summary: 'BlackBox Probe Failure: https://server.example.org',
      },
      startsAt: '2023-02-06T13:08:45.828Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1',
      fingerprint: '1a30ba71cca2921f',
    },
  ],
  groupLabels: { alertname: 'ProbeFailure' },
  commonLabels: { alertname: 'ProbeFailure', severity: 'critical' },
  commonAnnotations: {},
  externalURL: 'http://prometheus.example.org:9093',
  version: '4',
  groupKey: '{}/{severity="critical"}:{alertname="ProbeFailure"}',
  truncatedAlerts: 0,
};

// Grafana alerting's webhook example (Grafana docs, "Configure the webhook notifier").
const grafanaExample = {
  receiver: 'My Super Webhook',
  status: 'firing',
  orgId: 1,
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'High memory usage', team: 'blue', zone: 'us-1' },
      annotations: {
        description: 'The system has high memory usage',
        runbook_url: 'https://myrunbook.com/runbook/1234',
        summary: 'This alert was triggered for zone us-1',
      },
      startsAt: '2021-10-12T09:51:03.157076+02:00',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'https://play.grafana.org/alerting/1afz29v7z/edit',
      fingerprint: 'c6eadffa33fcdf37',
      silenceURL:
        'https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1',
      dashboardURL: '',
      panelURL: '',
      values: { B: 44.23943737541908, C: 1 },
    },
    {
      status: 'firing',
      labels: { alertname: 'High CPU usage', team: 'blue', zone: 'eu-1' },
      annotations: { description: 'The system has high CPU usage' },
      startsAt: '2021-10-12T09:56:03.157076+02:00',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'https://play.grafana.org/alerting/d1rdpdv7k/edit',
      fingerprint: 'bc97ff14869b13e3',
      valueString: "[ metric='' labels={} value=14151.331895396988 ]",
      imageURL: 'https://grafana.example/render/1.png',
    },
  ],
  groupLabels: {},
  commonLabels: { team: 'blue' },
  commonAnnotations: {},
  externalURL: 'https://play.grafana.org/',
  version: '1',
  groupKey: '{}:{}',
  truncatedAlerts: 0,
  title: '[FIRING:2]  (blue)',
  state: 'alerting',
  message: '**Firing**\n\nLabels: ...',
};

describe('Alertmanager webhook (version 4)', () => {
  it("the docs' example: one firing alert, labels as identity", () => {
    expect(parseAlertmanagerWebhook(amExample)).toEqual({
      groupKey: '{}/{severity="critical"}:{alertname="ProbeFailure"}',
      events: [
        {
          action: 'trigger',
          source: 'alertmanager',
          integrationId: null,
          dedupKey: null,
          labels: amExample.alerts[0]?.labels,
          annotations: amExample.alerts[0]?.annotations,
          summary: 'BlackBox Probe Failure: https://server.example.org',
          severity: 'critical',
          startsAt: Date.UTC(2023, 1, 6, 13, 8, 45, 828),
          generatorURL: 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1',
          details: {
            receiver: 'sms',
            externalURL: 'http://prometheus.example.org:9093',
            fingerprint: '1a30ba71cca2921f',
          },
        },
      ],
    });
  });

  it('a resolved alert resolves and keeps its endsAt', () => {
    const alert = { ...amExample.alerts[0], status: 'resolved', endsAt: '2023-02-06T13:18:45.828Z' };
    const r = parseAlertmanagerWebhook({ ...amExample, status: 'resolved', alerts: [alert] });
    expect(r).toMatchObject({ events: [{ action: 'resolve', endsAt: Date.UTC(2023, 1, 6, 13, 18, 45, 828) }] });
  });

  it("a firing alert's endsAt is not kept (Alertmanager sends the resolve itself)", () => {
    const alert = { ...amExample.alerts[0], endsAt: '2099-01-01T00:00:00Z' };
    const r = parseAlertmanagerWebhook({ ...amExample, alerts: [alert] });
    if ('error' in r) throw new Error(JSON.stringify(r.error));
    expect(r.events[0]?.action).toBe('trigger');
    expect(r.events[0]?.endsAt).toBeUndefined();
  });

  it("each alert's own status wins over the group's", () => {
    const firing = amExample.alerts[0];
    const resolved = { ...firing, labels: { ...firing?.labels, instance: 'b' }, status: 'resolved' };
    const r = parseAlertmanagerWebhook({ ...amExample, status: 'firing', alerts: [firing, resolved] });
    if ('error' in r) throw new Error(JSON.stringify(r.error));
    expect(r.events.map((e) => e.action)).toEqual(['trigger', 'resolve']);
  });

  it("an alert without status takes the group's", () => {
    const { status: _s, ...noStatus } = amExample.alerts[0] ?? {};
    const r = parseAlertmanagerWebhook({ ...amExample, status: 'resolved', alerts: [noStatus] });
    expect(r).toMatchObject({ events: [{ action: 'resolve' }] });
  });

  it('an empty group is no events', () => {
    expect(parseAlertmanagerWebhook({ ...amExample, alerts: [] })).toEqual({
      groupKey: amExample.groupKey,
      events: [],
    });
  });

  it('a label with an empty value is the same as no label', () => {
    const alert = { ...amExample.alerts[0], labels: { alertname: 'A', empty: '' } };
    expect(parseAlertmanagerWebhook({ ...amExample, alerts: [alert] })).toMatchObject({
      events: [{ labels: { alertname: 'A' } }],
    });
  });

  it('a label named __proto__ is kept as an ordinary label', () => {
    const alert = JSON.parse('{"status":"firing","labels":{"alertname":"A","__proto__":"x"}}');
    const r = parseAlertmanagerWebhook({ ...amExample, alerts: [alert] });
    if ('error' in r) throw new Error(JSON.stringify(r.error));
    expect(Object.entries(r.events[0]?.labels ?? {})).toEqual([
      ['alertname', 'A'],
      ['__proto__', 'x'],
    ]);
  });

  const bad = (alerts: unknown[], top: Record<string, unknown> = {}) => ({ ...amExample, ...top, alerts });
  const cases: [string, unknown, { path: string; message: RegExp }[]][] = [
    ['a body that is not an object', 'nope', [{ path: 'body', message: /JSON object/ }]],
    ['alerts that is not an array', { ...amExample, alerts: {} }, [{ path: 'alerts', message: /array/ }]],
    [
      'an invalid label name',
      bad([amExample.alerts[0], { status: 'firing', labels: { alertname: 'A', 'foo bar': 'x' } }]),
      [{ path: 'alerts[1].labels', message: /label name "foo bar" is invalid/ }],
    ],
    [
      'a label name over 63 characters',
      bad([{ status: 'firing', labels: { ['a'.repeat(64)]: 'x' } }]),
      [{ path: 'alerts[0].labels', message: /is invalid/ }],
    ],
    [
      'a label value that is not a string',
      bad([{ status: 'firing', labels: { alertname: 'A', port: 80 } }]),
      [{ path: 'alerts[0].labels.port', message: /must be a string/ }],
    ],
    [
      'a label value over 1024 characters',
      bad([{ status: 'firing', labels: { alertname: 'v'.repeat(1025) } }]),
      [{ path: 'alerts[0].labels.alertname', message: /longer than 1024/ }],
    ],
    [
      'no labels',
      bad([{ status: 'firing', labels: {} }]),
      [{ path: 'alerts[0].labels', message: /at least one label/ }],
    ],
    [
      'an unknown status',
      bad([{ status: 'pending', labels: { a: 'b' } }]),
      [{ path: 'alerts[0].status', message: /firing' or 'resolved/ }],
    ],
    [
      'a startsAt that is not a date-time',
      bad([{ status: 'firing', labels: { a: 'b' }, startsAt: 'yesterday' }]),
      [{ path: 'alerts[0].startsAt', message: /RFC 3339/ }],
    ],
    [
      'annotations that are not an object',
      bad([{ status: 'firing', labels: { a: 'b' }, annotations: ['x'] }]),
      [{ path: 'alerts[0].annotations', message: /object/ }],
    ],
  ];

  it.each(cases)('rejects %s, naming the field', (_name, body, fields) => {
    const r = parseAlertmanagerWebhook(body);
    if (!('error' in r)) throw new Error('accepted');
    expect(r.error.message).toMatch(/^Invalid Alertmanager webhook payload/);
    expect(r.error.fields).toEqual(fields.map((f) => ({ path: f.path, message: expect.stringMatching(f.message) })));
  });

  it(`rejects more than ${AM_MAX_ALERTS} alerts in one POST`, () => {
    const alerts = Array.from({ length: AM_MAX_ALERTS + 1 }, () => amExample.alerts[0]);
    const r = parseAlertmanagerWebhook({ ...amExample, alerts });
    expect(r).toMatchObject({
      error: { fields: [{ path: 'alerts', message: expect.stringMatching(/at most 10000/) }] },
    });
  });

  it('lists at most 100 field errors for a payload full of them', () => {
    const alerts = Array.from({ length: 500 }, () => ({ status: 'firing', labels: { 'bad name': 'x' } }));
    const r = parseAlertmanagerWebhook({ ...amExample, alerts });
    if (!('error' in r)) throw new Error('accepted');
    expect(r.error.fields).toHaveLength(100);
    expect(r.error.message).toContain('500 invalid field(s)');
  });
});

describe('Grafana alerting webhook (Alertmanager shape with extra fields)', () => {
  it("the docs' example: two firing alerts with Grafana's extras kept as details", () => {
    const r = parseAlertmanagerWebhook(grafanaExample);
    if ('error' in r) throw new Error(JSON.stringify(r.error));
    expect(r.groupKey).toBe('{}:{}');
    expect(r.events).toHaveLength(2);
    expect(r.events[0]).toEqual({
      action: 'trigger',
      source: 'alertmanager',
      integrationId: null,
      dedupKey: null,
      labels: { alertname: 'High memory usage', team: 'blue', zone: 'us-1' },
      annotations: grafanaExample.alerts[0]?.annotations,
      summary: 'This alert was triggered for zone us-1',
      severity: 'warning',
      startsAt: Date.UTC(2021, 9, 12, 7, 51, 3, 157),
      generatorURL: 'https://play.grafana.org/alerting/1afz29v7z/edit',
      details: {
        receiver: 'My Super Webhook',
        externalURL: 'https://play.grafana.org/',
        orgId: '1',
        fingerprint: 'c6eadffa33fcdf37',
        silenceURL: grafanaExample.alerts[0]?.silenceURL,
        values: { B: 44.23943737541908, C: 1 },
      },
    });
    expect(r.events[1]).toMatchObject({
      summary: 'The system has high CPU usage',
      details: {
        valueString: "[ metric='' labels={} value=14151.331895396988 ]",
        imageURL: 'https://grafana.example/render/1.png',
      },
    });
  });
});

describe('summary and severity', () => {
  it.each([
    [{ summary: 'S', description: 'D' }, { alertname: 'A' }, 'S'],
    [{ summary: ' ', description: 'D' }, { alertname: 'A' }, 'D'],
    [{}, { alertname: 'A' }, 'A'],
    [{}, { job: 'x' }, 'alert'],
  ])('summary from %j and %j is %s', (annotations, labels, expected) => {
    expect(amSummary(annotations as Record<string, string>, labels as Record<string, string>)).toBe(expected);
  });

  it.each([
    ['critical', 'critical'],
    ['page', 'critical'],
    ['high', 'error'],
    ['warn', 'warning'],
    ['info', 'info'],
    ['something-else', 'warning'],
  ])('labels.severity=%s is %s', (severity, expected) => {
    const alert = { status: 'firing', labels: { alertname: 'A', severity } };
    expect(parseAlertmanagerWebhook({ ...amExample, alerts: [alert] })).toMatchObject({
      events: [{ severity: expected, labels: { severity } }],
    });
  });
});

describe('Alertmanager v2 API alerts (the array Prometheus POSTs)', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const alert = (endsAt?: string) => ({
    labels: { alertname: 'HighLatency', severity: 'page', instance: 'web-1' },
    annotations: { summary: 'p99 over 1s' },
    startsAt: '2026-01-01T11:50:00Z',
    ...(endsAt !== undefined ? { endsAt } : {}),
    generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
  });

  it.each([
    ['endsAt in the past resolves', '2026-01-01T11:59:00Z', 'resolve', Date.UTC(2026, 0, 1, 11, 59)],
    ['endsAt equal to now resolves', '2026-01-01T12:00:00Z', 'resolve', now],
    ['endsAt in the future triggers, keeping endsAt', '2026-01-01T12:04:00Z', 'trigger', Date.UTC(2026, 0, 1, 12, 4)],
    ['no endsAt triggers without one', undefined, 'trigger', undefined],
    ["Go's zero time is no endsAt", '0001-01-01T00:00:00Z', 'trigger', undefined],
  ])('%s', (_name, endsAt, action, expectedEndsAt) => {
    const r = parsePrometheusAlerts([alert(endsAt)], now);
    if ('error' in r) throw new Error(JSON.stringify(r.error));
    expect(r.groupKey).toBeNull();
    expect(r.events[0]).toMatchObject({
      action,
      dedupKey: null,
      severity: 'critical',
      summary: 'p99 over 1s',
      startsAt: Date.UTC(2026, 0, 1, 11, 50),
    });
    expect(r.events[0]?.endsAt).toBe(expectedEndsAt);
  });

  it('rejects a body that is not an array', () => {
    expect(parsePrometheusAlerts({ alerts: [] }, now)).toMatchObject({
      error: { message: expect.stringMatching(/^Invalid alerts/), fields: [{ path: 'body' }] },
    });
  });

  it('names the failing alert by index', () => {
    const r = parsePrometheusAlerts([alert(), { labels: { 'bad-name!': 'x' } }], now);
    expect(r).toMatchObject({ error: { fields: [{ path: '[1].labels' }] } });
  });

  it('rejects an endsAt before startsAt', () => {
    expect(parsePrometheusAlerts([alert('2026-01-01T11:00:00Z')], now)).toMatchObject({
      error: { fields: [{ path: '[0].endsAt', message: 'must not be before startsAt' }] },
    });
  });
});
