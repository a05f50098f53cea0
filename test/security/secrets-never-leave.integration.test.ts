import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/telemetry/logger.js';
import { run, tempDir } from '../cli/helpers.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { databaseText, fillUrl, type Json, type Method } from './support.js';

/** A unique, greppable piece of a secret. */
const marker = (what: string) => `${what}${randomBytes(8).toString('hex')}`;

/**
 * A third party that refuses everything and quotes back all it got (path, Authorization, body), as
 * many proxies and frameworks do in their error pages ("Cannot POST /services/T0/B0/…"): whatever a
 * channel sent it, including the credential, comes back in the answer that Mainstay records.
 */
async function startEcho() {
  const got: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = `${req.method} ${req.url} authorization=${req.headers.authorization ?? ''} x-api-key=${req.headers['x-api-key'] ?? ''} body=${Buffer.concat(chunks).toString('utf8').slice(0, 2000)}`;
      got.push(text);
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`rejected: ${text}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const doc = (kind: string, name: string, spec: unknown) => ({
  apiVersion: 'mainstay/v1',
  kind,
  metadata: { name },
  spec,
});

/**
 * Secrets never leave: after creating every kind of resource that holds a credential and using each
 * of them (sends, probes, pings, intake, sign-in), no API response, log line, audit entry, export
 * (API and CLI) or database row holds one in plain text. A few answers exist to show a credential to
 * whoever manages it, and are the only places it may appear (REVEALS).
 */
describe.each(engines())('secrets never leave on %s', (engine) => {
  let s: TestServer;
  let echo: Awaited<ReturnType<typeof startEcho>>;
  const logLines: string[] = [];
  /** Every answer the API gave in this test, with what was asked. */
  const answers: { what: string; text: string }[] = [];
  /** Credentials by name; each must never appear in plain text outside its REVEALS. */
  const secrets: Record<string, string> = {};
  const names: Record<string, string[]> = {};
  let viewerToken = '';
  let work = '';

  /** Answers allowed to carry a credential: the endpoints that exist to show it to its manager. */
  const REVEALS: Record<string, (what: string) => boolean> = {
    // The heartbeat URL, for editors, on the check's page and when it is created or rotated.
    pingKey: (what) =>
      what === 'POST /api/v1/checks' ||
      /^(GET|PUT) \/api\/v1\/checks\/[^/]+$/.test(what) ||
      /^POST \/api\/v1\/checks\/[^/]+\/ping-key$/.test(what),
    // Reveal (audited) of an integration's key.
    amKey: (what) => what === 'POST /api/v1/integrations/am/key',
    hookKey: (what) => what === 'POST /api/v1/integrations/hook/key',
    ogKey: (what) => what === 'POST /api/v1/integrations/og/key',
    // The person's own calendar feed URL.
    feedToken: (what) => /^(GET|POST) \/api\/v1\/me\/feed$/.test(what),
    // A new API token is shown once, in the answer that created it.
    apiToken: (what) => what === 'POST /api/v1/tokens',
    viewerToken: (what) => what === 'POST /api/v1/auth/token',
  };

  const request = async (method: Method, url: string, payload?: unknown, headers?: Record<string, string>) => {
    const r = await s.app.http.inject({
      method,
      url,
      headers: headers ?? { authorization: `Bearer ${s.adminToken}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    answers.push({ what: `${method} ${url.split('?')[0]}`, text: `${JSON.stringify(r.headers)}\n${r.body}` });
    let body: Json = r.body;
    try {
      body = r.json();
    } catch {}
    return { status: r.statusCode, body };
  };
  const ok = async (method: Method, url: string, payload?: unknown, headers?: Record<string, string>) => {
    const r = await request(method, url, payload, headers);
    expect(r.status, `${method} ${url}: ${JSON.stringify(r.body).slice(0, 600)}`).toBeLessThan(300);
    return r.body;
  };
  /** Polls (the deliveries run on the app's own workers) until `get` returns something. */
  const eventually = async <T>(get: () => Promise<T | undefined>, what: string): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await get();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const leaks = (text: string, allow: (secret: string) => boolean = () => false) =>
    Object.entries(secrets)
      .filter(([name, value]) => text.includes(value) && !allow(name))
      .map(([name]) => name);

  beforeAll(async () => {
    echo = await startEcho();
    const sink = { write: (line: string) => void logLines.push(line) };
    s = await startTestServer({ engine, logger: createLogger('trace', sink), env: { MAINSTAY_CHECKS: 'false' } });
    work = tempDir();

    // Secrets: URLs whose path is the credential, tokens, passwords, an existing routing key.
    const values: Record<string, string> = {
      'hook-url': `${echo.url}/hook/${marker('hookpath')}`,
      'hook-signing': marker('signing'),
      'hook-auth': `Bearer ${marker('hookauth')}`,
      'slack-url': `${echo.url}/services/${marker('slackpath')}`,
      'teams-url': `${echo.url}/teams/${marker('teamspath')}`,
      'smtp-password': marker('smtppass'),
      'ntfy-token': marker('ntfytoken'),
      'telegram-token': `123456:${marker('tgtoken')}`,
      'twilio-token': marker('twiliotoken'),
      'check-token': marker('checktoken'),
      'pd-key': randomBytes(16).toString('hex'),
      'am-webhook-url': `${echo.url}/amhook/${marker('amhookpath')}`,
      'am-slack-url': `${echo.url}/amslack/${marker('amslackpath')}`,
    };
    for (const [name, value] of Object.entries(values)) {
      // The credential part of a URL is its path: quoting the path alone is a leak too.
      secrets[name] = value.startsWith('http') ? new URL(value).pathname.split('/').pop()! : value;
    }
    const sid = `AC${'0123456789abcdef'.repeat(2)}`;
    const documents = [
      ...Object.entries(values).map(([name, value]) => doc('Secret', name, { value })),
      doc('Channel', 'hook', {
        type: 'webhook',
        urlSecret: 'hook-url',
        signingSecret: 'hook-signing',
        headerSecrets: { Authorization: 'hook-auth' },
      }),
      doc('Channel', 'slack', { type: 'slack', urlSecret: 'slack-url' }),
      doc('Channel', 'teams', { type: 'teams', urlSecret: 'teams-url' }),
      doc('Channel', 'mail', {
        type: 'email',
        smarthost: '127.0.0.1:1',
        authUsername: 'mainstay',
        authPasswordSecret: 'smtp-password',
        to: ['ops@example.test'],
      }),
      doc('Channel', 'ntfy', { type: 'ntfy', baseUrl: echo.url, topic: 'ops', tokenSecret: 'ntfy-token' }),
      doc('Channel', 'tg', { type: 'telegram', baseUrl: echo.url, botTokenSecret: 'telegram-token', chatId: '42' }),
      doc('Channel', 'sms', {
        type: 'sms',
        baseUrl: echo.url,
        accountSid: sid,
        authTokenSecret: 'twilio-token',
        from: '+14155550100',
        to: '+14155550101',
      }),
      doc('Integration', 'pd', { type: 'pagerduty', keySecret: 'pd-key', rateLimitPerMinute: 0 }),
      doc('Integration', 'am', { type: 'alertmanager', rateLimitPerMinute: 0 }),
      doc('Integration', 'og', { type: 'opsgenie', rateLimitPerMinute: 0 }),
      doc('Integration', 'hook', { type: 'webhook', rateLimitPerMinute: 0, mapping: { summary: '$.title' } }),
      doc('Receiver', 'echo', {
        webhooks: [{ urlSecret: 'am-webhook-url', headerSecrets: { 'X-Api-Key': 'check-token' } }],
        slack: [{ urlSecret: 'am-slack-url' }],
      }),
      doc('Route', 'root', { receiver: 'echo', groupBy: ['alertname'], groupWait: '0s', groupInterval: '1s' }),
      doc('EscalationPolicy', 'ops', { levels: [{ targets: [{ user: s.adminEmail }] }] }),
    ];
    await ok('POST', '/api/v1/apply', { documents: documents.map((document) => ({ document })) });
    names.secret = Object.keys(values);
    names.channel = ['hook', 'slack', 'teams', 'mail', 'ntfy', 'tg', 'sms'];
    for (const i of ['am', 'og', 'hook'] as const)
      secrets[`${i}Key`] = (await ok('POST', `/api/v1/integrations/${i}/key`)).key;

    // Checks: an HTTP probe with a bearer token from a Secret, and a heartbeat with its ping key.
    await ok('POST', '/api/v1/checks', {
      name: 'api-health',
      kind: 'http',
      target: { url: `${echo.url}/health`, auth: { type: 'bearer', tokenSecret: 'check-token' } },
    });
    const beat = await ok('POST', '/api/v1/checks', {
      name: 'nightly',
      kind: 'heartbeat',
      target: { periodSeconds: 3600, graceSeconds: 60 },
    });
    secrets.pingKey = beat.pingPath.split('/').pop();
    names.check = ['api-health', 'nightly'];

    // People: a password, an API token, a session, a calendar feed, a contact method on Telegram.
    secrets.password = marker('password-');
    const viewer = await ok('POST', '/api/v1/users', {
      email: 'viewer@example.test',
      name: 'Viewer',
      role: 'viewer',
      password: secrets.password,
    });
    names.user = [viewer.id];
    viewerToken = (
      await ok('POST', '/api/v1/auth/token', { email: 'viewer@example.test', password: secrets.password, name: 'v' })
    ).token;
    secrets.viewerToken = viewerToken;
    secrets.apiToken = (await ok('POST', '/api/v1/tokens', { name: 'ci', scope: 'editor' })).token;
    const login = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'viewer@example.test', password: secrets.password },
    });
    secrets.session = login.cookies.find((c) => c.name === 'mainstay_session')?.value as string;
    secrets.feedToken = new URL((await ok('POST', '/api/v1/me/feed')).url).pathname
      .split('/')
      .pop()!
      .replace('.ics', '');
    const me = await ok('GET', '/api/v1/me');
    names.user.push(me.id);
    await ok('POST', `/api/v1/users/${me.id}/contact-methods`, { name: 'telegram', channel: 'tg', address: '42' });
  });

  afterAll(async () => {
    await s?.close();
    await echo?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('every credential is used: sends, probes, pings, intake, pages and alert deliveries', async () => {
    const sent = echo.got.length;
    for (const name of names.channel as string[]) await request('POST', `/api/v1/channels/${name}/test`, {});
    await ok('GET', `/ping/${secrets.pingKey}`, undefined, {});
    await ok('GET', `/ical/${secrets.feedToken}.ics`, undefined, {});
    await ok('POST', `/ping/${secrets.pingKey}/fail`, 'the job printed this', { 'content-type': 'text/plain' });
    const alert = {
      routing_key: secrets['pd-key'],
      event_action: 'trigger',
      payload: { summary: 'disk', source: 'db1', severity: 'critical' },
    };
    expect((await request('POST', '/v2/enqueue', alert, {})).status).toBe(202);
    await ok('POST', `/api/v1/integrations/webhook/${secrets.hookKey}`, { title: 'from a webhook' }, {});
    await ok(
      'POST',
      `/api/v1/integrations/alertmanager/${secrets.amKey}`,
      {
        version: '4',
        groupKey: 'g',
        status: 'firing',
        receiver: 'mainstay',
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://am',
        alerts: [{ status: 'firing', labels: { alertname: 'Am' }, annotations: {}, startsAt: '2026-01-01T00:00:00Z' }],
      },
      {},
    );
    await ok('POST', '/v2/alerts', { message: 'queue backlog' }, { authorization: `GenieKey ${secrets.ogKey}` });
    // Wrong keys and bad input that carries a credential in the body.
    await request('POST', '/v2/enqueue', { ...alert, routing_key: `${secrets['pd-key']}x` }, {});
    await request('POST', '/api/v1/secrets', { name: 'Bad Name', value: secrets['hook-signing'] });
    await request('POST', '/api/v1/apply', {
      documents: [{ document: doc('Secret', 'UPPER', { value: secrets['ntfy-token'] }) }],
    });
    await request('POST', '/api/v1/auth/login', { email: 'nobody@example.test', password: secrets.password }, {});
    // A page to a person through the Telegram channel, recorded as a delivery with its receipt.
    const inc = await ok('POST', '/api/v1/incidents', { title: 'paged', policy: 'ops' });
    await eventually(async () => {
      const d = await request('GET', `/api/v1/deliveries?incident=${inc.id}`);
      return d.body.items?.find((x: Json) => x.receipts?.length) ? true : undefined;
    }, 'a delivery receipt');
    // Alert deliveries to the receiver's webhook and Slack targets, with their receipts.
    await eventually(async () => {
      const groups = await request('GET', '/api/v1/alert-groups');
      let receipts = 0;
      for (const g of groups.body.items ?? []) {
        const n = await request('GET', `/api/v1/alert-groups/${g.id}/notifications`);
        for (const x of n.body.items ?? []) receipts += x.receipts?.length ?? 0;
      }
      return receipts >= 2 ? true : undefined;
    }, 'alert delivery receipts');
    // Each channel and target did reach the echo server (so its answer was recorded).
    expect(echo.got.length - sent).toBeGreaterThanOrEqual(9);
    // headerSecrets went out as headers, to the channel's and the receiver's webhooks.
    expect(echo.got.some((g) => g.includes(`authorization=${secrets['hook-auth']}`))).toBe(true);
    expect(echo.got.some((g) => g.includes(`x-api-key=${secrets['check-token']}`))).toBe(true);
  });

  it('a header is either plain or from a Secret: both is a 400 naming headerSecrets', async () => {
    for (const [kind, spec, field] of [
      [
        'Channel',
        {
          type: 'webhook',
          url: `${echo.url}/x`,
          headers: { authorization: 'x' },
          headerSecrets: { Authorization: 'hook-auth' },
        },
        'documents.0.spec.headerSecrets',
      ],
      [
        'Receiver',
        { webhooks: [{ url: `${echo.url}/x`, headers: { 'X-Key': 'x' }, headerSecrets: { 'x-key': 'hook-auth' } }] },
        'documents.0.spec.webhooks.0.headerSecrets',
      ],
    ] as const) {
      const r = await request('POST', '/api/v1/apply', { documents: [{ document: doc(kind, 'both', spec) }] });
      expect(r.status).toBe(400);
      expect(r.body.error.fields.map((f: Json) => f.path)).toContain(field);
    }
  });

  it('no API answer holds a credential, outside the answers that exist to show it', async () => {
    // Walk every GET route, with the names and ids of what exists.
    const ids = async (url: string, field = 'id') =>
      ((await request('GET', url)).body.items ?? []).map((x: Json) => String(x[field]));
    const values: Record<string, string[]> = {
      incidents: await ids('/api/v1/incidents'),
      alerts: await ids('/api/v1/alerts?limit=500'),
      'alert-groups': await ids('/api/v1/alert-groups'),
      teams: [],
      users: names.user as string[],
      checks: names.check as string[],
      secrets: names.secret as string[],
      schedules: [],
      'escalation-policies': ['ops'],
      silences: [],
    };
    const kinds = ((await request('GET', '/api/v1/resources')).body.items ?? []).map((k: Json) => k.plural as string);
    for (const route of s.app.routes.filter((r) => r.method === 'GET')) {
      const section = route.url.split('/')[3] ?? '';
      if (route.url.startsWith('/api/v1/resources/:kind')) {
        for (const kind of kinds) {
          const list = await request('GET', `/api/v1/resources/${kind}`);
          if (!route.url.endsWith(':name')) continue;
          for (const item of list.body.items ?? [])
            await request('GET', `/api/v1/resources/${kind}/${encodeURIComponent(item.metadata?.name ?? item.name)}`);
        }
        continue;
      }
      const list = route.url.includes(':id')
        ? (values[section] ?? [])
        : route.url.includes(':name')
          ? (values[section] ?? [])
          : [''];
      for (const v of list.length ? list : ['none']) {
        const url = fillUrl(route.url, {
          id: v,
          name: v,
          userId: names.user?.[1] as string,
          key: 'unknown',
          token: 'unknown',
        });
        await request('GET', url.includes('?') ? url : `${url}?limit=500`);
      }
    }
    for (const url of ['/metrics', '/healthz', '/readyz', '/api/v1/openapi.json', '/api/v1/docs'])
      await request('GET', url, undefined, {});
    // As a viewer, even the check page leaves the heartbeat key out.
    const asViewer = await request('GET', '/api/v1/checks/nightly', undefined, {
      authorization: `Bearer ${viewerToken}`,
    });
    expect(asViewer.status).toBe(200);
    expect(JSON.stringify(asViewer.body)).not.toContain(secrets.pingKey);
    expect(answers.length).toBeGreaterThan(80);
    const found = answers.flatMap(({ what, text }) =>
      leaks(text, (name) => REVEALS[name]?.(what) ?? false).map((name) => `${name} in ${what}`),
    );
    expect([...new Set(found)]).toEqual([]);
  });

  // The HTTP probe scrubs every secret it revealed from what it keeps (message, details, the
  // target's answer), as notify's send-guard and the alert deliverer do.
  it('an HTTP check run against a target that quotes its request keeps no bearer token', async () => {
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/checks/api-health/run',
      headers: { authorization: `Bearer ${s.adminToken}` },
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).not.toContain(secrets['check-token']);
  });

  it('no log line holds a credential, at any level', () => {
    expect(logLines.length).toBeGreaterThan(50);
    const found = logLines.flatMap((line) => leaks(line).map((name) => `${name}: ${line.slice(0, 300)}`));
    expect(found).toEqual([]);
  });

  it('no audit entry holds a credential', async () => {
    let offset = 0;
    let text = '';
    for (;;) {
      const page = await request('GET', `/api/v1/audit?limit=500&offset=${offset}`);
      text += JSON.stringify(page.body.items);
      offset += page.body.items.length;
      if (!page.body.items.length || offset >= page.body.total) break;
    }
    expect(offset).toBeGreaterThan(20);
    expect(leaks(text)).toEqual([]);
  });

  it('neither the API export nor `mainstay export` holds a credential', async () => {
    const exported = await request('GET', '/api/v1/export');
    expect(exported.body.documents.length).toBeGreaterThan(20);
    expect(leaks(JSON.stringify(exported.body))).toEqual([]);
    const r = await run(['export', '-o', 'out'], {
      cwd: work,
      env: { MAINSTAY_URL: s.url, MAINSTAY_TOKEN: s.adminToken, XDG_CONFIG_HOME: path.join(work, 'config') },
    });
    expect(r.code, r.stderr).toBe(0);
    const files = fs.readdirSync(path.join(work, 'out'));
    expect(files).toContain('secrets.yaml');
    expect(files).toContain('channels.yaml');
    const text = files.map((f) => fs.readFileSync(path.join(work, 'out', f), 'utf8')).join('\n');
    expect(leaks(text + r.stdout + r.stderr)).toEqual([]);
  });

  it('no database row holds a credential in plain text, nor the SQLite file', async () => {
    expect(leaks(await databaseText(s.app))).toEqual([]);
    if (engine !== 'sqlite') return;
    const file = path.join(s.dataDir, 'mainstay.db');
    const bytes = [file, `${file}-wal`]
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f).toString('latin1'))
      .join('');
    expect(bytes.length).toBeGreaterThan(100_000);
    expect(leaks(bytes)).toEqual([]);
  });
});
