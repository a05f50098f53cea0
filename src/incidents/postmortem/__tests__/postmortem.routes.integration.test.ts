import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../../test/support/engines.js';
import type { Principal } from '../../../platform/accounts/principal.js';
import { ANONYMOUS } from '../../../platform/accounts/principal.js';
import { type Role, RoleSchema } from '../../../platform/accounts/roles.js';
import { auditMigrations } from '../../../platform/audit/audit.migrations.js';
import { AuditStore } from '../../../platform/audit/audit.store.js';
import { FakeClock } from '../../../platform/clock.js';
import { migrate } from '../../../platform/db/migrations.js';
import { buildHttpServer } from '../../../platform/http/server.js';
import { Metrics } from '../../../platform/telemetry/metrics.js';
import { postmortemMigrations } from '../postmortem.migrations.js';
import { postmortemRoutes } from '../postmortem.routes.js';
import { PostmortemService } from '../postmortem.service.js';
import { FakeIncidents, makeIncident } from './fixtures.js';

const NOON = Date.UTC(2026, 10, 20, 12, 0, 0);

/** An API-token user with the role named in `x-test-role` (tokens skip the CSRF check). */
function principalFor(role: Role): Principal {
  return {
    kind: 'user',
    userId: `u-${role}`,
    email: `${role}@example.com`,
    name: role,
    via: 'token',
    sessionId: null,
    tokenId: 't1',
    globalRole: role,
    teamRoles: new Map(),
    ceiling: role,
  };
}

