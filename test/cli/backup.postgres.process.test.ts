import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, POSTGRES_URL } from '../support/engines.js';
import {
  all,
  cli,
  ensureBuilt,
  type Running,
  runProcess,
  sendEvent,
  setUp,
  startServe,
  stop,
} from './backup-process.js';

const SECRET_VALUE = `s3cret-${randomBytes(16).toString('hex')}`;
const hasPgTools = ['pg_dump', 'pg_restore'].every((tool) => spawnSync(tool, ['--version']).status === 0);
const onPostgres = engines().includes('postgres');

/** Rows per table of a COPY-format SQL script (`pg_restore -f -`): what the dump holds. */
function copyCounts(script: string): Record<string, number> {
  const counts: Record<string, number> = {};
  let table: string | undefined;
  for (const line of script.split('\n')) {
    if (table === undefined) {
      const m = /^COPY [^.]+\.(\S+) \(.*\) FROM stdin;$/.exec(line);
      if (m) {
        table = m[1]!.replace(/"/g, '');
        counts[table] = 0;
      }
    } else if (line === '\\.') table = undefined;
    else counts[table] = (counts[table] ?? 0) + 1;
  }
  return counts;
}

async function tableCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'",
    );
    const counts: Record<string, number> = {};
    for (const { table_name } of tables.rows) {
      const r = await client.query<{ n: string }>(`select count(*) as n from "${table_name}"`);
      counts[table_name] = Number(r.rows[0]!.n);
    }
    return counts;
  } finally {
    await client.end();
  }
}

/**
 * The README's PostgreSQL backup, as written: `mainstay backup` and `restore` refuse and point to
 * pg_dump; pg_dump -Fc of a serving database, pg_restore into an empty database, and a server
 * with the same MAINSTAY_SECRET_KEY has everything.
 */
describe.skipIf(!onPostgres || !hasPgTools)('PostgreSQL backup with pg_dump and pg_restore', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-pgdump-'));
  const suffix = randomBytes(4).toString('hex');
  const names = { source: `mainstay_bk_src_${suffix}`, target: `mainstay_bk_dst_${suffix}` };
  const urlOf = (db: string) => {
    const u = new URL(POSTGRES_URL!);
    u.pathname = `/${db}`;
    return u.toString();
  };
  const secretKey = randomBytes(32).toString('base64');
  const started: Running[] = [];
  const admin = () => new pg.Client({ connectionString: POSTGRES_URL });

  beforeAll(async () => {
    ensureBuilt();
    const c = admin();
    await c.connect();
    for (const db of Object.values(names)) await c.query(`create database ${db}`);
    await c.end();
  });
  afterAll(async () => {
    for (const s of started) await stop(s);
    const c = admin();
    await c.connect();
    for (const db of Object.values(names)) await c.query(`drop database if exists ${db} with (force)`);
    await c.end();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('mainstay backup/restore refuse; pg_dump while serving and pg_restore into an empty database keep everything', async () => {
    const env = (db: string) => ({ MAINSTAY_DATABASE_URL: urlOf(db), MAINSTAY_SECRET_KEY: secretKey });
    const a = await startServe(path.join(work, 'a'), env(names.source));
    started.push(a);
    const { token, routingKey } = await setUp(a.url, { name: 'db-password', value: SECRET_VALUE });
    const keys = Array.from({ length: 40 }, (_, i) => `pg-evt-${i}`);
    for (const key of keys) expect(await sendEvent(a.url, routingKey, key)).toBe(202);

    const refused = await cli(['backup', path.join(work, 'x.db')], env(names.source));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('this server stores its data in PostgreSQL');
    expect(refused.stderr).toMatch(/hint: .*pg_dump -Fc/);
    expect(fs.existsSync(path.join(work, 'x.db'))).toBe(false);
    const refusedRestore = await cli(['restore', path.join(work, 'x.db')], env(names.source));
    expect(refusedRestore.code).toBe(1);
    expect(refusedRestore.stderr).toMatch(/hint: .*pg_restore --no-owner/);

    // The README's commands, while the server keeps running.
    const dump = path.join(work, 'mainstay.dump');
    const dumped = await runProcess('pg_dump', ['-Fc', '-f', dump, urlOf(names.source)]);
    expect(dumped.code, dumped.stderr).toBe(0);
    await stop(a);
    const script = await runProcess('pg_restore', ['-f', '-', dump]);
    expect(script.code, script.stderr).toBe(0);
    for (const plain of [SECRET_VALUE, routingKey, token]) expect(script.stdout.includes(plain)).toBe(false);
    const restored = await runProcess('pg_restore', ['--no-owner', '-d', urlOf(names.target), dump]);
    expect(restored.code, restored.stderr).toBe(0);
    const inDump = copyCounts(script.stdout);
    expect(Object.keys(inDump).length).toBeGreaterThan(30);
    expect(await tableCounts(urlOf(names.target))).toEqual(inDump);

    const b = await startServe(path.join(work, 'b'), env(names.target));
    started.push(b);
    expect(b.output()).not.toContain('created the first admin');
    const alerts = await all<{ dedupKey: string }>(b.url, token, '/api/v1/alerts?status=all');
    const present = new Set(alerts.map((x) => x.dedupKey));
    expect(keys.filter((k) => !present.has(k))).toEqual([]);
    expect(await sendEvent(b.url, routingKey, 'after-restore')).toBe(202);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
    await stop(b);
  }, 60_000);
});
