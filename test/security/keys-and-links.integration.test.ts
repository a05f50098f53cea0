import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { call, type Json } from './support.js';

const DAY = 86_400_000;
const doc = (kind: string, name: string, spec: unknown) => ({
  apiVersion: 'mainstay/v1',
  kind,
  metadata: { name },
  spec,
});

/** Changes the last character of a key: the closest possible guess. */
const nearMiss = (key: string) => `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`;

/**
 * Secrets in URLs and bodies: signed acknowledge/resolve links are bound to one incident, one action
 * and an expiry; integration, heartbeat and calendar keys are found by their SHA-256 (never compared
 * character by character), and every unknown key gets the same answer, whatever it resembles.
 */
describe.each(engines())('signed links and secret keys on %s', (engine) => {
  let s: TestServer;
  const clock = new FakeClock(Date.parse('2026-12-01T09:00:00Z'));
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    s = await startTestServer({ engine, clock, listen: false, env: { MAINSTAY_WORKER: 'false' } });
    const applied = await call(s, 'POST', '/api/v1/apply', {
      documents: [
        doc('Integration', 'pd', { type: 'pagerduty', rateLimitPerMinute: 0 }),
        doc('Integration', 'am', { type: 'alertmanager', rateLimitPerMinute: 0 }),
        doc('Integration', 'og', { type: 'opsgenie', rateLimitPerMinute: 0 }),
        doc('Integration', 'hook', { type: 'webhook', rateLimitPerMinute: 0, mapping: { summary: '$.title' } }),
      ].map((document) => ({ document })),
    });
    expect(applied.status, applied.text).toBe(200);
    for (const name of ['pd', 'am', 'og', 'hook'])
      keys[name] = (await call(s, 'POST', `/api/v1/integrations/${name}/key`)).body.key;
    const beat = await call(s, 'POST', '/api/v1/checks', {
      name: 'nightly',
      kind: 'heartbeat',
      target: { periodSeconds: 3600, graceSeconds: 60 },
    });
    expect(beat.status, beat.text).toBe(201);
    keys.ping = beat.body.pingPath.split('/').pop();
    keys.feed = new URL((await call(s, 'POST', '/api/v1/me/feed')).body.url).pathname.split('/').pop() as string;
  });
  afterAll(() => s?.close());

  /** An answer as a caller sees it, without what differs on every request (its id, the date). */
  const seen = async (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const r = await s.app.http.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    const requestId = String(r.headers['x-request-id']);
    const { date: _d, 'x-request-id': _r, 'content-length': _l, ...rest } = r.headers;
    return { status: r.statusCode, headers: rest, body: r.body.split(requestId).join('<request id>') };
  };
  /** Guesses at a key: a near miss of a real one, a prefix, a key of another kind, random, odd shapes. */
  const guesses = (real: string, other: string) => [
    nearMiss(real),
    real.slice(0, -4),
    `${real}0`,
    real.toUpperCase() === real ? real.toLowerCase() : real.toUpperCase(),
    other,
    '0123456789abcdef0123456789abcdef',
    'x',
    // Long, but under every length rule (PagerDuty's routing_key: at most 128, refused as a 400 for any content).
    'a'.repeat(120),
  ];

  const incident = async (title: string) => (await call(s, 'POST', '/api/v1/incidents', { title })).body as Json;
  const links = async (id: string) => {
    const r = await call(s, 'GET', `/api/v1/incidents/${id}/action-links`);
    expect(r.status).toBe(200);
    return { acknowledge: new URL(r.body.acknowledge).pathname, resolve: new URL(r.body.resolve).pathname };
  };
  const status = async (id: string) => (await call(s, 'GET', `/api/v1/incidents/${id}`)).body.status as string;
  const post = (path: string) => s.app.http.inject({ method: 'POST', url: path });

  it('a link cannot be replayed after it expires, by GET or POST, and changes nothing', async () => {
    const a = await incident('expires');
    const l = await links(a.id);
    clock.advance(DAY);
    for (const path of [l.acknowledge, l.resolve]) {
      expect((await s.app.http.inject({ method: 'GET', url: path })).statusCode).toBe(410);
      expect((await post(path)).statusCode).toBe(410);
    }
    expect(await status(a.id)).toBe('triggered');
    // Pushing the expiry forward breaks the signature.
    const [id, action, exp, mac] = (l.acknowledge.split('/').pop() as string).split('.') as [
      string,
      string,
      string,
      string,
    ];
    const later = (Number.parseInt(exp, 36) + 2 * 86_400).toString(36);
    expect((await post(`/a/${id}.${action}.${later}.${mac}`)).statusCode).toBe(404);
    expect(await status(a.id)).toBe('triggered');
  });

  it("a link for incident A cannot act on incident B, and B's answer is the same as for any forgery", async () => {
    const a = await incident('A');
    const b = await incident('B');
    const l = await links(a.id);
    const [, action, exp, mac] = (l.resolve.split('/').pop() as string).split('.');
    const moved = await seen('POST', `/a/${b.id}.${action}.${exp}.${mac}`);
    const garbage = await seen('POST', '/a/not-a-link');
    expect(moved.status).toBe(404);
    expect(moved).toEqual(garbage);
    expect(await status(a.id)).toBe('triggered');
    expect(await status(b.id)).toBe('triggered');
  });

  it('an acknowledge link cannot resolve, and a resolve link says what it does', async () => {
    const a = await incident('ack only');
    const l = await links(a.id);
    const token = l.acknowledge.split('/').pop() as string;
    expect((await post(l.acknowledge)).statusCode).toBe(200);
    expect((await post(l.acknowledge)).statusCode).toBe(200);
    expect(await status(a.id)).toBe('acknowledged');
    // The action is signed: an `a` turned into `r` is a forgery.
    expect((await post(`/a/${token.replace('.a.', '.r.')}`)).statusCode).toBe(404);
    expect(await status(a.id)).toBe('acknowledged');
    const shown = await s.app.http.inject({ method: 'GET', url: l.resolve });
    expect(shown.body).toContain('Resolve incident');
    expect((await post(l.resolve)).statusCode).toBe(200);
    expect(await status(a.id)).toBe('resolved');
  });

  it('an unknown heartbeat key answers like every other unknown key, for every ping kind', async () => {
    const reference = await seen('GET', '/ping/unknown-key');
    expect(reference.status).toBe(404);
    const answers: string[] = [];
    for (const guess of guesses(keys.ping as string, keys.pd as string)) {
      for (const suffix of ['', '/start', '/fail', '/0', '/1']) {
        for (const method of ['GET', 'POST'] as const) {
          const r = await seen(method, `/ping/${encodeURIComponent(guess)}${suffix}`);
          if (JSON.stringify(r) !== JSON.stringify(reference))
            answers.push(`${method} ${suffix} ${guess}: ${JSON.stringify(r)}`);
        }
      }
    }
    expect(answers).toEqual([]);
    // The real key works.
    expect((await s.app.http.inject({ method: 'GET', url: `/ping/${keys.ping}` })).statusCode).toBe(200);
  });

  it('an unknown PagerDuty routing key answers like every other, even a key of another integration', async () => {
    const event = (key: string) => ({
      routing_key: key,
      event_action: 'trigger',
      payload: { summary: 'disk', source: 'db1', severity: 'critical' },
    });
    const reference = await seen('POST', '/v2/enqueue', event('0'.repeat(32)));
    expect(reference.status).toBe(404);
    for (const guess of guesses(keys.pd as string, keys.am as string))
      expect(await seen('POST', '/v2/enqueue', event(guess)), guess).toEqual(reference);
    const change = await seen('POST', '/v2/change/enqueue', {
      routing_key: nearMiss(keys.pd as string),
      payload: { summary: 'x' },
    });
    expect(change.status).toBe(404);
    expect(
      (await s.app.http.inject({ method: 'POST', url: '/v2/enqueue', payload: event(keys.pd as string) })).statusCode,
    ).toBe(202);
  });

  it('an unknown Alertmanager or webhook key answers like every other, even a key of another integration', async () => {
    const group = {
      version: '4',
      groupKey: 'g',
      status: 'firing',
      receiver: 'mainstay',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://am',
      alerts: [{ status: 'firing', labels: { alertname: 'A' }, annotations: {}, startsAt: '2026-12-01T08:00:00Z' }],
    };
    for (const [path, body, real, other] of [
      ['/api/v1/integrations/alertmanager/', group, keys.am, keys.hook],
      ['/api/v1/integrations/webhook/', { title: 'x' }, keys.hook, keys.am],
    ] as const) {
      const reference = await seen('POST', `${path}unknown`, body);
      expect(reference.status).toBe(404);
      for (const guess of guesses(real as string, other as string))
        expect(await seen('POST', `${path}${encodeURIComponent(guess)}`, body), `${path}${guess}`).toEqual(reference);
      expect((await s.app.http.inject({ method: 'POST', url: `${path}${real}`, payload: body })).statusCode).toBe(200);
    }
  });

  it('an unknown Opsgenie key answers like a missing one', async () => {
    const reference = await seen('POST', '/v2/alerts', { message: 'x' });
    expect(reference.status).toBe(401);
    for (const guess of guesses(keys.og as string, keys.pd as string))
      expect(await seen('POST', '/v2/alerts', { message: 'x' }, { authorization: `GenieKey ${guess}` }), guess).toEqual(
        reference,
      );
  });

  it('an unknown calendar feed token answers like every other', async () => {
    const feed = (keys.feed as string).replace(/\.ics$/, '');
    const reference = await seen('GET', '/ical/unknown.ics');
    expect(reference.status).toBe(404);
    for (const guess of guesses(feed, keys.ping as string))
      expect(await seen('GET', `/ical/${encodeURIComponent(guess)}.ics`), guess).toEqual(reference);
    expect((await s.app.http.inject({ method: 'GET', url: `/ical/${feed}.ics` })).statusCode).toBe(200);
  });

  it('keys are stored as SHA-256 digests (the lookup) and sealed copies, never as themselves', async () => {
    const { createHash } = await import('node:crypto');
    const sha = (k: string) => createHash('sha256').update(k).digest('hex');
    const rows = JSON.stringify(
      await s.app.database.db
        .selectFrom('alert_integrations' as never)
        .selectAll()
        .execute(),
    );
    for (const name of ['pd', 'am', 'og', 'hook']) {
      expect(rows).toContain(sha(keys[name] as string));
      expect(rows).not.toContain(keys[name]);
    }
    const checks = JSON.stringify(
      await s.app.database.db
        .selectFrom('checks' as never)
        .selectAll()
        .execute(),
    );
    expect(checks).toContain(sha(keys.ping as string));
    expect(checks).not.toContain(keys.ping);
  });
});
