import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../../src/platform/accounts/auth.service.js';
import { credentialsStore } from '../../src/platform/accounts/credentials.store.js';
import { FakeClock } from '../../src/platform/clock.js';
import { newId } from '../../src/platform/ids.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { call, createUser, dumpTables, fillUrl, type Json, login, type Session, withSession } from './support.js';

const PASSWORD = 'a long session test password';
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A body without its request id (which differs on every request). */
const sansRequestId = (body: Json) => JSON.stringify(body).replace(/"requestId":"[^"]*"/g, '');

/**
 * Cookie sessions: CSRF on every cookie-authenticated write, fresh session ids at login (fixation),
 * logout and password changes ending sessions at once, and the login rate limit per email and per
 * client address that does not tell which emails exist.
 */
describe.each(engines())('sessions, CSRF and sign-in limits on %s', (engine) => {
  let s: TestServer;
  const clock = new FakeClock(Date.parse('2026-12-01T09:00:00Z'));
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    s = await startTestServer({
      engine,
      clock,
      listen: false,
      env: { MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' },
    });
    ids.user = await createUser(s, 'victim@example.test', 'responder', PASSWORD);
    ids.team = (await call(s, 'POST', '/api/v1/teams', { name: 'csrf-team' })).body.id;
    ids.incident = (await call(s, 'POST', '/api/v1/incidents', { title: 'CSRF walk' })).body.id;
    expect((await call(s, 'POST', '/api/v1/secrets', { name: 'walk-secret', value: 'v-123456' })).status).toBe(201);
  });
  afterAll(() => s?.close());

  /** Failed sign-ins recorded for a limit key (`email:…` or `ip:…`) as the sign-in path records them. */
  const seedFailures = async (key: string, n: number) => {
    for (let i = 0; i < n; i++) await credentialsStore.recordFailure(s.app.database.db, newId(), key, clock.now());
  };

  /** Real ids for the walk: a write that slipped through would change something that exists. */
  const urlFor = (pattern: string) => {
    const id = pattern.startsWith('/api/v1/users/')
      ? ids.user
      : pattern.startsWith('/api/v1/teams/')
        ? ids.team
        : pattern.startsWith('/api/v1/incidents/')
          ? ids.incident
          : undefined;
    return fillUrl(pattern, {
      ...(id ? { id } : {}),
      userId: ids.user as string,
      name: pattern.startsWith('/api/v1/secrets/') ? 'walk-secret' : 'csrf-team',
      kind: 'teams',
    });
  };

  it('every cookie-authenticated write without the CSRF header is refused with 403 and writes nothing', async () => {
    const admin = await login(s, s.adminEmail, s.adminPassword);
    const writes = s.app.routes.filter((r) => WRITES.has(r.method) && r.access !== 'public');
    expect(writes.length).toBeGreaterThan(50);
    // Sessions are left out: reading one may refresh its last-seen time.
    const before = await dumpTables(s.app, ['sessions']);
    const failures: string[] = [];
    for (const route of writes) {
      for (const csrf of [null, 'wrong-token', ''] as const) {
        const r = await withSession(s, admin, route.method, urlFor(route.url), { payload: {}, csrf });
        if (r.status !== 403 || !String(r.body?.error?.message).includes('CSRF'))
          failures.push(`${route.method} ${route.url} (csrf ${JSON.stringify(csrf)}): ${r.status} ${r.text}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await dumpTables(s.app, ['sessions'])).toEqual(before);
    // The same session with its CSRF token does write: the walk above was refused for the header alone.
    const made = await withSession(s, admin, 'POST', '/api/v1/tokens', { payload: { name: 'csrf', scope: 'viewer' } });
    expect(made.status).toBe(201);
    const renamed = await withSession(s, admin, 'PATCH', `/api/v1/users/${ids.user}`, { payload: { name: 'Renamed' } });
    expect(renamed.status).toBe(200);
  });

  it("another session's CSRF token does not pass: the token is bound to its session", async () => {
    const a = await login(s, s.adminEmail, s.adminPassword);
    const b = await login(s, s.adminEmail, s.adminPassword);
    expect(a.csrf).not.toBe(b.csrf);
    const r = await withSession(s, a, 'POST', '/api/v1/tokens', {
      payload: { name: 'crossed', scope: 'viewer' },
      csrf: b.csrf,
    });
    expect(r.status).toBe(403);
    const tokens = await call(s, 'GET', '/api/v1/tokens?q=crossed');
    expect(tokens.body.total).toBe(0);
  });

  it('public writes with a session cookie and no CSRF header act as anonymous: a signed link form still works', async () => {
    const admin = await login(s, s.adminEmail, s.adminPassword);
    const publicWrites = s.app.routes.filter((r) => WRITES.has(r.method) && r.access === 'public');
    const differ: string[] = [];
    for (const route of publicWrites) {
      const url = fillUrl(route.url, {});
      const anonymous = await call(s, route.method, url, {}, {});
      const cookie = await withSession(s, admin, route.method, url, { payload: {}, csrf: null });
      if (cookie.status !== anonymous.status || sansRequestId(cookie.body) !== sansRequestId(anonymous.body))
        differ.push(`${route.method} ${route.url}: ${cookie.status} with the cookie, ${anonymous.status} without`);
    }
    expect(differ).toEqual([]);
    // The confirmation page's <form method="post"> cannot send the header; the browser sends the cookie.
    const inc = await call(s, 'POST', '/api/v1/incidents', { title: 'acknowledged from a mail' });
    const links = await call(s, 'GET', `/api/v1/incidents/${inc.body.id}/action-links`);
    const r = await withSession(s, admin, 'POST', new URL(links.body.acknowledge).pathname, { csrf: null });
    expect(r.status).toBe(200);
    const after = await call(s, 'GET', `/api/v1/incidents/${inc.body.id}`);
    // Done by the link, not by the signed-in admin whose cookie came along.
    expect(after.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'link:acknowledge' });
  });

  it('sign-in always issues a fresh session id: a planted cookie is ignored and never becomes a session', async () => {
    const planted = 'attacker-chosen-session-id-0123456789abcdef';
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'victim@example.test', password: PASSWORD },
      cookies: { mainstay_session: planted },
    });
    expect(r.statusCode).toBe(200);
    const issued = r.cookies.find((c) => c.name === 'mainstay_session')?.value;
    expect(issued).toBeTruthy();
    expect(issued).not.toBe(planted);
    const me = (cookie: string) =>
      s.app.http.inject({ method: 'GET', url: '/api/v1/me', cookies: { mainstay_session: cookie } });
    expect((await me(planted)).statusCode).toBe(401);
    expect((await me(issued as string)).json().email).toBe('victim@example.test');
  });

  it("signing in over someone else's live session makes a new one; the old id stays its owner's", async () => {
    const attacker = await login(s, s.adminEmail, s.adminPassword);
    const victim = await login(s, 'victim@example.test', PASSWORD, { cookies: { mainstay_session: attacker.cookie } });
    expect(victim.cookie).not.toBe(attacker.cookie);
    const me = async (x: Session) =>
      (await s.app.http.inject({ method: 'GET', url: '/api/v1/me', cookies: { mainstay_session: x.cookie } })).json();
    expect((await me(attacker)).email).toBe(s.adminEmail);
    expect((await me(victim)).email).toBe('victim@example.test');
  });

  it('after logout the cookie is refused at once; other sessions of the same person go on', async () => {
    const one = await login(s, 'victim@example.test', PASSWORD);
    const two = await login(s, 'victim@example.test', PASSWORD);
    expect((await withSession(s, one, 'GET', '/api/v1/me')).status).toBe(200);
    const out = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies: { mainstay_session: one.cookie },
      headers: { 'x-csrf-token': one.csrf },
    });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === 'mainstay_session');
    expect(cleared?.value).toBe('');
    expect((await withSession(s, one, 'GET', '/api/v1/me')).status).toBe(401);
    expect((await withSession(s, one, 'GET', '/api/v1/auth/session')).status).toBe(401);
    const write = await withSession(s, one, 'PATCH', '/api/v1/me', { payload: { name: 'after logout' } });
    expect(write.status).toBe(401);
    expect((await withSession(s, two, 'GET', '/api/v1/me')).status).toBe(200);
  });

  it('an expired session is refused', async () => {
    const x = await login(s, 'victim@example.test', PASSWORD);
    clock.advance(s.app.accounts.auth.sessionTtlMs + 1);
    expect((await withSession(s, x, 'GET', '/api/v1/me')).status).toBe(401);
  });

  it('10 wrong passwords lock that email from every address; other emails still sign in from the same addresses', async () => {
    await createUser(s, 'locked@example.test', 'viewer', PASSWORD);
    const attempt = (email: string, password: string, ip: string) =>
      s.app.http.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: ip });
    const failures = await Promise.all(
      Array.from({ length: LOGIN_LIMITS.perEmail }, (_, i) => attempt('locked@example.test', 'wrong', `10.1.0.${i}`)),
    );
    expect(failures.map((f) => f.statusCode)).toEqual(Array(LOGIN_LIMITS.perEmail).fill(401));
    const locked = await attempt('locked@example.test', PASSWORD, '10.1.9.9');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await attempt('victim@example.test', PASSWORD, '10.1.0.1')).statusCode).toBe(200);
    clock.advance(LOGIN_LIMITS.windowMs + 1);
    expect((await attempt('locked@example.test', PASSWORD, '10.1.9.9')).statusCode).toBe(200);
  });

  it('50 failures from one address lock it for every email; other addresses still sign in', async () => {
    const ip = '10.2.0.1';
    // 49 failures with different unknown emails, recorded as the sign-in path records them (each real
    // attempt costs a scrypt); the 50th is a real request.
    await seedFailures(`ip:${ip}`, LOGIN_LIMITS.perIp - 1);
    const fifty = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'spray-50@example.test', password: 'guess' },
      remoteAddress: ip,
    });
    expect(fifty.statusCode).toBe(401);
    const fromIp = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'victim@example.test', password: PASSWORD },
      remoteAddress: ip,
    });
    expect(fromIp.statusCode).toBe(429);
    expect(Number(fromIp.headers['retry-after'])).toBeGreaterThan(0);
    await login(s, 'victim@example.test', PASSWORD, { remoteAddress: '10.2.0.2' });
    clock.advance(LOGIN_LIMITS.windowMs + 1);
    await login(s, 'victim@example.test', PASSWORD, { remoteAddress: ip });
  });

  it('failed sign-ins and the lockout answer alike for unknown, known and disabled emails', async () => {
    const disabled = await createUser(s, 'disabled@example.test', 'viewer', PASSWORD);
    await call(s, 'PATCH', `/api/v1/users/${disabled}`, { disabled: true });
    await createUser(s, 'known@example.test', 'viewer', PASSWORD);
    const attempt = async (email: string, password: string, i: number) => {
      const r = await s.app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password },
        remoteAddress: `10.3.${i}.${email.length}`,
      });
      return { status: r.statusCode, body: sansRequestId(r.json()), retryAfter: r.headers['retry-after'] ?? null };
    };
    const round = async (i: number) => {
      const known = await attempt('known@example.test', 'wrong password', i);
      const unknown = await attempt('nobody-here@example.test', 'wrong password', i);
      // A disabled account's right password is just another failure.
      const off = await attempt('disabled@example.test', PASSWORD, i);
      expect(unknown, `attempt ${i}`).toEqual(known);
      expect(off, `attempt ${i}`).toEqual(known);
      return known;
    };
    expect((await round(0)).status).toBe(401);
    // Up to one short of the limit, as above; then the last failure and the lockout, for real.
    for (const email of ['known@example.test', 'nobody-here@example.test', 'disabled@example.test'])
      await seedFailures(`email:${email}`, LOGIN_LIMITS.perEmail - 2);
    expect((await round(1)).status).toBe(401);
    const locked = await round(2);
    expect(locked.status).toBe(429);
  });

  it("an admin's password reset ends every session of that person at once", async () => {
    const id = await createUser(s, 'reset@example.test', 'responder', PASSWORD);
    const one = await login(s, 'reset@example.test', PASSWORD);
    const two = await login(s, 'reset@example.test', PASSWORD);
    const token = (
      await s.app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { email: 'reset@example.test', password: PASSWORD, name: 'cli' },
      })
    ).json().token as string;
    const admin = await login(s, s.adminEmail, s.adminPassword);
    const r = await withSession(s, admin, 'POST', `/api/v1/users/${id}/password`, {
      payload: { password: 'the new reset password' },
    });
    expect(r.status).toBe(204);
    expect((await withSession(s, one, 'GET', '/api/v1/me')).status).toBe(401);
    expect((await withSession(s, two, 'GET', '/api/v1/me')).status).toBe(401);
    // The admin's own session is untouched.
    expect((await withSession(s, admin, 'GET', '/api/v1/me')).status).toBe(200);
    await expect(login(s, 'reset@example.test', PASSWORD)).rejects.toThrow(/401/);
    await login(s, 'reset@example.test', 'the new reset password');
    // API tokens are separate credentials with their own revocation (Settings → API tokens).
    const viaToken = await call(s, 'GET', '/api/v1/me', undefined, { authorization: `Bearer ${token}` });
    expect(viaToken.status).toBe(200);
    const audit = await call(s, 'GET', `/api/v1/audit?resourceId=${id}`);
    expect(audit.body.items.map((e: Json) => e.action)).toContain('user.password_reset');
  });

  it('changing your own password ends your other sessions, needs the current password, and clears the cookie', async () => {
    await createUser(s, 'changer@example.test', 'viewer', PASSWORD);
    const here = await login(s, 'changer@example.test', PASSWORD);
    const elsewhere = await login(s, 'changer@example.test', PASSWORD);
    const wrong = await withSession(s, here, 'POST', '/api/v1/me/password', {
      payload: { currentPassword: 'not it at all', newPassword: 'my brand new password' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields[0].path).toBe('currentPassword');
    expect((await withSession(s, elsewhere, 'GET', '/api/v1/me')).status).toBe(200);
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      cookies: { mainstay_session: here.cookie },
      headers: { 'x-csrf-token': here.csrf },
      payload: { currentPassword: PASSWORD, newPassword: 'my brand new password' },
    });
    expect(r.statusCode).toBe(204);
    expect(r.cookies.find((c) => c.name === 'mainstay_session')?.value).toBe('');
    expect((await withSession(s, elsewhere, 'GET', '/api/v1/me')).status).toBe(401);
    expect((await withSession(s, here, 'GET', '/api/v1/me')).status).toBe(401);
    await expect(login(s, 'changer@example.test', PASSWORD)).rejects.toThrow(/401/);
    await login(s, 'changer@example.test', 'my brand new password');
  });
});
