import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access } from '../../src/platform/http/route.js';
import { registeredRoutes } from '../../src/platform/http/server.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * The expected access of every API route. A new route without an entry here fails
 * the first test: decide who may call it, write it down, and the walk checks it.
 * `team:R` means role R globally or on the team that owns the resource.
 */
const EXPECTED: Record<string, string> = {
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/logout': 'authenticated',
  'GET /api/v1/auth/session': 'authenticated',
  'POST /api/v1/auth/token': 'public',
  'GET /api/v1/me': 'authenticated',
  'PATCH /api/v1/me': 'authenticated',
  'POST /api/v1/me/password': 'authenticated',
  'GET /api/v1/users': 'team:viewer',
  'POST /api/v1/users': 'admin',
  'GET /api/v1/users/:id': 'team:viewer',
  'PATCH /api/v1/users/:id': 'admin',
  'DELETE /api/v1/users/:id': 'admin',
  'POST /api/v1/users/:id/password': 'admin',
  'GET /api/v1/teams': 'team:viewer',
  'POST /api/v1/teams': 'admin',
  'GET /api/v1/teams/:id': 'team:viewer',
  'PATCH /api/v1/teams/:id': 'team:admin',
  'DELETE /api/v1/teams/:id': 'admin',
  'GET /api/v1/teams/:id/members': 'team:viewer',
  'PUT /api/v1/teams/:id/members/:userId': 'team:admin',
  'DELETE /api/v1/teams/:id/members/:userId': 'team:admin',
  'GET /api/v1/tokens': 'authenticated',
  'POST /api/v1/tokens': 'authenticated',
  'DELETE /api/v1/tokens/:id': 'authenticated',
  'GET /api/v1/audit': 'admin',
  'POST /api/v1/apply': 'team:viewer',
  'GET /api/v1/resources': 'team:viewer',
  'GET /api/v1/resources/:kind': 'team:viewer',
  'GET /api/v1/resources/:kind/:name': 'team:viewer',
  'DELETE /api/v1/resources/:kind/:name': 'team:viewer',
  'GET /api/v1/export': 'team:viewer',
  'GET /api/v1/secrets': 'team:viewer',
  'POST /api/v1/secrets': 'editor',
  'GET /api/v1/secrets/:name': 'team:viewer',
  'PUT /api/v1/secrets/:name': 'editor',
  'DELETE /api/v1/secrets/:name': 'editor',
  'GET /api/v1/checks': 'team:viewer',
  'POST /api/v1/checks': 'editor',
  'GET /api/v1/checks/:id': 'team:viewer',
  'PUT /api/v1/checks/:id': 'editor',
  'DELETE /api/v1/checks/:id': 'editor',
  'POST /api/v1/checks/:id/pause': 'responder',
  'POST /api/v1/checks/:id/resume': 'responder',
  'POST /api/v1/checks/:id/run': 'responder',
  'POST /api/v1/checks/:id/ping-key': 'editor',
  'GET /api/v1/checks/:id/results': 'team:viewer',
  'GET /api/v1/checks/:id/series': 'team:viewer',
  'GET /api/v1/checks/:id/uptime': 'team:viewer',
  'GET /api/v1/checks/:id/events': 'team:viewer',
  'GET /api/v1/checks/:id/pings': 'team:viewer',
  // Heartbeat pings authenticate by the secret key in the URL.
  'GET /ping/:key': 'public',
  'GET /ping/:key/start': 'public',
  'GET /ping/:key/fail': 'public',
  'GET /ping/:key/:code': 'public',
  'POST /ping/:key': 'public',
  'POST /ping/:key/start': 'public',
  'POST /ping/:key/fail': 'public',
  'POST /ping/:key/:code': 'public',
  'GET /api/v1/alerts': 'team:viewer',
  'GET /api/v1/alerts/:id': 'team:viewer',
  'GET /api/v1/alerts/:id/history': 'team:viewer',
  'POST /api/v1/alerts/:id/acknowledge': 'responder',
  'POST /api/v1/alerts/:id/resolve': 'responder',
  'GET /api/v1/alert-groups': 'team:viewer',
  'GET /api/v1/alert-groups/:id/notifications': 'team:viewer',
  'GET /api/v1/routing/tree': 'team:viewer',
  'POST /api/v1/routing/test': 'team:viewer',
  'GET /api/v1/silences': 'team:viewer',
  'GET /api/v1/silences/:name': 'team:viewer',
  'POST /api/v1/silences': 'responder',
  'POST /api/v1/silences/:name/expire': 'responder',
  'POST /api/v1/silences/preview': 'team:viewer',
  'GET /api/v1/maintenance/calendar': 'team:viewer',
  'GET /api/v1/integrations': 'team:viewer',
  'POST /api/v1/integrations/:name/key': 'editor',
  // Intake protocols authenticate by the integration key in the body, path or header.
  'POST /v2/enqueue': 'public',
  'POST /v2/change/enqueue': 'public',
  'POST /api/v1/integrations/alertmanager/:key': 'public',
  'POST /api/v1/integrations/alertmanager/:key/api/v2/alerts': 'public',
  'POST /api/v1/integrations/webhook/:key': 'public',
  'POST /v2/alerts': 'public',
  'POST /v2/alerts/:identifier/acknowledge': 'public',
  'POST /v2/alerts/:identifier/close': 'public',
  // Notify: a person's own contact methods and rules (`me`), or anyone's for an admin.
  'GET /api/v1/users/:userId/contact-methods': 'authenticated',
  'POST /api/v1/users/:userId/contact-methods': 'authenticated',
  'DELETE /api/v1/users/:userId/contact-methods/:contact': 'authenticated',
  'POST /api/v1/users/:userId/contact-methods/:contact/test': 'authenticated',
  'GET /api/v1/users/:userId/notification-rules': 'authenticated',
  'PUT /api/v1/users/:userId/notification-rules': 'authenticated',
  'POST /api/v1/channels/:name/test': 'editor',
  'GET /api/v1/deliveries': 'viewer',
  // On-call
  'GET /api/v1/oncall': 'viewer',
  'GET /api/v1/schedules/:name/oncall': 'viewer',
  'GET /api/v1/schedules/:name/timeline': 'viewer',
  'POST /api/v1/schedules/:name/overrides': 'responder',
  'DELETE /api/v1/schedules/:name/overrides/:id': 'responder',
  'POST /api/v1/schedules/:name/swaps': 'responder',
  'DELETE /api/v1/schedules/:name/swaps/:id': 'responder',
  'GET /api/v1/users/:userId/shifts': 'viewer',
  'GET /api/v1/schedules/:name/feed': 'responder',
  'POST /api/v1/schedules/:name/feed': 'responder',
  'GET /api/v1/me/feed': 'authenticated',
  'POST /api/v1/me/feed': 'authenticated',
  // Calendar feeds and signed action links authenticate by the secret in the URL.
  'GET /ical/:token': 'public',
  'GET /api/v1/escalation-policies/:name/preview': 'viewer',
  // Incidents
  'GET /api/v1/incidents': 'viewer',
  'POST /api/v1/incidents': 'responder',
  'GET /api/v1/incidents/:id': 'viewer',
  'PATCH /api/v1/incidents/:id': 'responder',
  'POST /api/v1/incidents/:id/acknowledge': 'responder',
  'POST /api/v1/incidents/:id/resolve': 'responder',
  'POST /api/v1/incidents/:id/reopen': 'responder',
  'GET /api/v1/incidents/:id/timeline': 'viewer',
  'GET /api/v1/incidents/:id/alerts': 'viewer',
  'GET /api/v1/incidents/:id/deliveries': 'viewer',
  'POST /api/v1/incidents/:id/notes': 'responder',
  'PUT /api/v1/incidents/:id/roles': 'responder',
  'DELETE /api/v1/incidents/:id/roles/:role': 'responder',
  'POST /api/v1/incidents/:id/responders': 'responder',
  'GET /api/v1/incidents/:id/action-links': 'responder',
  'GET /api/v1/incident-stats': 'viewer',
  'GET /a/:token': 'public',
  'POST /a/:token': 'public',
  'GET /api/v1/incidents/:id/postmortem': 'viewer',
  'POST /api/v1/incidents/:id/postmortem': 'responder',
  'PUT /api/v1/incidents/:id/postmortem': 'responder',
  'PATCH /api/v1/incidents/:id/postmortem': 'responder',
  'GET /api/v1/incidents/:id/postmortem.md': 'viewer',
  'GET /api/v1/incidents/:id/action-items': 'viewer',
  'POST /api/v1/incidents/:id/action-items': 'responder',
  'GET /api/v1/action-items': 'viewer',
  'GET /api/v1/action-items/:itemId': 'viewer',
  'PATCH /api/v1/action-items/:itemId': 'responder',
  'DELETE /api/v1/action-items/:itemId': 'responder',
};

