import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';

const VALUE = 'pg-pa55word-that-must-never-leak';

describe.each(engines())('secrets on %s', (engine) => {
  let s: TestServer;
  const headers = () => ({ authorization: `Bearer ${s.adminToken}` });
  const doc = (spec: Record<string, unknown>) => ({
    apiVersion: 'mainstay/v1',
    kind: 'Secret',
    metadata: { name: 'db-password' },
    spec,
  });
  const apply = (spec: Record<string, unknown>, dryRun = false) =>
    s.app.http.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: headers(),
      payload: { documents: [{ document: doc(spec) }], dryRun },
    });
  beforeAll(async () => {
    s = await startTestServer({ engine, listen: false });
  });
  afterAll(() => s?.close());

  it('stores the value sealed and never returns it', async () => {
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/secrets',
      headers: headers(),
      payload: { name: 'api-token', value: VALUE, description: 'x' },
    });
    expect(r.statusCode).toBe(201);
    expect(r.body).not.toContain(VALUE);
    const row = await s.app.database.db
      .selectFrom('secrets')
      .selectAll()
      .where('name', '=', 'api-token')
      .executeTakeFirst();
    expect(JSON.stringify(row)).not.toContain(VALUE);
    expect(await s.app.secretStore.reveal('api-token')).toBe(VALUE);
    for (const url of [
      '/api/v1/secrets',
      '/api/v1/secrets/api-token',
      '/api/v1/export',
      '/api/v1/audit?resourceType=secret',
      '/api/v1/resources/secrets/api-token',
    ]) {
      const got = await s.app.http.inject({ method: 'GET', url, headers: headers() });
      expect(got.statusCode, url).toBe(200);
      expect(got.body, url).not.toContain(VALUE);
    }
  });

  it('apply compares values by digest: same value unchanged, new value an update, no plaintext in the plan', async () => {
    const created = await apply({ value: VALUE });
    expect(created.json().changes[0].action).toBe('create');
    expect(created.body).not.toContain(VALUE);
    expect((await apply({ value: VALUE })).json().changes[0].action).toBe('unchanged');
    expect((await apply({})).json().changes[0].action).toBe('unchanged');
    const changed = await apply({ value: 'another-value' }, true);
    expect(changed.json().changes[0].action).toBe('update');
    expect(changed.body).not.toContain('another-value');
    expect(changed.json().changes[0].diff[0].path).toBe('spec.value');
  });

  it('an exported secret re-applies unchanged and keeps its value', async () => {
    const exported = (await s.app.http.inject({ method: 'GET', url: '/api/v1/export', headers: headers() })).json()
      .documents;
    const secretsOnly = exported.filter((d: { kind: string }) => d.kind === 'Secret');
    expect(secretsOnly.every((d: { spec: Record<string, unknown> }) => d.spec.value === undefined)).toBe(true);
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: headers(),
      payload: { documents: secretsOnly.map((document: unknown) => ({ document })) },
    });
    expect(r.json().changes.every((c: { action: string }) => c.action === 'unchanged')).toBe(true);
    expect(await s.app.secretStore.reveal('db-password')).toBe(VALUE);
  });

  it('a new secret without a value is refused, naming the field', async () => {
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: headers(),
      payload: {
        documents: [
          {
            source: 's.yaml#1',
            document: { apiVersion: 'mainstay/v1', kind: 'Secret', metadata: { name: 'nope' }, spec: {} },
          },
        ],
      },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.fields[0].path).toBe('documents.0.spec.value');
  });

  it('the SQLite file holds no plaintext secret', async () => {
    if (engine !== 'sqlite') return;
    await s.app.database.db.selectFrom('secrets').selectAll().execute();
    const file = path.join(s.dataDir, 'mainstay.db');
    const bytes = [file, `${file}-wal`]
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f).toString('latin1'))
      .join('');
    expect(bytes).not.toContain(VALUE);
  });
});
