import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from './helpers.js';

/**
 * `mainstay checks …` and `mainstay secrets …` against a small fake of the REST API on a real
 * loopback socket: what is sent (paths, query, bodies, token), what is printed, and exit codes.
 */

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  auth: string | undefined;
}

type Reply = { status: number; body?: unknown };
type Route = (req: Seen) => Reply | undefined;

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

const state = (over: Record<string, unknown> = {}) => ({
  status: 'up',
  since: '2026-03-01T10:00:00.000Z',
  lastCheckedAt: ago(90_000),
  lastLatencyMs: 12.4,
  lastMessage: '200 OK, 1.2 kB in 12 ms',
  flapping: false,
  flapPercent: 0,
  consecutiveFailures: 0,
  consecutiveSuccesses: 40,
  ...over,
});

function summary(i: number, over: Record<string, unknown> = {}) {
  return {
    id: `c${i}`,
    name: `check-${String(i).padStart(3, '0')}`,
    kind: 'http',
    labels: { team: 'web' },
    targetSummary: `GET https://svc${i}.example.test/health`,
    state: state(),
    uptime24h: 99.951,
    hourly24h: [],
    ...over,
  };
}

const cert = {
  subject: 'CN=shop.example.test',
  issuer: 'CN=Test CA',
  altNames: ['DNS:shop.example.test'],
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2026-06-01T00:00:00.000Z',
  daysLeft: 42,
  fingerprint256: 'AA:BB',
  serialNumber: '01',
  hostnameMatches: true,
  chainValid: false,
  chainError: 'SELF_SIGNED_CERT_IN_CHAIN',
  expiry: 'ok',
};

const shop = {
  id: 'c-shop',
  name: 'shop',
  kind: 'http',
  labels: { team: 'payments' },
  description: 'The shop front page',
  intervalSeconds: 30,
  timeoutSeconds: 5,
  retries: 2,
  recoveryThreshold: 1,
  enabled: true,
  dependsOn: ['core-router'],
  severity: 'critical',
  flapping: { low: 20, high: 30 },
  target: { url: 'https://shop.example.test/', method: 'GET', expectStatus: ['200-299'] },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  state: state({ status: 'down', flapping: true, flapPercent: 45, consecutiveFailures: 3 }),
  certificate: cert,
};

const failedRun = {
  ok: false,
  latencyMs: 5003,
  message: 'TLS handshake did not finish within 5000 ms',
  error: { phase: 'tls', code: 'TIMEOUT' },
  timings: { dnsMs: 1, connectMs: 2, totalMs: 5003 },
  details: { attempt: 1 },
};

const okRun = {
  ok: true,
  latencyMs: 12,
  message: '200 OK, 1.2 kB in 12 ms',
  timings: { dnsMs: 1, connectMs: 2, tlsMs: 5, firstByteMs: 10, totalMs: 12 },
  details: { statusCode: 200, size: 1234 },
  certificate: cert,
};

const ALL = Array.from({ length: 1203 }, (_, i) => summary(i));
const secretsStore = new Map<string, { description: string; value: string }>();
let seen: Seen[] = [];

const notFound = (what: string): Reply => ({
  status: 404,
  body: { error: { code: 'not_found', message: `${what} not found`, requestId: 'r1' } },
});

