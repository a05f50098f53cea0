import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';

const settle = () => new Promise((r) => setImmediate(r));
async function step(clock: FakeClock, totalMs: number, stepMs = 250) {
  for (let t = 0; t < totalMs; t += stepMs) {
    clock.advance(stepMs);
    await settle();
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe.each(engines())('checks API on %s', (engine) => {
  let s: TestServer;
  let target: http.Server;
  let targetUrl = '';
  let healthy = true;
  const clock = new FakeClock(Date.now());
  const h = () => ({ authorization: `Bearer ${s.adminToken}` });
  const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    s.app.http.inject({ method, url, headers: h(), ...(payload === undefined ? {} : { payload: payload as object }) });

  beforeAll(async () => {
    target = http.createServer((req, res) => {
      if (req.url === '/health') {
        res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: healthy ? 'ok' : 'degraded', queue: { depth: 12 } }));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    s = await startTestServer({ engine, clock });
  });
  afterAll(async () => {
    await s?.close();
    await new Promise((r) => target.close(r));
  });

  it('rejects bad input with 400 naming the field, and creates nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: 'x1', kind: 'http', target: { url: 'not a url' } }, 'target.url'],
      [{ name: 'x2', kind: 'smtp', target: {} }, 'kind'],
      [
        { name: 'x3', kind: 'http', intervalSeconds: 2, timeoutSeconds: 1, target: { url: targetUrl } },
        'intervalSeconds',
      ],
      [
        { name: 'x4', kind: 'http', target: { url: targetUrl, json: [{ path: 'status', op: '==', value: 'ok' }] } },
        'target.json.0.path',
      ],
      [{ name: 'x5', kind: 'http', target: { url: targetUrl, bodyRegex: '([a-z' } }, 'target.bodyRegex'],
      [{ name: 'x6', kind: 'heartbeat', target: { cron: '0 0 30 2 *' } }, 'target.cron'],
      [{ name: 'x7', kind: 'tcp', target: { host: 'bad host!', port: 80 } }, 'target.host'],
      [{ name: 'x8', kind: 'http', dependsOn: ['nope'], target: { url: targetUrl } }, 'dependsOn.0'],
      [{ name: 'Bad Name', kind: 'http', target: { url: targetUrl } }, 'name'],
    ];
    for (const [body, field] of cases) {
      const r = await api('POST', '/api/v1/checks', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(
        r.json().error.fields.map((f: { path: string }) => f.path),
        JSON.stringify(body),
      ).toContain(field);
    }
    expect((await api('GET', '/api/v1/checks')).json().total).toBe(0);
  });

  it('creates an http check, runs it on its schedule and stores results, state and rollups', async () => {
    const r = await api('POST', '/api/v1/checks', {
      name: 'web',
      labels: { team: 'platform', env: 'prod' },
      kind: 'http',
      intervalSeconds: 5,
      timeoutSeconds: 2,
      target: {
        url: `${targetUrl}/health`,
        json: [
          { path: '$.status', op: '==', value: 'ok' },
          { path: '$.queue.depth', op: '<', value: 100 },
        ],
      },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().state.status).toBe('pending');
    await step(clock, 12_000);
    await s.app.checks.sink.flush();
    const view = (await api('GET', '/api/v1/checks/web')).json();
    expect(view.state.status).toBe('up');
    expect(view.state.lastLatencyMs).toBeGreaterThanOrEqual(0);
    const results = (await api('GET', '/api/v1/checks/web/results')).json();
    expect(results.total).toBeGreaterThanOrEqual(2);
    expect(results.items[0]).toMatchObject({ ok: true, code: 200 });
  });

  it('a failing target goes down after the confirmation and recovers, with events', async () => {
    await api('PUT', '/api/v1/checks/web', {
      name: 'web',
      labels: { team: 'platform', env: 'prod' },
      kind: 'http',
      intervalSeconds: 5,
      timeoutSeconds: 2,
      retries: 1,
      target: { url: `${targetUrl}/health`, json: [{ path: '$.status', op: '==', value: 'ok' }] },
    });
    healthy = false;
    await step(clock, 11_000);
    await s.app.checks.sink.flush();
    let view = (await api('GET', '/api/v1/checks/web')).json();
    expect(view.state.status).toBe('down');
    const failed = (await api('GET', '/api/v1/checks/web/results?ok=false')).json().items[0];
    expect(failed.message).toMatch(/503/);
    healthy = true;
    await step(clock, 6_000);
    await s.app.checks.sink.flush();
    view = (await api('GET', '/api/v1/checks/web')).json();
    expect(view.state.status).toBe('up');
    const events = (await api('GET', '/api/v1/checks/web/events')).json().items.map((e: { type: string }) => e.type);
    expect(events.slice(0, 2)).toEqual(['up', 'down']);
  });

  it('lists with server-side filters, paging and 24 hourly uptime cells', async () => {
    await api('POST', '/api/v1/checks', {
      name: 'db',
      labels: { team: 'data' },
      kind: 'tcp',
      enabled: false,
      target: { host: '127.0.0.1', port: 5432 },
    });
    const all = (await api('GET', '/api/v1/checks?limit=1&sort=name')).json();
    expect(all.total).toBe(2);
    expect(all.items).toHaveLength(1);
    expect(all.items[0].name).toBe('db');
    expect(
      (await api('GET', '/api/v1/checks?label=team%3Dplatform')).json().items.map((c: { name: string }) => c.name),
    ).toEqual(['web']);
    expect(
      (await api('GET', '/api/v1/checks?status=paused')).json().items.map((c: { name: string }) => c.name),
    ).toEqual(['db']);
    expect((await api('GET', '/api/v1/checks?kind=tcp')).json().total).toBe(1);
    const web = (await api('GET', '/api/v1/checks?q=web')).json().items[0];
    expect(web.hourly24h).toHaveLength(24);
    expect(web.uptime24h).toBeGreaterThan(0);
    expect(web.uptime24h).toBeLessThan(100);
    expect(web.targetSummary).toContain('/health');
  });

  it('answers uptime windows and a response-time series', async () => {
    const up = (await api('GET', '/api/v1/checks/web/uptime')).json();
    expect(up.windows.map((w: { window: string }) => w.window)).toEqual(['24h', '7d', '30d', '1y']);
    const day = up.windows[0];
    expect(day.count).toBeGreaterThan(3);
    expect(day.failures).toBeGreaterThan(0);
    expect(up.windows[3].count).toBe(day.count);
    // The list's 24-hour uptime (counts from the hourly and minute rollups and the open minute)
    // agrees with the uptime window's totals, computed on the other path.
    const listed = (await api('GET', '/api/v1/checks?q=web')).json().items[0];
    expect(listed.uptime24h).toBe(Math.round(((day.count - day.failures) / day.count) * 100_000) / 1000);
    const filled = listed.hourly24h.filter((c: { uptime: number | null }) => c.uptime !== null);
    // (All of this test's runs fall in one hour unless it ran across the top of an hour.)
    if (filled.length === 1)
      expect(filled[0].uptime).toBe(Math.round(((day.count - day.failures) / day.count) * 1000) / 10);
    const series = (await api('GET', '/api/v1/checks/web/series')).json();
    expect(series.points.length).toBeGreaterThan(0);
  });

  it('run now returns the full result without storing it', async () => {
    // A scheduled run's result may still be on its way to the database: count after it landed.
    await s.app.checks.sink.flush();
    const before = (await api('GET', '/api/v1/checks/web/results')).json().total;
    const r = await api('POST', '/api/v1/checks/web/run');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ok: true, details: { statusCode: 200 } });
    expect(r.json().timings.totalMs).toBeGreaterThanOrEqual(0);
    await s.app.checks.sink.flush();
    expect((await api('GET', '/api/v1/checks/web/results')).json().total).toBe(before);
  });

  it('pause and resume take effect without a restart and are recorded', async () => {
    expect((await api('POST', '/api/v1/checks/web/pause')).json().state.status).toBe('paused');
    await s.app.checks.sink.flush();
    const count = (await api('GET', '/api/v1/checks/web/results')).json().total;
    await step(clock, 11_000);
    await s.app.checks.sink.flush();
    expect((await api('GET', '/api/v1/checks/web/results')).json().total).toBe(count);
    expect((await api('POST', '/api/v1/checks/web/resume')).json().state.status).toBe('pending');
    const types = (await api('GET', '/api/v1/checks/web/events')).json().items.map((e: { type: string }) => e.type);
    expect(types.slice(0, 2)).toEqual(['resumed', 'paused']);
  });

  describe('heartbeats', () => {
    let pingPath = '';
    const ping = (suffix = '', method: 'GET' | 'POST' = 'GET', payload?: string) =>
      s.app.http.inject({
        method,
        url: `${pingPath}${suffix}`,
        ...(payload ? { payload, headers: { 'content-type': 'text/plain' } } : {}),
      });
    const status = async () => (await api('GET', '/api/v1/checks/nightly')).json().state.status;

    it('is pending until the first ping, then up', async () => {
      const r = await api('POST', '/api/v1/checks', {
        name: 'nightly',
        kind: 'heartbeat',
        target: { periodSeconds: 60, graceSeconds: 30, maxRunSeconds: 120 },
      });
      expect(r.statusCode).toBe(201);
      pingPath = r.json().pingPath;
      expect(pingPath).toMatch(/^\/ping\/[A-Za-z0-9_-]+$/);
      expect(await status()).toBe('pending');
      const p = await ping();
      expect(p.statusCode).toBe(200);
      expect(p.body).toBe('OK\n');
      expect(await status()).toBe('up');
    });

    it('goes down when a ping is later than period plus grace', async () => {
      await step(clock, 80_000, 1_000);
      expect(await status()).toBe('up');
      await step(clock, 12_000, 1_000);
      await s.app.checks.sink.flush();
      expect(await status()).toBe('down');
      const failed = (await api('GET', '/api/v1/checks/nightly/results?ok=false')).json().items[0];
      expect(failed.message).toMatch(/no ping since/);
    });

    it('measures a run from start to success and keeps a POSTed body as its log', async () => {
      await ping('/start');
      await step(clock, 4_000, 1_000);
      const done = await ping('', 'POST', 'backup finished: 42 files');
      expect(done.statusCode).toBe(200);
      expect(await status()).toBe('up');
      const pings = (await api('GET', '/api/v1/checks/nightly/pings')).json().items;
      expect(pings[0]).toMatchObject({ type: 'success', body: 'backup finished: 42 files' });
      expect(pings[0].durationMs).toBeGreaterThanOrEqual(4_000);
    });

    it('a failure ping and a non-zero exit code fail; exit code 0 succeeds', async () => {
      await ping('/fail', 'POST', 'disk full');
      expect((await api('GET', '/api/v1/checks/nightly/results?ok=false')).json().items[0].message).toBe(
        'reported failure: disk full',
      );
      await ping('/0');
      expect(await status()).toBe('up');
      await ping('/3');
      expect((await api('GET', '/api/v1/checks/nightly/results?ok=false')).json().items[0].message).toBe(
        'exited with code 3',
      );
      await ping('/0');
    });

    it('a run that starts and never finishes fails after maxRunSeconds', async () => {
      await ping('/start');
      await step(clock, 125_000, 1_000);
      await s.app.checks.sink.flush();
      const msgs = (await api('GET', '/api/v1/checks/nightly/results?ok=false'))
        .json()
        .items.map((r: { message: string }) => r.message);
      expect(msgs.some((m: string) => /did not finish within 120 s/.test(m))).toBe(true);
    });

    it('unknown and malformed keys get a bare 404 that reveals nothing', async () => {
      for (const url of ['/ping/nosuchkeyxxxxxxxx', '/ping/x', '/ping/nosuchkeyxxxxxxxx/start', `${pingPath}/999`]) {
        const r = await s.app.http.inject({ method: 'GET', url });
        expect(r.statusCode, url).toBe(404);
        expect(r.body).toBe('not found\n');
      }
    });
  });

  it('Check documents apply with dependsOn, export and re-apply unchanged', async () => {
    const doc = (name: string, spec: Record<string, unknown>) => ({
      apiVersion: 'mainstay/v1',
      kind: 'Check',
      metadata: { name, labels: { site: 'ber' } },
      spec,
    });
    const docs = [
      doc('gateway', { kind: 'tcp', target: { host: '127.0.0.1', port: 1 } }),
      doc('api', { kind: 'http', dependsOn: ['gateway'], target: { url: `${targetUrl}/health` } }),
    ];
    const r = await api('POST', '/api/v1/apply', { documents: docs.map((document) => ({ document })) });
    expect(r.statusCode).toBe(200);
    expect(r.json().changes.map((c: { action: string }) => c.action)).toEqual(['create', 'create']);
    const exported = (await api('GET', '/api/v1/export'))
      .json()
      .documents.filter((d: { kind: string }) => d.kind === 'Check');
    const again = await api('POST', '/api/v1/apply', {
      documents: exported.map((document: unknown) => ({ document })),
    });
    expect(again.json().changes.every((c: { action: string }) => c.action === 'unchanged')).toBe(true);
    const del = await api('DELETE', '/api/v1/checks/gateway');
    expect(del.statusCode).toBe(409);
    expect(del.json().error.code).toBe('has_dependants');
  });

  it('checks created at once all get created (no false "already exists" on PostgreSQL)', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `burst-${i}`);
    const created = await Promise.all(
      names.map((name) => api('POST', '/api/v1/checks', { name, kind: 'tcp', target: { host: '127.0.0.1', port: 1 } })),
    );
    expect(created.map((r) => r.statusCode)).toEqual(Array(8).fill(201));
    for (const name of names) expect((await api('DELETE', `/api/v1/checks/${name}`)).statusCode).toBe(204);
  });

  it('who depends on a check follows creates, edits and deletes of the checks that name it', async () => {
    const tcp = (name: string, dependsOn: string[]) => ({
      name,
      kind: 'tcp',
      dependsOn,
      target: { host: '127.0.0.1', port: 1 },
    });
    expect((await api('POST', '/api/v1/checks', tcp('dep-a', []))).statusCode).toBe(201);
    expect((await api('POST', '/api/v1/checks', tcp('dep-b', []))).statusCode).toBe(201);
    expect((await api('POST', '/api/v1/checks', tcp('dep-user', ['dep-a', 'dep-b']))).statusCode).toBe(201);
    const blocked = await api('DELETE', '/api/v1/checks/dep-a');
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().error.message).toContain('dep-user');
    // The user now names only dep-b: dep-a may go, dep-b may not.
    expect((await api('PUT', '/api/v1/checks/dep-user', tcp('dep-user', ['dep-b']))).statusCode).toBe(200);
    expect((await api('DELETE', '/api/v1/checks/dep-a')).statusCode).toBe(204);
    expect((await api('DELETE', '/api/v1/checks/dep-b')).statusCode).toBe(409);
    // Once the user is gone, nothing depends on dep-b any more.
    expect((await api('DELETE', '/api/v1/checks/dep-user')).statusCode).toBe(204);
    expect((await api('DELETE', '/api/v1/checks/dep-b')).statusCode).toBe(204);
  });
});