describe.each(engines())('postmortem routes on %s', (engine) => {
  let tdb: TestDatabase;
  let app: FastifyInstance;
  let incidents: FakeIncidents;

  beforeEach(async () => {
    tdb = await openTestDatabase(engine);
    await migrate(tdb.database, [
      { module: 'audit', migrations: auditMigrations },
      { module: 'incidents', migrations: postmortemMigrations },
    ]);
    const clock = new FakeClock(NOON);
    incidents = new FakeIncidents([makeIncident(), makeIncident({ id: 'inc-2', number: 43, title: 'Disk full' })]);
    const svc = new PostmortemService({ database: tdb.database, clock, audit: new AuditStore(clock), incidents });
    app = await buildHttpServer({
      logger: pino({ level: 'silent' }),
      metrics: new Metrics(),
      authenticate: async (req) => {
        const role = RoleSchema.safeParse(req.headers['x-test-role']);
        return { principal: role.success ? principalFor(role.data) : ANONYMOUS, csrfToken: null };
      },
      ready: async () => ({ ok: true, checks: {} }),
      bodyLimit: 1024 * 1024,
      trustProxy: false,
      version: 'test',
      routes: postmortemRoutes(svc),
    });
  });
  afterEach(async () => {
    await app.close();
    await tdb.close();
  });

  const call = (
    role: Role | null,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => app.inject({ method, url, ...(payload ? { payload } : {}), headers: role ? { 'x-test-role': role } : {} });

  it('viewers read, responders write, anonymous callers are refused', async () => {
    expect((await call(null, 'GET', '/api/v1/incidents/42/postmortem')).statusCode).toBe(401);
    expect((await call('viewer', 'POST', '/api/v1/incidents/42/postmortem')).statusCode).toBe(403);
    expect((await call('viewer', 'POST', '/api/v1/incidents/42/action-items', { title: 'x' })).statusCode).toBe(403);
    const created = await call('responder', 'POST', '/api/v1/incidents/42/postmortem');
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ incidentId: 'inc-1', status: 'draft', version: 1 });
    const read = await call('viewer', 'GET', '/api/v1/incidents/42/postmortem');
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created.json());
  });

  it('maps missing, duplicate and stale to 404, 409 and 409 with a hint', async () => {
    expect((await call('viewer', 'GET', '/api/v1/incidents/42/postmortem')).statusCode).toBe(404);
    expect((await call('responder', 'POST', '/api/v1/incidents/999/postmortem')).statusCode).toBe(404);
    await call('responder', 'POST', '/api/v1/incidents/42/postmortem');
    const again = await call('responder', 'POST', '/api/v1/incidents/42/postmortem');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('already_exists');
    const first = await call('responder', 'PATCH', '/api/v1/incidents/42/postmortem', {
      version: 1,
      document: { rootCause: 'pool' },
    });
    expect(first.json()).toMatchObject({ version: 2, document: { rootCause: 'pool' } });
    const stale = await call('responder', 'PATCH', '/api/v1/incidents/42/postmortem', {
      version: 1,
      document: { rootCause: 'other' },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({ code: 'version_conflict', hint: expect.stringContaining('version 2') });
  });

  it('PUT needs the whole document; bad bodies are 400 naming the field and change nothing', async () => {
    const pm = (await call('responder', 'POST', '/api/v1/incidents/42/postmortem')).json();
    const partial = await call('responder', 'PUT', '/api/v1/incidents/42/postmortem', {
      version: 1,
      document: { summary: 'only this' },
    });
    expect(partial.statusCode).toBe(400);
    expect(partial.json().error.fields.map((f: { path: string }) => f.path)).toContain('document.impact');
    const bad = await call('responder', 'PATCH', '/api/v1/incidents/42/postmortem', {
      version: 1,
      document: { sections: [{ title: '', body: 'x' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields[0].path).toBe('document.sections.0.title');
    const full = await call('responder', 'PUT', '/api/v1/incidents/42/postmortem', {
      version: 1,
      status: 'in_review',
      document: { ...pm.document, rootCause: 'pool' },
    });
    expect(full.json()).toMatchObject({ version: 2, status: 'in_review' });
  });

  it('exports Markdown as text/markdown', async () => {
    await call('responder', 'POST', '/api/v1/incidents/42/postmortem');
    await call('responder', 'POST', '/api/v1/incidents/42/action-items', { title: 'Raise pool size', status: 'done' });
    const md = await call('viewer', 'GET', '/api/v1/incidents/42/postmortem.md');
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(md.headers['content-disposition']).toBe('inline; filename="incident-42-postmortem.md"');
    expect(md.body.startsWith('# Postmortem: #42 Checkout API returns 502\n')).toBe(true);
    expect(md.body).toContain('- [x] Raise pool size');
    expect((await call('viewer', 'GET', '/api/v1/incidents/43/postmortem.md')).statusCode).toBe(404);
  });

  it('creates, lists, changes and deletes action items', async () => {
    const bad = await call('responder', 'POST', '/api/v1/incidents/42/action-items', {
      title: 'x',
      dueDate: '2026-02-30',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields[0].path).toBe('dueDate');
    const a = await call('responder', 'POST', '/api/v1/incidents/42/action-items', {
      title: 'Alert on saturation',
      owner: 'viewer@example.com',
      dueDate: '2026-11-19',
    });
    expect(a.statusCode).toBe(201);
    await call('responder', 'POST', '/api/v1/incidents/43/action-items', {
      title: 'Bigger disk',
      dueDate: '2026-12-01',
    });

    const overdue = await call('viewer', 'GET', '/api/v1/action-items?overdue=true&owner=me');
    expect(overdue.json()).toMatchObject({ total: 1, items: [{ title: 'Alert on saturation', overdue: true }] });
    const all = await call('viewer', 'GET', '/api/v1/action-items?status=open,in_progress&limit=1');
    expect(all.json()).toMatchObject({ total: 2, limit: 1, items: [{ title: 'Alert on saturation' }] });
    const byIncident = await call('viewer', 'GET', '/api/v1/action-items?incident=43');
    expect(byIncident.json().items.map((i: { title: string }) => i.title)).toEqual(['Bigger disk']);
    const onPage = await call('viewer', 'GET', '/api/v1/incidents/43/action-items');
    expect(onPage.json().total).toBe(1);
    const badStatus = await call('viewer', 'GET', '/api/v1/action-items?status=open,closed');
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json().error.fields[0].path).toBe('status.1');

    const id = a.json().id;
    const done = await call('responder', 'PATCH', `/api/v1/action-items/${id}`, { status: 'done' });
    expect(done.json()).toMatchObject({ status: 'done', doneAt: new Date(NOON).toISOString(), overdue: false });
    expect((await call('viewer', 'DELETE', `/api/v1/action-items/${id}`)).statusCode).toBe(403);
    expect((await call('responder', 'DELETE', `/api/v1/action-items/${id}`)).statusCode).toBe(204);
    expect((await call('viewer', 'GET', `/api/v1/action-items/${id}`)).statusCode).toBe(404);
  });
});
