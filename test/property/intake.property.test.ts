import fc from 'fast-check';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, doc, integrationKey } from '../alerts/helpers.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  adversarialString,
  contentTypes,
  expectNoPollution,
  nearValid,
  RUNS,
  timed,
  type WireBody,
  wireBody,
} from './support.js';

/** A URL segment; text that cannot be encoded (a lone surrogate) becomes bad percent-encoding on purpose. */
function segment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

/**
 * Random and adversarial bodies at every intake protocol: arbitrary JSON, near-valid payloads (one to
 * three mutations of a valid one: wrong types, huge strings, unicode, prototype keys, deep nesting,
 * numbers as strings), raw non-JSON bytes and wrong content types. For every request: no 5xx, an
 * answer within the bound, the protocol's own body shape, a 4xx stores nothing, a 2xx stores what it
 * says it stored.
 */
describe.each(engines())('intake protocols under random input on %s', (engine) => {
  let s: TestServer;
  const keys: Record<string, string> = {};
  // biome-ignore lint/suspicious/noExplicitAny: counting rows of the alert tables
  const db = () => s.app.database.db as unknown as Kysely<any>;

  /** Everything an intake request can write, as one comparable value (one round trip). */
  async function writes(): Promise<string> {
    const count = (table: string) => sql<number>`(select count(*) from ${sql.table(table)})`;
    const row = await db()
      .selectNoFrom([
        count('alerts').as('alerts'),
        sql<number>`(select coalesce(sum(repeats), 0) from alerts)`.as('repeats'),
        sql<number>`(select count(acknowledged_at) from alerts)`.as('acked'),
        sql<number>`(select count(ends_at) from alerts)`.as('ended'),
        count('alert_labels').as('labels'),
        count('alert_history').as('history'),
        count('alert_changes').as('changes'),
        count('alert_group_members').as('groups'),
      ])
      .executeTakeFirstOrThrow();
    return JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])));
  }

  const send = (url: string, body: WireBody, headers: Record<string, string> = {}) =>
    timed(`POST ${url.slice(0, 80)}`, () =>
      s.app.http.inject({
        method: 'POST',
        url,
        headers: { ...(body.contentType === undefined ? {} : { 'content-type': body.contentType }), ...headers },
        payload: body.payload,
      }),
    );

  const parsedPayload = (body: WireBody): unknown => {
    try {
      return JSON.parse(body.payload.toString());
    } catch {
      return undefined;
    }
  };

  const openAlerts = async (dedupKey: string, source: string) =>
    (
      await db()
        .selectFrom('alerts')
        .select(['id', 'summary', 'labels_json', 'status'])
        .where('dedup_key', '=', dedupKey)
        .where('source', '=', source)
        .where('status', '=', 'firing')
        .execute()
    ).length;

  const alertExists = async (id: string) =>
    (await db().selectFrom('alerts').select('id').where('id', '=', id).execute()).length === 1;

  /** Mainstay's own error body (the Alertmanager and webhook endpoints answer with it). */
  const expectMainstayError = (json: unknown) => {
    expect(json).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  };

  beforeAll(async () => {
    s = await startTestServer({ engine, listen: false, env: { MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' } });
    await apply(s, [
      doc('Integration', 'pd', { type: 'pagerduty', rateLimitPerMinute: 0 }),
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
          labels: { host: '$.host', region: '$.where.region' },
          annotations: { runbook: '$.links[0]' },
        },
      }),
      doc('Integration', 'batch', {
        type: 'webhook',
        rateLimitPerMinute: 0,
        mapping: { items: '$.events', summary: '$.msg', labels: { host: '$.host' }, status: '$.state' },
      }),
    ]);
    for (const n of ['pd', 'am', 'og', 'hook', 'batch']) keys[n] = await integrationKey(s, n);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('PagerDuty /v2/enqueue: never a 5xx; errors in PagerDuty’s shape store nothing; a 202 trigger is stored', async () => {
    const valid = () => ({
      routing_key: keys.pd,
      event_action: 'trigger',
      dedup_key: 'prop-pd',
      payload: {
        summary: 'disk full',
        source: 'db1',
        severity: 'critical',
        timestamp: '2026-01-02T03:04:05.678+0000',
        component: 'disk',
        group: 'db',
        class: 'capacity',
        custom_details: { free: '1%', mounts: ['/', '/var'] },
      },
      links: [{ href: 'https://example.test', text: 'x' }],
      images: [{ src: 'https://example.test/a.png' }],
      client: 'prop',
      client_url: 'https://example.test',
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constant(null).chain(() => wireBody(valid())),
        async (body) => {
          const before = await writes();
          const r = await send('/v2/enqueue', body);
          expect(r.statusCode).toBeLessThan(500);
          const json = r.json();
          if (r.statusCode === 202) {
            expect(json).toEqual({ status: 'success', message: 'Event processed', dedup_key: expect.any(String) });
            const sent = parsedPayload(body) as { event_action?: unknown };
            if (sent?.event_action === 'trigger') expect(await openAlerts(json.dedup_key, 'pagerduty')).toBe(1);
          } else {
            expect(r.statusCode).toBeGreaterThanOrEqual(400);
            expect(json).toEqual({
              status: expect.any(String),
              message: expect.any(String),
              errors: expect.any(Array),
            });
            expect(await writes(), `a ${r.statusCode} wrote something`).toBe(before);
          }
          expectNoPollution();
        },
      ),
      RUNS(100),
    );
  });

  it('PagerDuty /v2/change/enqueue: never a 5xx; a 202 records exactly one change, an error none', async () => {
    const valid = () => ({
      routing_key: keys.pd,
      payload: {
        summary: 'deployed v2',
        source: 'ci',
        timestamp: '2026-01-02T03:04:05Z',
        custom_details: { build: 42 },
      },
      links: [{ href: 'https://example.test/build/42', text: 'build' }],
    });
    await fc.assert(
      fc.asyncProperty(wireBody(valid()), async (body) => {
        const before = JSON.parse(await writes());
        const r = await send('/v2/change/enqueue', body);
        expect(r.statusCode).toBeLessThan(500);
        const after = JSON.parse(await writes());
        if (r.statusCode === 202) {
          expect(r.json()).toEqual({ status: 'success', message: 'Change event processed' });
          expect(after).toEqual({ ...before, changes: before.changes + 1 });
        } else {
          expect(r.json()).toEqual({
            status: expect.any(String),
            message: expect.any(String),
            errors: expect.any(Array),
          });
          expect(after).toEqual(before);
        }
      }),
      RUNS(60),
    );
  });

  it('Alertmanager webhook v4: never a 5xx; a 200 stored every alert it counted, a 4xx nothing', async () => {
    const valid = () => ({
      version: '4',
      groupKey: '{}:{alertname="Disk"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'mainstay',
      groupLabels: { alertname: 'Disk' },
      commonLabels: { alertname: 'Disk' },
      commonAnnotations: {},
      externalURL: 'http://am.example.test',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Disk', instance: 'db1:9100', severity: 'critical' },
          annotations: { summary: 'disk full', description: 'free < 1%' },
          startsAt: '2026-01-02T03:04:05.123456789Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prom.example.test/graph',
          fingerprint: 'abc123',
        },
        {
          status: 'resolved',
          labels: { alertname: 'Disk', instance: 'db2:9100' },
          annotations: {},
          startsAt: '2026-01-02T03:04:05Z',
          endsAt: '2026-01-02T04:04:05Z',
        },
      ],
    });
    await fc.assert(
      fc.asyncProperty(wireBody(valid()), async (body) => {
        const before = await writes();
        const r = await send(`/api/v1/integrations/alertmanager/${keys.am}`, body);
        expect(r.statusCode).toBeLessThan(500);
        const json = r.json();
        if (r.statusCode === 200) {
          expect(json).toEqual({ status: 'success', accepted: expect.any(Number), alerts: expect.any(Array) });
          expect(json.alerts).toHaveLength(json.accepted);
          const sent = parsedPayload(body) as { alerts?: unknown[] };
          expect(json.accepted).toBe(sent.alerts?.length);
          for (const id of json.alerts) if (id !== null) expect(await alertExists(id)).toBe(true);
        } else {
          expectMainstayError(json);
          expect(await writes(), `a ${r.statusCode} wrote something`).toBe(before);
        }
        expectNoPollution();
      }),
      RUNS(80),
    );
  });

  it('Alertmanager v2 alert API (as Prometheus posts): never a 5xx, all or nothing', async () => {
    const valid = () => [
      {
        labels: { alertname: 'Up', job: 'node', instance: 'a:9100' },
        annotations: { summary: 'down' },
        startsAt: '2026-01-02T03:04:05Z',
        endsAt: '2099-01-02T03:04:05Z',
        generatorURL: 'http://prom.example.test',
      },
    ];
    await fc.assert(
      fc.asyncProperty(wireBody(valid()), async (body) => {
        const before = await writes();
        const r = await send(`/api/v1/integrations/alertmanager/${keys.am}/api/v2/alerts`, body);
        expect(r.statusCode).toBeLessThan(500);
        if (r.statusCode === 200) {
          const json = r.json();
          expect(json.alerts).toHaveLength(json.accepted);
          for (const id of json.alerts) if (id !== null) expect(await alertExists(id)).toBe(true);
        } else {
          expectMainstayError(r.json());
          expect(await writes()).toBe(before);
        }
      }),
      RUNS(60),
    );
  });

  it('generic webhook (single and batch mappings): never a 5xx; a 200 stored every mapped item, a 4xx nothing', async () => {
    const single = () => ({
      title: 'queue backlog',
      level: 'P1',
      id: 'hook-1',
      state: 'alerting',
      host: 'mq1',
      where: { region: 'eu' },
      links: ['https://runbooks.example.test/mq'],
    });
    const batch = () => ({
      events: [
        { msg: 'a down', host: 'a', state: 'firing' },
        { msg: 'b down', host: 'b', state: 'resolved' },
      ],
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          wireBody(single()).map((b) => ({ key: 'hook', b })),
          wireBody(batch()).map((b) => ({ key: 'batch', b })),
        ),
        async ({ key, b }) => {
          const before = await writes();
          const r = await send(`/api/v1/integrations/webhook/${keys[key]}`, b);
          expect(r.statusCode).toBeLessThan(500);
          const json = r.json();
          if (r.statusCode === 200) {
            expect(json.alerts).toHaveLength(json.accepted);
            for (const id of json.alerts) if (id !== null) expect(await alertExists(id)).toBe(true);
          } else {
            expectMainstayError(json);
            expect(await writes()).toBe(before);
          }
          expectNoPollution();
        },
      ),
      RUNS(80),
    );
  });

  it('Opsgenie create/acknowledge/close: never a 5xx; errors in Opsgenie’s shape store nothing; a 202 create is stored', async () => {
    const valid = () => ({
      message: 'api latency',
      alias: 'og-1',
      description: 'p99 > 2s',
      entity: 'api',
      source: 'grafana',
      user: 'ops',
      note: 'see dashboard',
      priority: 'P2',
      tags: ['api', 'latency'],
      details: { region: 'eu', p99: '2.3s' },
      responders: [{ type: 'team', name: 'ops' }],
    });
    const auth = fc.oneof(
      { weight: 8, arbitrary: fc.constant(() => `GenieKey ${keys.og}`) },
      {
        weight: 2,
        arbitrary: fc.oneof(
          fc.constant(() => ''),
          fc.constant(() => `Bearer ${keys.og}`),
          fc.constant(() => `genieKEY\t${keys.og}`),
          fc.constant(() => `GenieKey ${keys.pd}`),
          adversarialString.map((x) => () => `GenieKey ${[...x].filter((c) => c >= ' ' && c <= '~').join('')}`),
        ),
      },
    );
    const target = fc.oneof(
      { weight: 3, arbitrary: fc.constant({ url: '/v2/alerts', create: true }) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            fc.constantFrom('acknowledge', 'close'),
            fc.oneof(
              fc.constant('og-1'),
              fc.constantFrom('x'.repeat(512), 'x'.repeat(513)),
              adversarialString.filter((x) => x.length > 0 && x.length < 2000),
            ),
            fc.oneof(
              fc.constant('alias'),
              fc.constant(undefined),
              adversarialString.filter((x) => x.length < 200),
            ),
          )
          .map(([action, id, type]) => ({
            url: `/v2/alerts/${segment(id)}/${action}${type === undefined ? '' : `?identifierType=${segment(type)}`}`,
            create: false,
          })),
      },
    );
    await fc.assert(
      fc.asyncProperty(target, auth, wireBody(valid()), async (t, authOf, body) => {
        const before = await writes();
        const r = await send(t.url, body, { authorization: authOf() });
        expect(r.statusCode).toBeLessThan(500);
        const json = r.json();
        if (r.statusCode === 202) {
          expect(json).toEqual({
            result: 'Request will be processed',
            took: expect.any(Number),
            requestId: expect.any(String),
          });
          if (t.create) {
            const sent = parsedPayload(body) as { alias?: unknown };
            // As the adapter reads it: numbers and booleans as text, blank as absent (the request id then).
            const given = ['number', 'boolean'].includes(typeof sent.alias) ? String(sent.alias) : sent.alias;
            const alias = typeof given === 'string' && given.trim() !== '' ? given : json.requestId;
            if (typeof alias === 'string') expect(await openAlerts(alias, 'opsgenie')).toBe(1);
          }
        } else {
          if (['bad_url', 'uri_too_long'].includes(json.error?.code)) {
            // The URL itself is malformed: refused before any route (so any protocol) is known.
            expectMainstayError(json);
          } else {
            expect(json).toMatchObject({
              message: expect.any(String),
              took: expect.any(Number),
              requestId: expect.any(String),
            });
          }
          expect(await writes()).toBe(before);
        }
        expectNoPollution();
      }),
      RUNS(80),
    );
  });

  describe('counterexamples the properties found (kept as plain regressions)', () => {
    it('an unparsable Content-Type on /v2/enqueue and /v2/alerts is a 415 in the protocol’s shape, not a 500', async () => {
      const body = JSON.stringify({ routing_key: keys.pd, event_action: 'trigger' });
      const pd = await send('/v2/enqueue', { contentType: ';;;', payload: body });
      expect(pd.statusCode).toBe(415);
      expect(pd.json()).toMatchObject({ status: 'Unsupported Media Type', errors: [expect.any(String)] });
      const og = await send(
        '/v2/alerts',
        { contentType: 'json', payload: '{"message":"x"}' },
        { authorization: `GenieKey ${keys.og}` },
      );
      expect(og.statusCode).toBe(415);
      expect(og.json()).toMatchObject({ message: expect.any(String), requestId: expect.any(String) });
    });

    it('a non-JSON body under another content type is a 400 invalid_json on the Alertmanager and webhook endpoints, not a 500', async () => {
      for (const url of [
        `/api/v1/integrations/alertmanager/${keys.am}`,
        `/api/v1/integrations/alertmanager/${keys.am}/api/v2/alerts`,
        `/api/v1/integrations/webhook/${keys.batch}`,
      ]) {
        const r = await send(url, { contentType: 'application/vnd.api+json', payload: 'C' });
        expect(r.statusCode).toBe(400);
        expect(r.json().error.code).toBe('invalid_json');
      }
      const og = await send(
        '/v2/alerts',
        { contentType: 'text/plain', payload: '{' },
        { authorization: `GenieKey ${keys.og}` },
      );
      expect([og.statusCode, og.json().message]).toEqual([400, 'Invalid JSON body']);
    });

    it('an Opsgenie alias of 512 characters can be closed (the router allowed only 100 in a path segment)', async () => {
      const alias = 'a'.repeat(512);
      const json = (payload: unknown) => ({ contentType: 'application/json', payload: JSON.stringify(payload) });
      const auth = { authorization: `GenieKey ${keys.og}` };
      expect((await send('/v2/alerts', json({ message: 'long alias', alias }), auth)).statusCode).toBe(202);
      const close = await send(`/v2/alerts/${alias}/close?identifierType=alias`, json({}), auth);
      expect(close.statusCode).toBe(202);
      expect(await openAlerts(alias, 'opsgenie')).toBe(0);
    });

    it('bad percent-encoding in a path is a 400 bad_url in Mainstay’s error shape', async () => {
      const r = await send('/v2/alerts/%E0%A4%A/close', { contentType: 'application/json', payload: '{}' });
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toMatchObject({ code: 'bad_url', requestId: expect.any(String) });
    });
  });

  it('unknown keys and odd content types on every intake path answer in the protocol’s shape, never 5xx', async () => {
    const paths = [
      '/v2/enqueue',
      '/v2/change/enqueue',
      '/api/v1/integrations/alertmanager/nope',
      '/api/v1/integrations/alertmanager/nope/api/v2/alerts',
      '/api/v1/integrations/webhook/nope',
      '/v2/alerts',
      '/v2/alerts/x/close?identifierType=alias',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        contentTypes,
        fc.oneof(nearValid({ routing_key: 'nope', event_action: 'trigger' }), fc.jsonValue()),
        async (url, contentType, v) => {
          const before = await writes();
          const r = await send(
            url,
            { contentType, payload: JSON.stringify(v) ?? '' },
            { authorization: 'GenieKey nope' },
          );
          expect(r.statusCode).toBeGreaterThanOrEqual(400);
          expect(r.statusCode).toBeLessThan(500);
          expect(await writes()).toBe(before);
        },
      ),
      RUNS(60),
    );
  });
});