/**
 * Routes whose real requirement depends on the resource: resource deletes need the
 * kind's writeRole, and the walk deletes a Team (writeRole admin).
 */
const WALKED_AS: Record<string, string> = {
  'DELETE /api/v1/resources/:kind/:name': 'admin',
  // Opsgenie's API takes its key in the Authorization header (GenieKey …): without it, 401 for everyone.
  'POST /v2/alerts': 'key',
  'POST /v2/alerts/:identifier/acknowledge': 'key',
  'POST /v2/alerts/:identifier/close': 'key',
  // Another person's contact methods (the walk uses an id that is not the caller's): admins only.
  'GET /api/v1/users/:userId/contact-methods': 'admin',
  'POST /api/v1/users/:userId/contact-methods': 'admin',
  'DELETE /api/v1/users/:userId/contact-methods/:contact': 'admin',
  'POST /api/v1/users/:userId/contact-methods/:contact/test': 'admin',
  'GET /api/v1/users/:userId/notification-rules': 'admin',
  'PUT /api/v1/users/:userId/notification-rules': 'admin',
};

/**
 * Routes the HTTP layer serves itself, outside `defineRoute` (and so outside `app.routes`): public
 * reads that hold no secret. The web app's own files (index.html, assets) are public too and are
 * recognised by their path under the web directory.
 */
