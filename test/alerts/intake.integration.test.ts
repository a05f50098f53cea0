import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { event as pdEvent } from '@pagerduty/pdjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki } from '../../src/checks/probes/__tests__/support/servers.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { apply, doc, integrationKey } from './helpers.js';

/** PagerDuty Events v2, Alertmanager, Opsgenie and generic webhooks, case by case, on both engines. */
describe.each(engines())('alert intake protocols on %s', (engine) => {
  let s: TestServer;
  const keys: Record<string, string> = {};
  const pki = makePki();
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-tls-'));
  const h = () => ({ authorization: `Bearer ${s.adminToken}` });
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    s.app.http.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const alerts = async (query = 'status=all') =>
    (await s.app.http.inject({ method: 'GET', url: `/api/v1/alerts?${query}&limit=500`, headers: h() })).json() as {
      total: number;
      items: Array<{
        id: string;
        status: string;
        acknowledged: boolean;
        dedupKey: string;
        repeats: number;
        labels: Record<string, string>;
        integration: string;
      }>;
    };
  const trig = (key: string, dedup?: string, extra: object = {}) => ({
    routing_key: key,
    event_action: 'trigger',
    ...(dedup ? { dedup_key: dedup } : {}),
    payload: { summary: 'db1 disk 95%', source: 'db1', severity: 'critical', ...extra },
  });

  beforeAll(async () => {
    fs.writeFileSync(path.join(certDir, 'cert.pem'), pki.valid.cert);
    fs.writeFileSync(path.join(certDir, 'key.pem'), pki.valid.key);
    s = await startTestServer({
      engine,
      env: {
        MAINSTAY_WORKER: 'false',
        MAINSTAY_CHECKS: 'false',
        MAINSTAY_TLS_CERT: path.join(certDir, 'cert.pem'),
        MAINSTAY_TLS_KEY: path.join(certDir, 'key.pem'),
      },
    });
    await apply(s, [
      doc('Integration', 'pd', { type: 'pagerduty', rateLimitPerMinute: 0, labels: { team: 'db' } }),
      doc('Integration', 'pd2', { type: 'pagerduty', rateLimitPerMinute: 0 }),
      doc('Integration', 'pd-slow', { type: 'pagerduty', rateLimitPerMinute: 2 }),
      doc('Integration', 'am', { type: 'alertmanager', rateLimitPerMinute: 0 }),
      doc('Integration', 'og', { type: 'opsgenie', rateLimitPerMinute: 0 }),
      doc('Integration', 'hook', {
        type: 'webhook',
        rateLimitPerMinute: 0,
        mapping: {
          summary: '$.title',
          severity: '$.level',
          dedupKey: '$.id',
          status: '$.state',
          resolvedValues: ['ok'],
          labels: { host: '$.host' },
        },
      }),
    ]);
    for (const n of ['pd', 'pd2', 'pd-slow', 'am', 'og', 'hook']) keys[n] = await integrationKey(s, n);
  });
  afterAll(async () => {
    await s?.close();
    pki.cleanup();
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  describe('PagerDuty Events API v2', () => {
    it('a trigger without dedup_key gets one generated and returned', async () => {
      const r = await post('/v2/enqueue', trig(keys.pd as string));
      expect(r.statusCode).toBe(202);
      const body = r.json();
      expect(body.status).toBe('success');
      expect(body.message).toBe('Event processed');
      expect(body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
      const list = await alerts();
      expect(list.items.find((a) => a.dedupKey === body.dedup_key)?.labels).toMatchObject({
        team: 'db',
        source: 'db1',
        severity: 'critical',
        integration: 'pd',
      });
    });

    it('repeats of a dedup_key count on one alert; acknowledge and resolve act on it', async () => {
      for (let i = 0; i < 3; i++)
        expect((await post('/v2/enqueue', trig(keys.pd as string, 'k1'))).statusCode).toBe(202);
      let a = (await alerts()).items.filter((x) => x.dedupKey === 'k1');
      expect(a).toHaveLength(1);
      expect(a[0]?.repeats).toBe(2);
      const ack = await post('/v2/enqueue', { routing_key: keys.pd, event_action: 'acknowledge', dedup_key: 'k1' });
      expect(ack.json()).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'k1' });
      a = (await alerts()).items.filter((x) => x.dedupKey === 'k1');
      expect(a[0]?.acknowledged).toBe(true);
      await post('/v2/enqueue', { routing_key: keys.pd, event_action: 'resolve', dedup_key: 'k1' });
      a = (await alerts()).items.filter((x) => x.dedupKey === 'k1');
      expect(a[0]?.status).toBe('resolved');
    });

    it('acknowledge and resolve only match under the same routing_key', async () => {
      await post('/v2/enqueue', trig(keys.pd as string, 'shared'));
      const other = await post('/v2/enqueue', { routing_key: keys.pd2, event_action: 'resolve', dedup_key: 'shared' });
      expect(other.statusCode).toBe(202);
      const a = (await alerts()).items.filter((x) => x.dedupKey === 'shared');
      expect(a.map((x) => x.status)).toEqual(['firing']);
    });

    it('a resolve after a resolve is dropped, and a trigger after a resolve opens a new alert', async () => {
      await post('/v2/enqueue', trig(keys.pd as string, 'cycle'));
      await post('/v2/enqueue', { routing_key: keys.pd, event_action: 'resolve', dedup_key: 'cycle' });
      const again = await post('/v2/enqueue', { routing_key: keys.pd, event_action: 'resolve', dedup_key: 'cycle' });
      expect(again.statusCode).toBe(202);
      await post('/v2/enqueue', trig(keys.pd as string, 'cycle'));
      const a = (await alerts()).items.filter((x) => x.dedupKey === 'cycle');
      expect(a).toHaveLength(2);
      expect(a.map((x) => x.status).sort()).toEqual(['firing', 'resolved']);
    });

    it.each([
      ['an invalid event_action', { routing_key: 'K', event_action: 'explode', dedup_key: 'x' }, "'event_action'"],
      [
        'a missing routing_key',
        { event_action: 'trigger', payload: { summary: 's', source: 'x', severity: 'info' } },
        "'routing_key'",
      ],
      [
        'a missing payload.summary',
        { routing_key: 'K', event_action: 'trigger', payload: { source: 'x', severity: 'info' } },
        "'payload.summary'",
      ],
      [
        'a wrong severity',
        { routing_key: 'K', event_action: 'trigger', payload: { summary: 's', source: 'x', severity: 'huge' } },
        "'payload.severity'",
      ],
      ['an acknowledge without dedup_key', { routing_key: 'K', event_action: 'acknowledge' }, "'dedup_key'"],
    ])('%s answers 400 with errors[] and stores nothing', async (_name, body, mention) => {
      const before = (await alerts()).total;
      const payload = JSON.parse(JSON.stringify(body).replace('"K"', JSON.stringify(keys.pd)));
      const r = await post('/v2/enqueue', payload);
      expect(r.statusCode).toBe(400);
      const b = r.json();
      expect(b.status).toBe('invalid event');
      expect(b.message).toBe('Event object is invalid');
      expect(b.errors.join(' ')).toContain(mention);
      expect((await alerts()).total).toBe(before);
    });

    it('answers malformed JSON, unknown keys and oversize bodies in PagerDuty’s error shape', async () => {
      const bad = await post('/v2/enqueue', '{"routing_key": ');
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ status: 'invalid event', errors: expect.any(Array) });
      const unknown = await post('/v2/enqueue', trig('0123456789abcdef0123456789abcdef', 'x'));
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({ message: expect.any(String), errors: expect.any(Array) });
      // A key of another integration type is just as unknown here.
      const wrongType = await post('/v2/enqueue', trig(keys.am as string, 'x'));
      expect(wrongType.statusCode).toBe(404);
      expect(wrongType.body).toBe(unknown.body);
      const huge = await post(
        '/v2/enqueue',
        trig(keys.pd as string, 'big', { custom_details: { blob: 'x'.repeat(600 * 1024) } }),
      );
      expect(huge.statusCode).toBe(413);
      expect(huge.json()).toMatchObject({ errors: expect.any(Array) });
      expect((await alerts()).items.some((a) => a.dedupKey === 'big')).toBe(false);
    });

    it('answers 429 over the integration rate limit, with Retry-After', async () => {
      expect((await post('/v2/enqueue', trig(keys['pd-slow'] as string, 'r1'))).statusCode).toBe(202);
      expect((await post('/v2/enqueue', trig(keys['pd-slow'] as string, 'r2'))).statusCode).toBe(202);
      const r = await post('/v2/enqueue', trig(keys['pd-slow'] as string, 'r3'));
      expect(r.statusCode).toBe(429);
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(r.json().errors).toBeInstanceOf(Array);
    });

    it('accepts change events', async () => {
      const r = await post('/v2/change/enqueue', {
        routing_key: keys.pd,
        payload: { summary: 'deployed api v42', source: 'ci', timestamp: '2026-11-21T10:00:00Z' },
        links: [{ href: 'https://ci.example/42', text: 'build' }],
      });
      expect(r.statusCode).toBe(202);
      expect(r.json()).toMatchObject({ status: 'success' });
    });

    it('the official PagerDuty client library (@pagerduty/pdjs) works unchanged against Mainstay over TLS', async () => {
      const agentOptions = https.globalAgent.options;
      const previousCa = agentOptions.ca;
      agentOptions.ca = pki.ca;
      try {
        const server = new URL(s.url).host;
        const res = await pdEvent({
          server,
          data: {
            routing_key: keys.pd as string,
            event_action: 'trigger',
            dedup_key: 'pdjs-1',
            payload: { summary: 'from pdjs', source: 'pdjs', severity: 'warning' },
          },
        });
        expect(res.response.status).toBe(202);
        expect(res.data).toMatchObject({ status: 'success', dedup_key: 'pdjs-1' });
        const resolved = await pdEvent({
          server,
          // pdjs's types demand a payload even for resolve; PagerDuty (and Mainstay) do not.
          data: { routing_key: keys.pd as string, event_action: 'resolve', dedup_key: 'pdjs-1' } as never,
        });
        expect(resolved.response.status).toBe(202);
        expect((await alerts()).items.find((a) => a.dedupKey === 'pdjs-1')?.status).toBe('resolved');
      } finally {
        agentOptions.ca = previousCa;
      }
    });
  });

  describe('Alertmanager webhook and v2 API', () => {
    const group = (status: 'firing' | 'resolved', names: string[]) => ({
      version: '4',
      groupKey: '{}:{alertname="HighLatency"}',
      truncatedAlerts: 0,
      status,
      receiver: 'mainstay',
      groupLabels: { alertname: 'HighLatency' },
      commonLabels: { alertname: 'HighLatency' },
      commonAnnotations: {},
      externalURL: 'http://am:9093',
      alerts: names.map((instance) => ({
        status,
        labels: { alertname: 'HighLatency', instance, severity: 'warning' },
        annotations: { summary: `latency high on ${instance}` },
        startsAt: '2026-11-21T09:00:00Z',
        endsAt: status === 'resolved' ? '2026-11-21T09:30:00Z' : '0001-01-01T00:00:00Z',
        generatorURL: 'http://prom:9090/graph',
        fingerprint: instance,
      })),
    });

    it('one POST is one group: firing alerts open, a send_resolved group resolves them', async () => {
      const url = `/api/v1/integrations/alertmanager/${keys.am}`;
      const r = await post(url, group('firing', ['web-1', 'web-2']));
      expect(r.statusCode).toBe(200);
      expect(r.json().accepted).toBe(2);
      let list = await alerts('status=firing&matcher=alertname%3D%22HighLatency%22');
      expect(list.total).toBe(2);
      await post(url, group('resolved', ['web-1', 'web-2']));
      list = await alerts('status=firing&matcher=alertname%3D%22HighLatency%22');
      expect(list.total).toBe(0);
    });

    it('a malformed payload answers 400 with the field path and stores nothing', async () => {
      const before = (await alerts()).total;
      const bad = group('firing', ['web-9']);
      (bad.alerts[0] as { labels: unknown }).labels = { 'bad name!': 'x' };
      const r = await post(`/api/v1/integrations/alertmanager/${keys.am}`, bad);
      expect(r.statusCode).toBe(400);
      expect(r.json().error.fields[0].path).toBe('alerts[0].labels');
      expect((await alerts()).total).toBe(before);
    });

    it('an unknown key answers 404 without saying more', async () => {
      const r = await post('/api/v1/integrations/alertmanager/nope', group('firing', ['x']));
      expect(r.statusCode).toBe(404);
    });

    it('Prometheus-style alerts with a future endsAt resolve when it passes without a refresh', async () => {
      const soon = new Date(Date.now() + 1_000).toISOString();
      const r = await post(`/api/v1/integrations/alertmanager/${keys.am}/api/v2/alerts`, [
        {
          labels: { alertname: 'Expiring', job: 'node' },
          annotations: {},
          startsAt: new Date().toISOString(),
          endsAt: soon,
        },
      ]);
      expect(r.statusCode).toBe(200);
      expect((await alerts('status=firing&matcher=alertname%3D%22Expiring%22')).total).toBe(1);
      await new Promise((res) => setTimeout(res, 1_100));
      expect(await s.app.alerts.expireOnce()).toBeGreaterThanOrEqual(1);
      expect((await alerts('status=firing&matcher=alertname%3D%22Expiring%22')).total).toBe(0);
    });
  });

  describe('Opsgenie alert API', () => {
    const genie = () => ({ authorization: `GenieKey ${keys.og}` });
    it('create, acknowledge and close by alias', async () => {
      const c = await post('/v2/alerts', { message: 'queue backlog', alias: 'backlog-1', priority: 'P1' }, genie());
      expect(c.statusCode).toBe(202);
      expect(c.json()).toMatchObject({ result: 'Request will be processed' });
      const ack = await post('/v2/alerts/backlog-1/acknowledge?identifierType=alias', {}, genie());
      expect(ack.statusCode).toBe(202);
      let a = (await alerts()).items.find((x) => x.dedupKey === 'backlog-1');
      expect(a?.acknowledged).toBe(true);
      const close = await post('/v2/alerts/backlog-1/close?identifierType=alias', {}, genie());
      expect(close.statusCode).toBe(202);
      a = (await alerts()).items.find((x) => x.dedupKey === 'backlog-1');
      expect(a?.status).toBe('resolved');
    });
    it('answers a missing key with 401, an id identifier with 422, a missing message with 422', async () => {
      expect((await post('/v2/alerts', { message: 'x' })).statusCode).toBe(401);
      expect((await post('/v2/alerts', { message: 'x' }, { authorization: 'GenieKey nope' })).statusCode).toBe(401);
      expect((await post('/v2/alerts/abc/close', {}, genie())).statusCode).toBe(422);
      const r = await post('/v2/alerts', { alias: 'y' }, genie());
      expect(r.statusCode).toBe(422);
      expect(r.json().errors).toBeTruthy();
    });
  });

  describe('generic JSON webhook', () => {
    it('maps fields by JSON path and resolves on a resolved value', async () => {
      const url = `/api/v1/integrations/webhook/${keys.hook}`;
      const r = await post(url, { id: 'w-1', title: 'backup failed', level: 'error', state: 'alerting', host: 'nas' });
      expect(r.statusCode).toBe(200);
      let a = (await alerts()).items.find((x) => x.dedupKey === 'w-1');
      expect(a?.labels).toMatchObject({ host: 'nas', integration: 'hook' });
      await post(url, { id: 'w-1', title: 'backup failed', level: 'error', state: 'ok', host: 'nas' });
      a = (await alerts()).items.find((x) => x.dedupKey === 'w-1');
      expect(a?.status).toBe('resolved');
      const bad = await post(url, { id: 'w-2' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.fields[0].path).toContain('title');
    });

    it('accepts U+0000 in a mapped text on both engines (stored as U+FFFD; PostgreSQL text cannot hold it)', async () => {
      const url = `/api/v1/integrations/webhook/${keys.hook}`;
      const r = await post(url, {
        id: 'w-nul\u0000',
        title: '\u0000',
        level: 'P1',
        state: 'alerting',
        host: 'a\u0000b',
      });
      expect(r.statusCode).toBe(200);
      const a = (await alerts()).items.find((x) => x.dedupKey === 'w-nul\uFFFD');
      // Text columns hold U+FFFD; labels kept as JSON keep the escaped U+0000 (on both engines alike).
      expect(a).toMatchObject({ summary: '\uFFFD', labels: { host: 'a\u0000b' } });
      // A repeat with the same (NUL-bearing) key finds the alert it opened.
      expect((await post(url, { id: 'w-nul\u0000', title: 'x', state: 'ok', host: 'a\u0000b' })).statusCode).toBe(200);
      expect((await alerts()).items.find((x) => x.dedupKey === 'w-nul\uFFFD')?.status).toBe('resolved');
    });
  });
});
