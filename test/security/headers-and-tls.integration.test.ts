import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A self-signed certificate for 127.0.0.1 and localhost, made by the openssl CLI. */
function selfSigned(dir: string): { cert: string; key: string; pem: string } {
  const cert = path.join(dir, 'tls.crt');
  const key = path.join(dir, 'tls.key');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return { cert, key, pem: fs.readFileSync(cert, 'utf8') };
}

/** One HTTPS request that trusts only `ca`; the status, headers and body. */
function httpsRequest(
  url: string,
  ca: string,
  opts: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = https.request(
      url,
      {
        method: opts.method ?? 'GET',
        ca,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const cookieNamed = (setCookie: string[] | string | undefined, name: string) =>
  ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith(`${name}=`));

/** The headers every answer carries: the UI's pages, its files, the API, errors, the docs, link pages. */
function expectSecurityHeaders(what: string, headers: Record<string, unknown>) {
  const csp = String(headers['content-security-policy'] ?? '');
  expect(csp, what).toContain("default-src 'self'");
  expect(csp, what).toContain("script-src 'self'");
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("object-src 'none'");
  expect(csp, what).toContain("base-uri 'self'");
  expect(csp, what).toContain("form-action 'self'");
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['referrer-policy'], what).toBe('no-referrer');
}

describe('security headers over plain HTTP', () => {
  let s: TestServer;
  let web: string;

  beforeAll(async () => {
    web = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-web-'));
    fs.mkdirSync(path.join(web, 'assets'));
    fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>Mainstay</title><div id="root"></div>');
    fs.writeFileSync(path.join(web, 'assets', 'app.js'), 'console.log(1)');
    s = await startTestServer({
      listen: false,
      env: { MAINSTAY_WEB_DIR: web, MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' },
    });
  });
  afterAll(async () => {
    await s?.close();
    fs.rmSync(web, { recursive: true, force: true });
  });

  it('every kind of answer carries CSP with frame-ancestors, nosniff, DENY and no-referrer', async () => {
    const admin = { authorization: `Bearer ${s.adminToken}` };
    const cases: [string, string, Record<string, string>, number][] = [
      ['the UI', '/', {}, 200],
      ['a UI route (SPA fallback)', '/incidents/42', {}, 200],
      ['a UI file', '/assets/app.js', {}, 200],
      ['an API read', '/api/v1/users', admin, 200],
      ['an API 401', '/api/v1/me', {}, 401],
      ['an API 404', '/api/v1/nothing-here', {}, 404],
      ['the API docs', '/api/v1/docs', {}, 200],
      ['the OpenAPI document', '/api/v1/openapi.json', {}, 200],
      ['a signed link page', '/a/not-a-link', {}, 404],
      ['metrics', '/metrics', {}, 200],
      ['health', '/healthz', {}, 200],
    ];
    for (const [what, url, headers, status] of cases) {
      const r = await s.app.http.inject({ method: 'GET', url, headers });
      expect(r.statusCode, what).toBe(status);
      expectSecurityHeaders(what, r.headers);
      // Plain HTTP sends no HSTS (it would be ignored, and it would pin a host that has no TLS).
      expect(r.headers['strict-transport-security'], what).toBeUndefined();
    }
    const page = await s.app.http.inject({ method: 'GET', url: '/' });
    expect(page.headers['content-type']).toContain('text/html');
  });

  it('over plain HTTP the session cookie is HttpOnly and SameSite=Lax, and not Secure (a browser would drop it)', async () => {
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: s.adminEmail, password: s.adminPassword },
    });
    expect(r.statusCode).toBe(200);
    const session = cookieNamed(r.headers['set-cookie'], 'mainstay_session') as string;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).not.toMatch(/Secure/);
    // Behind a proxy, X-Forwarded-Proto is not trusted unless MAINSTAY_TRUST_PROXY says so.
    const forged = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-forwarded-proto': 'https' },
      payload: { email: s.adminEmail, password: s.adminPassword },
    });
    expect(cookieNamed(forged.headers['set-cookie'], 'mainstay_session')).not.toMatch(/Secure/);
  });
});

describe('behind a TLS-terminating proxy (MAINSTAY_TRUST_PROXY=true)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      listen: false,
      env: { MAINSTAY_TRUST_PROXY: 'true', MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' },
    });
  });
  afterAll(() => s?.close());

  it('the session cookie is Secure when the proxy says the request came over HTTPS', async () => {
    const login = (proto: string) =>
      s.app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'x-forwarded-proto': proto },
        payload: { email: s.adminEmail, password: s.adminPassword },
      });
    const viaHttps = await login('https');
    expect(viaHttps.statusCode).toBe(200);
    expect(cookieNamed(viaHttps.headers['set-cookie'], 'mainstay_session')).toMatch(/;\s*Secure/);
    expect(cookieNamed(viaHttps.headers['set-cookie'], 'mainstay_csrf')).toMatch(/;\s*Secure/);
    expect(cookieNamed((await login('http')).headers['set-cookie'], 'mainstay_session')).not.toMatch(/Secure/);
  });
});

describe.each(engines())('TLS termination by MAINSTAY_TLS_CERT / MAINSTAY_TLS_KEY on %s', (engine) => {
  let s: TestServer;
  let dir: string;
  let pem = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-tls-'));
    const tls = selfSigned(dir);
    pem = tls.pem;
    s = await startTestServer({
      engine,
      env: {
        MAINSTAY_TLS_CERT: tls.cert,
        MAINSTAY_TLS_KEY: tls.key,
        MAINSTAY_WORKER: 'false',
        MAINSTAY_CHECKS: 'false',
      },
    });
  });
  afterAll(async () => {
    await s?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with HSTS; sign-in sets Secure cookies that work over HTTPS; logout ends them', async () => {
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const login = await httpsRequest(`${s.url}/api/v1/auth/login`, pem, {
      method: 'POST',
      body: { email: s.adminEmail, password: s.adminPassword },
    });
    expect(login.status).toBe(200);
    expectSecurityHeaders('login over TLS', login.headers);
    expect(login.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    const session = cookieNamed(login.headers['set-cookie'], 'mainstay_session') as string;
    const csrf = cookieNamed(login.headers['set-cookie'], 'mainstay_csrf') as string;
    for (const c of [session, csrf]) expect(c).toMatch(/;\s*Secure/);
    expect(session).toMatch(/HttpOnly/);
    const cookie = session.split(';')[0] as string;
    const me = await httpsRequest(`${s.url}/api/v1/me`, pem, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body).email).toBe(s.adminEmail);
    const out = await httpsRequest(`${s.url}/api/v1/auth/logout`, pem, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': JSON.parse(login.body).csrfToken },
    });
    expect(out.status).toBe(204);
    expect((await httpsRequest(`${s.url}/api/v1/me`, pem, { headers: { cookie } })).status).toBe(401);
  });

  it('refuses a client that does not trust the certificate (no silent plain-text fallback)', async () => {
    await expect(httpsRequest(`${s.url}/healthz`, '')).rejects.toThrow(/certificate|self[- ]signed/i);
    const plain = await fetch(`${s.url.replace('https:', 'http:')}/healthz`).then(
      (r) => r.status,
      (err: Error) => err.message,
    );
    expect(plain).not.toBe(200);
  });
});
