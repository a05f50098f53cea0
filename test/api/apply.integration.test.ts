import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';

const doc = (kind: string, name: string, spec: unknown, labels?: Record<string, string>) => ({
  apiVersion: 'mainstay/v1',
  kind,
  metadata: { name, ...(labels ? { labels } : {}) },
  spec,
});

describe.each(engines())('configuration as code on %s', (engine) => {
  let s: TestServer;
  const headers = () => ({ authorization: `Bearer ${s.adminToken}` });
  const apply = (documents: unknown[], opts: { dryRun?: boolean; prune?: boolean } = {}) =>
    s.app.http.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: headers(),
      payload: { documents: documents.map((d, i) => ({ source: `team.yaml#${i + 1}`, document: d })), ...opts },
    });
  beforeAll(async () => {
    s = await startTestServer({ engine, listen: false });
  });
  afterAll(() => s?.close());

  const set = [
    doc('User', 'alice@example.test', { name: 'Alice', timeZone: 'Europe/Berlin', role: 'editor' }, { site: 'ber' }),
    doc('User', 'bob@example.test', { name: 'Bob' }),
    doc('Team', 'platform', {
      displayName: 'Platform',
      members: [
        { user: 'bob@example.test', role: 'responder' },
        { user: 'alice@example.test', role: 'admin' },
      ],
    }),
  ];

  it('a dry run plans creates and changes nothing', async () => {
    const r = await apply(set, { dryRun: true });
    expect(r.statusCode).toBe(200);
    expect(r.json().applied).toBe(false);
    expect(
      r.json().changes.map((c: { action: string; kind: string; name: string }) => `${c.action} ${c.kind}/${c.name}`),
    ).toEqual(['create User/alice@example.test', 'create User/bob@example.test', 'create Team/platform']);
    const users = await s.app.http.inject({ method: 'GET', url: '/api/v1/resources/users', headers: headers() });
    expect(users.json().total).toBe(1); // the admin only
  });

  it('apply creates everything, and applying again is all unchanged', async () => {
    const r = await apply(set);
    expect(r.statusCode).toBe(200);
    expect(r.json().applied).toBe(true);
    const again = await apply(set);
    expect(again.json().changes.every((c: { action: string }) => c.action === 'unchanged')).toBe(true);
    const team = await s.app.http.inject({ method: 'GET', url: '/api/v1/resources/Team/platform', headers: headers() });
    expect(team.json().spec.members).toEqual([
      { user: 'alice@example.test', role: 'admin' },
      { user: 'bob@example.test', role: 'responder' },
    ]);
  });

  it('an update shows a field diff', async () => {
    const changed = [
      doc(
        'User',
        'alice@example.test',
        { name: 'Alice', timeZone: 'America/New_York', role: 'editor' },
        { site: 'nyc' },
      ),
    ];
    const r = await apply(changed, { dryRun: true });
    const change = r.json().changes[0];
    expect(change.action).toBe('update');
    expect(change.diff).toEqual([
      { path: 'metadata.labels.site', before: 'ber', after: 'nyc' },
      { path: 'spec.timeZone', before: 'Europe/Berlin', after: 'America/New_York' },
    ]);
  });

  it('an invalid document names the source and field and applies nothing', async () => {
    const bad = [
      doc('User', 'carol@example.test', { name: 'Carol' }),
      doc('User', 'dave@example.test', { name: 'Dave', timeZone: 'Nowhere/Land' }),
      doc('Widget', 'x', {}),
    ];
    const r = await apply(bad);
    expect(r.statusCode).toBe(400);
    const err = r.json().error;
    expect(err.message).toContain('team.yaml#2');
    expect(err.fields.map((f: { path: string }) => f.path)).toEqual(['documents.1.spec.timeZone', 'documents.2.kind']);
    const carol = await s.app.http.inject({
      method: 'GET',
      url: '/api/v1/resources/users/carol@example.test',
      headers: headers(),
    });
    expect(carol.statusCode).toBe(404);
  });

  it('a reference that fails inside the transaction rolls back the earlier documents too', async () => {
    const r = await apply([
      doc('User', 'erin@example.test', { name: 'Erin' }),
      doc('Team', 'ghosts', { members: [{ user: 'nobody@example.test', role: 'viewer' }] }),
    ]);
    expect(r.statusCode).toBe(400);
    expect(r.json().error.fields[0].path).toBe('documents.1.spec.members.0.user');
    expect(r.json().error.message).toContain('team.yaml#2');
    const erin = await s.app.http.inject({
      method: 'GET',
      url: '/api/v1/resources/users/erin@example.test',
      headers: headers(),
    });
    expect(erin.statusCode).toBe(404);
  });

  it('export re-applies to an identical state', async () => {
    const exported = (await s.app.http.inject({ method: 'GET', url: '/api/v1/export', headers: headers() })).json()
      .documents;
    expect(exported.map((d: { kind: string }) => d.kind)).toEqual(['User', 'User', 'User', 'Team']);
    const r = await apply(exported, { prune: true });
    expect(r.json().changes.every((c: { action: string }) => c.action === 'unchanged')).toBe(true);
  });

  it('prune deletes resources of the applied kinds that the documents leave out', async () => {
    await apply([doc('Team', 'temp', {})]);
    const teams = [
      doc('Team', 'platform', {
        displayName: 'Platform',
        members: [
          { user: 'bob@example.test', role: 'responder' },
          { user: 'alice@example.test', role: 'admin' },
        ],
      }),
    ];
    const r = await apply(teams, { prune: true });
    expect(r.json().changes).toContainEqual(expect.objectContaining({ action: 'delete', kind: 'Team', name: 'temp' }));
    const users = await s.app.http.inject({ method: 'GET', url: '/api/v1/resources/users', headers: headers() });
    expect(users.json().total).toBe(3); // users were not in the set: untouched
  });

  it('a viewer may dry-run but not apply changes', async () => {
    const tok = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: headers(),
      payload: { name: 'ro', scope: 'viewer' },
    });
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: { authorization: `Bearer ${tok.json().token}` },
      payload: { documents: [{ document: doc('Team', 'viewers-team', {}) }] },
    });
    expect(r.statusCode).toBe(403);
    expect(
      (await s.app.http.inject({ method: 'GET', url: '/api/v1/resources/teams/viewers-team', headers: headers() }))
        .statusCode,
    ).toBe(404);
  });

  it('delete removes one resource and writes an audit entry', async () => {
    await apply([doc('Team', 'to-delete', {})]);
    const r = await s.app.http.inject({
      method: 'DELETE',
      url: '/api/v1/resources/team/to-delete',
      headers: headers(),
    });
    expect(r.statusCode).toBe(204);
    const log = await s.app.http.inject({
      method: 'GET',
      url: '/api/v1/audit?action=team.delete&q=to-delete',
      headers: headers(),
    });
    expect(log.json().total).toBe(1);
  });
});