const routes: Route[] = [
  (r) => {
    if (r.method !== 'GET' || r.path !== '/api/v1/checks') return undefined;
    const limit = Number(r.query.limit ?? 50);
    const offset = Number(r.query.offset ?? 0);
    const rows = r.query.status === 'down' ? [summary(7, { state: state({ status: 'down', flapping: true }) })] : ALL;
    return { status: 200, body: { items: rows.slice(offset, offset + limit), total: rows.length, limit, offset } };
  },
  (r) => {
    const m = /^\/api\/v1\/checks\/([^/]+)(\/.*)?$/.exec(r.path);
    if (!m) return undefined;
    const [, key, rest] = m;
    const good = key === 'good' || key === 'c-good';
    if (key !== 'shop' && key !== 'c-shop' && !good) return notFound(`check ${key}`);
    const check = good ? { ...shop, id: 'c-good', name: 'good' } : shop;
    if (!rest && r.method === 'GET') return { status: 200, body: check };
    if (rest === '/uptime')
      return {
        status: 200,
        body: {
          windows: [
            { window: '24h', uptime: 99.95, count: 2880, failures: 1 },
            { window: '7d', uptime: 100, count: 20160, failures: 0 },
            { window: '30d', uptime: null, count: 0, failures: 0 },
            { window: '1y', uptime: 98.5, count: 90000, failures: 1350 },
          ],
        },
      };
    if (rest === '/results') {
      const items = Array.from({ length: 10 }, (_, i) => ({
        id: `r${i}`,
        at: `2026-03-01T10:${String(59 - i).padStart(2, '0')}:00.000Z`,
        ok: i !== 0,
        latencyMs: 10 + i,
        // Like the server: failures keep their message, ok results only their code.
        message: i === 0 ? 'connection refused' : null,
        code: i === 0 ? null : 200,
      }));
      return { status: 200, body: { items, total: 500, limit: 10, offset: 0 } };
    }
    if (rest === '/run' && r.method === 'POST') return { status: 200, body: good ? okRun : failedRun };
    return undefined;
  },
  (r) => {
    if (r.path === '/api/v1/secrets' && r.method === 'GET') {
      const items = [...secretsStore.entries()].map(([name, s]) => ({
        name,
        description: s.description,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-02-01T12:30:00.000Z',
      }));
      return { status: 200, body: { items, total: items.length, limit: 500, offset: 0 } };
    }
    if (r.path === '/api/v1/secrets' && r.method === 'POST') {
      const b = r.body as { name: string; value: string; description?: string };
      secretsStore.set(b.name, { value: b.value, description: b.description ?? '' });
      return { status: 201, body: { name: b.name, description: b.description ?? '' } };
    }
    const m = /^\/api\/v1\/secrets\/([^/]+)$/.exec(r.path);
    if (!m) return undefined;
    const name = decodeURIComponent(m[1] ?? '');
    const existing = secretsStore.get(name);
    if (!existing) return notFound(`secret ${name}`);
    if (r.method === 'PUT') {
      const b = r.body as { value?: string; description?: string };
      secretsStore.set(name, { value: b.value ?? existing.value, description: b.description ?? existing.description });
      return { status: 200, body: { name } };
    }
    if (r.method === 'DELETE') {
      secretsStore.delete(name);
      return { status: 204 };
    }
    return undefined;
  },
];

let server: http.Server;
let env: Record<string, string>;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString('utf8');
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const call: Seen = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: raw ? JSON.parse(raw) : undefined,
        auth: req.headers.authorization,
      };
      seen.push(call);
      const reply =
        routes.reduce<Reply | undefined>((found, route) => found ?? route(call), undefined) ?? notFound('route');
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  env = { MAINSTAY_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, MAINSTAY_TOKEN: 'ms_test' };
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  seen = [];
});