const PLATFORM: Record<string, string> = {
  'GET /api/v1/openapi.json': 'public',
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  // Prometheus scrapes without credentials; route patterns and counts only, never a raw URL.
  'GET /metrics': 'public',
  'GET /api/v1/docs': 'public',
  'GET /api/v1/docs/init.js': 'public',
  'GET /api/v1/docs/assets/*': 'public',
};

const RANK = ['viewer', 'responder', 'editor', 'admin'];
const accessString = (a: Access) => (typeof a === 'string' ? a : `team:${a.role}`);

interface Persona {
  name: string;
  token?: string;
  /** Highest global role after the token's scope; null for none. */
  global: string | null;
  /** Highest role anywhere (global or on a team). */
  anywhere: string | null;
  /** Its role comes from membership of the matrix team: the walk acts on that team. */
  team?: boolean;
}

function allowed(p: Persona, expected: string): boolean {
  if (expected === 'public') return true;
  if (expected === 'key') return false;
  if (!p.token) return false;
  if (expected === 'authenticated') return true;
  const [scope, role] = expected.startsWith('team:') ? ['team', expected.slice(5)] : ['global', expected];
  const have = scope === 'team' ? p.anywhere : p.global;
  return have !== null && RANK.indexOf(have) >= RANK.indexOf(role!);
}

