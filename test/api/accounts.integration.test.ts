import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe.each(engines())('accounts API on %s', (engine) => {
  let s: TestServer;
  const auth = () => ({ authorization: `Bearer ${s.adminToken}` });
  beforeAll(async () => {
    s = await startTestServer({ engine, listen: false });
  });
  afterAll(() => s?.close());

  it('login sets an HttpOnly session cookie and returns a CSRF token', async () => {
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: s.adminEmail, password: s.adminPassword },
    });
    expect(r.statusCode).toBe(200);
    const cookie = r.cookies.find((c) => c.name === 'mainstay_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(r.json().csrfToken).toMatch(/.{20,}/);
    expect(r.json().user.email).toBe(s.adminEmail);
  });

  it('a cookie-authenticated write without the CSRF header is refused and writes nothing', async () => {
    const login = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: s.adminEmail, password: s.adminPassword },
    });
    const cookie = login.cookies.find((c) => c.name === 'mainstay_session')!;
    const before = await s.app.http.inject({ method: 'GET', url: '/api/v1/tokens', headers: auth() });
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      cookies: { mainstay_session: cookie.value },
      payload: { name: 'x', scope: 'viewer' },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('forbidden');
    const after = await s.app.http.inject({ method: 'GET', url: '/api/v1/tokens', headers: auth() });
    expect(after.json().total).toBe(before.json().total);
    const ok = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      cookies: { mainstay_session: cookie.value },
      headers: { 'x-csrf-token': login.json().csrfToken },
      payload: { name: 'x', scope: 'viewer' },
    });
    expect(ok.statusCode).toBe(201);
  });

  it('wrong password is 401 and the email locks after 10 failures with 429 and Retry-After', async () => {
    await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(),
      payload: { email: 'locked@example.test', name: 'L', password: 'a long password 1' },
    });
    for (let i = 0; i < 10; i++) {
      const r = await s.app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'locked@example.test', password: 'wrong' },
        remoteAddress: `10.0.0.${i}`,
      });
      expect(r.statusCode).toBe(401);
    }
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'locked@example.test', password: 'a long password 1' },
    });
    expect(r.statusCode).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('creates a user, rejects unknown fields and bad time zones with field paths', async () => {
    const bad = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(),
      payload: { email: 'a@b.test', name: 'A', timeZone: 'Mars/Base', extra: 1 },
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad
      .json()
      .error.fields.map((f: { path: string }) => f.path)
      .sort();
    expect(paths).toEqual(['', 'timeZone']);
    expect(bad.json().error.message).toMatch(/invalid body/);
    const list = await s.app.http.inject({ method: 'GET', url: '/api/v1/users?q=a@b.test', headers: auth() });
    expect(list.json().total).toBe(0);
    const ok = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(),
      payload: { email: 'A@B.test', name: 'A', timeZone: 'Europe/Berlin', role: 'responder' },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({
      email: 'a@b.test',
      timeZone: 'Europe/Berlin',
      role: 'responder',
      disabled: false,
    });
    const dup = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(),
      payload: { email: 'a@b.test', name: 'A' },
    });
    expect(dup.statusCode).toBe(409);
  });

  it('search text is literal: % and _ are not wildcards', async () => {
    expect((await s.app.http.inject({ method: 'GET', url: '/api/v1/users?q=%25', headers: auth() })).json().total).toBe(
      0,
    );
    expect((await s.app.http.inject({ method: 'GET', url: '/api/v1/users?q=_', headers: auth() })).json().total).toBe(
      0,
    );
    expect(
      (await s.app.http.inject({ method: 'GET', url: '/api/v1/users?q=ADMIN@', headers: auth() })).json().total,
    ).toBe(1);
  });

  it('malformed JSON is 400 invalid_json and an oversize body is 413', async () => {
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('invalid_json');
    const big = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('payload_too_large');
  });

  it('a viewer-scoped token can read but not write, and a revoked token is 401', async () => {
    const t = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: auth(),
      payload: { name: 'ro', scope: 'viewer' },
    });
    const token = t.json().token as string;
    const read = await s.app.http.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(read.statusCode).toBe(200);
    const write = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'nope' },
    });
    expect(write.statusCode).toBe(403);
    await s.app.http.inject({ method: 'DELETE', url: `/api/v1/tokens/${t.json().apiToken.id}`, headers: auth() });
    const after = await s.app.http.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.statusCode).toBe(401);
  });

  it('a team admin manages their team but not another one', async () => {
    const user = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(),
      payload: { email: 'lead@example.test', name: 'Lead', password: 'a long password 2' },
    });
    const t1 = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: auth(),
      payload: { name: 'db-team' },
    });
    const t2 = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: auth(),
      payload: { name: 'net-team' },
    });
    await s.app.http.inject({
      method: 'PUT',
      url: `/api/v1/teams/${t1.json().id}/members/${user.json().id}`,
      headers: auth(),
      payload: { role: 'admin' },
    });
    const tok = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { email: 'lead@example.test', password: 'a long password 2', name: 'cli' },
    });
    expect(tok.statusCode).toBe(201);
    const h = { authorization: `Bearer ${tok.json().token}` };
    const own = await s.app.http.inject({
      method: 'PATCH',
      url: `/api/v1/teams/${t1.json().id}`,
      headers: h,
      payload: { description: 'databases' },
    });
    expect(own.statusCode).toBe(200);
    const other = await s.app.http.inject({
      method: 'PATCH',
      url: `/api/v1/teams/${t2.json().id}`,
      headers: h,
      payload: { description: 'x' },
    });
    expect(other.statusCode).toBe(403);
    const users = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: h,
      payload: { email: 'x@example.test', name: 'X' },
    });
    expect(users.statusCode).toBe(403);
  });

  it('every mutation is in the audit log with actor, before/after and request id', async () => {
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { ...auth(), 'x-request-id': 'req-audit-1' },
      payload: { name: 'audited' },
    });
    expect(r.headers['x-request-id']).toBe('req-audit-1');
    const log = await s.app.http.inject({
      method: 'GET',
      url: '/api/v1/audit?action=team.create&q=audited',
      headers: auth(),
    });
    expect(log.statusCode).toBe(200);
    const entry = log.json().items[0];
    expect(entry).toMatchObject({
      action: 'team.create',
      resourceType: 'team',
      resourceName: 'audited',
      requestId: 'req-audit-1',
      actor: { type: 'user', name: s.adminEmail, via: 'token' },
    });
    expect(entry.after.name).toBe('audited');
  });

  it('an anonymous request is 401 and unknown errors reveal nothing', async () => {
    const r = await s.app.http.inject({ method: 'GET', url: '/api/v1/users' });
    expect(r.statusCode).toBe(401);
    expect(r.json().error).toMatchObject({ code: 'unauthenticated' });
    expect(r.json().error.requestId).toBeTruthy();
  });

  it('the last admin cannot be demoted', async () => {
    const me = await s.app.http.inject({ method: 'GET', url: '/api/v1/me', headers: auth() });
    const r = await s.app.http.inject({
      method: 'PATCH',
      url: `/api/v1/users/${me.json().id}`,
      headers: auth(),
      payload: { role: 'viewer' },
    });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('last_admin');
  });

  it('serves health, readiness, metrics and the OpenAPI document covering every route', async () => {
    expect((await s.app.http.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await s.app.http.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
    const metrics = await s.app.http.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('mainstay_http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('mainstay_nodejs_eventloop_lag_seconds');
    expect(metrics.body).toContain('mainstay_db_query_duration_seconds');
    expect(metrics.body).toContain('mainstay_queue_depth');
    const doc = (await s.app.http.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    const routes = s.app.http.printRoutes({ commonPrefix: false });
    expect(routes).toContain('/api/v1/users');
    expect(Object.keys(doc.paths)).toContain('/api/v1/teams/{id}/members/{userId}');
    const docs = await s.app.http.inject({ method: 'GET', url: '/api/v1/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
  });
});