describe('mainstay checks ls', () => {
  it('follows paging to the last check and prints the documented columns', async () => {
    const r = await run(['checks', 'ls'], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]?.split(/\s{2,}/)).toEqual([
      'STATUS',
      'NAME',
      'KIND',
      'TARGET',
      'LATENCY',
      'LAST-CHECKED',
      'UPTIME-24H',
    ]);
    expect(lines).toHaveLength(1 + ALL.length);
    expect(lines[1]?.split(/\s{2,}/)).toEqual([
      'up',
      'check-000',
      'http',
      'GET https://svc0.example.test/health',
      '12ms',
      '1m ago',
      '99.95%',
    ]);
    expect(lines.at(-1)).toContain('check-1202');
    expect(seen.map((c) => c.query.offset)).toEqual(['0', '500', '1000']);
    expect(seen.every((c) => c.auth === 'Bearer ms_test')).toBe(true);
  });

  it('sends status, kind and label filters to the server and marks flapping checks', async () => {
    const r = await run(['checks', 'ls', '--status', 'down', '--kind', 'http', '--label', 'team=web'], { env });
    expect(r.code).toBe(0);
    expect(seen[0]?.query).toMatchObject({ status: 'down', kind: 'http', label: 'team=web' });
    expect(r.stdout).toMatch(/^down,flapping\s+check-007/m);
  });

  it('prints json that is the list itself', async () => {
    const r = await run(['checks', 'ls', '--status', 'down', '-o', 'json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject([{ name: 'check-007', state: { status: 'down' } }]);
  });

  it('refuses an unknown status, kind or label shape before asking the server', async () => {
    for (const args of [
      ['--status', 'sideways'],
      ['--kind', 'smtp'],
      ['--label', 'team'],
    ]) {
      const r = await run(['checks', 'ls', ...args], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/must be/);
    }
    expect(seen).toHaveLength(0);
  });
});

describe('mainstay checks show', () => {
  it('prints spec, state, uptime windows, certificate, target and the last 10 results', async () => {
    const r = await run(['checks', 'show', 'shop'], { env });
    expect(r.code).toBe(0);
    expect(seen.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /api/v1/checks/shop',
      'GET /api/v1/checks/c-shop/uptime',
      'GET /api/v1/checks/c-shop/results',
    ]);
    expect(seen[2]?.query.limit).toBe('10');
    const out = r.stdout;
    expect(out).toMatch(/^status:\s+down,flapping since 2026-03-01 10:00Z \(flap 45%\)$/m);
    expect(out).toMatch(/^labels:\s+team=payments$/m);
    expect(out).toMatch(/^schedule:\s+every 30s, timeout 5s, retries 2, recovery 1$/m);
    expect(out).toMatch(/^depends on:\s+core-router$/m);
    expect(out).toMatch(/^ {2}24h\s+99\.95%\s+\(1 of 2880 failed\)$/m);
    expect(out).toMatch(/^ {2}7d\s+100%\s+\(0 of 20160 failed\)$/m);
    expect(out).toMatch(/^ {2}30d\s+-\s+\(no results\)$/m);
    expect(out).toMatch(/^ {2}chain valid:\s+no \(SELF_SIGNED_CERT_IN_CHAIN\)$/m);
    expect(out).toMatch(/^ {2}valid to:\s+2026-06-01 00:00Z \(42 days left, ok\)$/m);
    expect(out).toMatch(/^ {2}url: https:\/\/shop\.example\.test\/$/m);
    expect(out).toContain('last 10 results:');
    expect(out).toMatch(/^ {2}2026-03-01 10:59Z\s+fail\s+10ms\s+connection refused$/m);
    expect(out).toMatch(/^ {2}2026-03-01 10:58Z\s+ok\s+11ms\s+HTTP 200$/m);
    expect(out.match(/^ {2}2026-03-01 10:\d\dZ/gm)).toHaveLength(10);
  });

  it('-o yaml and -o json hold the check, its uptime and its results', async () => {
    const json = JSON.parse((await run(['checks', 'show', 'shop', '-o', 'json'], { env })).stdout);
    expect(json.check.name).toBe('shop');
    expect(json.uptime).toHaveLength(4);
    expect(json.results).toHaveLength(10);
    const yaml = (await run(['checks', 'show', 'shop', '-o', 'yaml'], { env })).stdout;
    expect(yaml).toMatch(/^check:\n {2}id: c-shop$/m);
  });

  it('an unknown check is the server’s 404, exit code 1', async () => {
    const r = await run(['checks', 'show', 'nope'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error (not_found): check nope not found');
  });
});

describe('mainstay checks run', () => {
  it('prints a failed result with its phase, code and timings, and exits 1', async () => {
    const r = await run(['checks', 'run', 'shop'], { env });
    expect(r.code).toBe(1);
    expect(seen.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /api/v1/checks/shop',
      'POST /api/v1/checks/c-shop/run',
    ]);
    expect(r.stdout).toMatch(/^result:\s+FAILED: TLS handshake did not finish within 5000 ms$/m);
    expect(r.stdout).toMatch(/^error:\s+tls \/ TIMEOUT$/m);
    expect(r.stdout).toMatch(/^timings:\s+dns 1ms, connect 2ms, total 5\.00s$/m);
    expect(r.stdout).toMatch(/^details:\n {2}attempt: 1$/m);
    expect(r.stderr).toBe('');
  });

  it('prints a good result with details and certificate, and exits 0', async () => {
    const r = await run(['checks', 'run', 'good'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^result:\s+ok: 200 OK, 1\.2 kB in 12 ms$/m);
    expect(r.stdout).toMatch(/^timings:\s+dns 1ms, connect 2ms, tls 5ms, first byte 10ms, total 12ms$/m);
    expect(r.stdout).toMatch(/^ {2}statusCode: 200$/m);
    expect(r.stdout).toMatch(/^certificate:\n {2}subject:\s+CN=shop\.example\.test$/m);
    expect(r.stdout).toMatch(/^ {2}hostname match:\s+yes$/m);
  });

  it('-o json prints the probe result as the API sent it, and still exits 1 on failure', async () => {
    const r = await run(['checks', 'run', 'shop', '-o', 'json'], { env });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual(failedRun);
  });
});

describe('mainstay secrets', () => {
  it('set creates a secret from stdin (whole value, final line break dropped), then replaces it', async () => {
    secretsStore.clear();
    const pem = '-----BEGIN KEY-----\nabc\n-----END KEY-----';
    const created = await run(['secrets', 'set', 'ssh-key', '--description', 'deploy key', '--value-stdin'], {
      env,
      stdin: `${pem}\n`,
    });
    expect(created.code).toBe(0);
    expect(created.stdout).toBe('created secret ssh-key\n');
    expect(seen.map((c) => `${c.method} ${c.path}`)).toEqual(['PUT /api/v1/secrets/ssh-key', 'POST /api/v1/secrets']);
    expect(secretsStore.get('ssh-key')).toEqual({ value: pem, description: 'deploy key' });

    seen = [];
    const replaced = await run(['secrets', 'set', 'ssh-key', '--value-stdin'], { env, stdin: 'new\n' });
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toBe('updated secret ssh-key\n');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.body).toEqual({ value: 'new' });
    expect(secretsStore.get('ssh-key')).toEqual({ value: 'new', description: 'deploy key' });
    expect(created.stdout + created.stderr + replaced.stdout + replaced.stderr).not.toContain('abc');
  });

  it('ls lists names and descriptions, never values', async () => {
    secretsStore.clear();
    secretsStore.set('db-password', { value: 'hunter2', description: 'orders DB' });
    const r = await run(['secrets', 'ls'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('NAME         DESCRIPTION  UPDATED\ndb-password  orders DB    2026-02-01 12:30Z\n');
  });

  it('set without --value-stdin and without a terminal is a usage error that sends nothing', async () => {
    const r = await run(['secrets', 'set', 'x'], { env, stdin: 'value\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no terminal to ask for the secret value');
    expect(r.stderr).toContain('--value-stdin');
    expect(seen).toHaveLength(0);
  });

  it('set refuses an empty value', async () => {
    const r = await run(['secrets', 'set', 'x', '--value-stdin'], { env, stdin: '\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the secret value is empty');
    expect(seen).toHaveLength(0);
  });

  it('rm deletes, and a missing secret is exit code 1 with the server’s message', async () => {
    secretsStore.set('old', { value: 'v', description: '' });
    const r = await run(['secrets', 'rm', 'old'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('deleted secret old\n');
    expect(secretsStore.has('old')).toBe(false);
    const again = await run(['secrets', 'rm', 'old'], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('secret old not found');
  });
});