describe.each(engines())('authorization matrix on %s', (engine) => {
  let s: TestServer;
  const personas: Persona[] = [];
  let teamId = '';
  let memberId = '';

  beforeAll(async () => {
    s = await startTestServer({ engine, listen: false });
    const admin = { authorization: `Bearer ${s.adminToken}` };
    const team = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: admin,
      payload: { name: 'matrix' },
    });
    teamId = team.json().id;
    const mk = async (email: string, role: string | null) => {
      const u = await s.app.http.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: admin,
        payload: { email, name: email, role, password: 'matrix password 123' },
      });
      return u.json().id as string;
    };
    const token = async (email: string, scope?: string) =>
      (
        await s.app.http.inject({
          method: 'POST',
          url: '/api/v1/auth/token',
          payload: { email, password: 'matrix password 123', name: 't', ...(scope ? { scope } : {}) },
        })
      ).json().token as string;
    personas.push({ name: 'anonymous', global: null, anywhere: null });
    for (const role of RANK) {
      await mk(`${role}@m.test`, role);
      personas.push({ name: role, token: await token(`${role}@m.test`), global: role, anywhere: role });
    }
    memberId = await mk('team-admin@m.test', null);
    await s.app.http.inject({
      method: 'PUT',
      url: `/api/v1/teams/${teamId}/members/${memberId}`,
      headers: admin,
      payload: { role: 'admin' },
    });
    personas.push({
      name: 'team admin',
      token: await token('team-admin@m.test', 'admin'),
      global: null,
      anywhere: 'admin',
      team: true,
    });
    // Members of the team with each lower role, and the team admin through a viewer-scoped token.
    for (const role of ['viewer', 'responder', 'editor']) {
      const id = await mk(`team-${role}@m.test`, null);
      await s.app.http.inject({
        method: 'PUT',
        url: `/api/v1/teams/${teamId}/members/${id}`,
        headers: admin,
        payload: { role },
      });
      personas.push({
        name: `team ${role}`,
        token: await token(`team-${role}@m.test`, role),
        global: null,
        anywhere: role,
        team: true,
      });
    }
    personas.push({
      name: 'team admin with viewer-scoped token',
      token: await token('team-admin@m.test', 'viewer'),
      global: null,
      anywhere: 'viewer',
      team: true,
    });
    await mk('nobody@m.test', null);
    personas.push({
      name: 'no role',
      token: await token('nobody@m.test', 'viewer').catch(() => undefined),
      global: null,
      anywhere: null,
    });
    await mk('scoped@m.test', 'admin');
    personas.push({
      name: 'admin with viewer-scoped token',
      token: await token('scoped@m.test', 'viewer'),
      global: 'viewer',
      anywhere: 'viewer',
    });
  });
  afterAll(() => s?.close());

  it('every route has an expected access entry that matches its declaration', () => {
    const declared = Object.fromEntries(s.app.routes.map((r) => [`${r.method} ${r.url}`, accessString(r.access)]));
    const missing = Object.keys(declared).filter((k) => !(k in EXPECTED));
    expect(missing, 'routes without an entry in EXPECTED').toEqual([]);
    expect(
      Object.keys(EXPECTED).filter((k) => !(k in declared)),
      'entries for routes that do not exist',
    ).toEqual([]);
    for (const [k, v] of Object.entries(declared)) expect(v, k).toBe(EXPECTED[k]);
  });

  it('the OpenAPI document covers every route', async () => {
    const doc = (await s.app.http.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const missing = s.app.routes.filter(
      (r) => !doc.paths[r.url.replace(/:([A-Za-z]+)/g, '{$1}')]?.[r.method.toLowerCase()],
    );
    expect(missing.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('every route answers every persona as the matrix says', async () => {
    const failures: string[] = [];
    for (const route of s.app.routes) {
      const key = `${route.method} ${route.url}`;
      const expected = WALKED_AS[key] ?? EXPECTED[key]!;
      // The personas of one route ask at once (a few thousand requests in all; on PostgreSQL one at a
      // time took past the test timeout on a loaded machine).
      await Promise.all(
        personas.map(async (p) => {
          // Team-scoped personas act on their own team; everyone else on ids that do not exist.
          const url = route.url
            .replace(':id', p.team && route.url.startsWith('/api/v1/teams/') ? teamId : 'no-such-id')
            .replace(':userId', 'no-such-user')
            .replace(':kind', 'teams')
            .replace(':name', 'no-such-team');
          const r = await s.app.http.inject({
            method: route.method,
            url,
            headers: p.token ? { authorization: `Bearer ${p.token}` } : {},
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
          });
          const denied = r.statusCode === 401 || r.statusCode === 403;
          const want = allowed(p, expected);
          if (want === denied)
            failures.push(
              `${route.method} ${route.url} as ${p.name}: ${r.statusCode} (expected ${want ? 'allowed' : 'denied'})`,
            );
          if (!want && !p.token && r.statusCode !== 401)
            failures.push(`${route.method} ${route.url} anonymous: ${r.statusCode}, expected 401`);
          if (r.statusCode >= 500)
            failures.push(`${route.method} ${route.url} as ${p.name}: ${r.statusCode} ${r.body}`);
        }),
      );
    }
    expect(failures).toEqual([]);
  }, 180_000);

  it('every route the server answers is declared, a platform route, or a file of the web app', () => {
    const webDir = s.app.config.webDir ?? path.resolve('dist', 'web');
    const isWebFile = (url: string) =>
      !url.includes(':') && !url.includes('*') && fs.existsSync(path.join(webDir, url)) && url !== '/';
    const declared = new Set(s.app.routes.map((r) => `${r.method} ${r.url}`));
    const unknown = registeredRoutes(s.app.http)
      .map((r) => `${r.method} ${r.url}`)
      .filter((k) => !declared.has(k) && !(k in PLATFORM) && !(k.startsWith('GET ') && isWebFile(k.slice(4))));
    expect(unknown, 'routes outside EXPECTED and PLATFORM').toEqual([]);
    const registered = new Set(registeredRoutes(s.app.http).map((r) => `${r.method} ${r.url}`));
    expect(Object.keys(PLATFORM).filter((k) => !registered.has(k))).toEqual([]);
  });

  it('platform routes answer every persona alike, without credentials', async () => {
    for (const key of Object.keys(PLATFORM)) {
      const url = key.slice(4).replace('*', 'swagger-ui.css');
      // They never look at credentials: three personas show it.
      for (const p of personas.filter((x) => ['anonymous', 'team viewer', 'admin'].includes(x.name))) {
        const r = await s.app.http.inject({
          method: 'GET',
          url,
          headers: p.token ? { authorization: `Bearer ${p.token}` } : {},
        });
        // Readiness may be 503 (a busy database) for anyone; never 401 or 403.
        expect([401, 403], `${key} as ${p.name}`).not.toContain(r.statusCode);
        if (key !== 'GET /readyz') expect(r.statusCode, `${key} as ${p.name}`).toBe(200);
      }
    }
  });
});
