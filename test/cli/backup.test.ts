import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectDatabase } from '../../src/platform/db/backup.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { run, tempDir } from './helpers.js';

const SECRET_VALUE = `backup-test-${randomBytes(12).toString('hex')}`;

/** Every file in `dir` with its size and modification time: "nothing changed" is this, unchanged. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const st = fs.statSync(path.join(dir, name));
    out[name] = `${st.size}:${st.mtimeMs}`;
  }
  return out;
}

/** A fresh data directory holding `key` (the backed-up server's secret.key) when given. */
function dataDirWith(key?: string): string {
  const dir = tempDir('mainstay-restore-');
  if (key) fs.copyFileSync(key, path.join(dir, 'secret.key'));
  if (key) fs.chmodSync(path.join(dir, 'secret.key'), 0o600);
  return dir;
}

/**
 * The refusals of `mainstay backup` and `mainstay restore`, in-process against a real Mainstay
 * database (an app with the data directory open, as a running server has it).
 */
describe('mainstay backup and restore', () => {
  let s: TestServer;
  let work: string;
  let good: string;

  beforeAll(async () => {
    s = await startTestServer({ engine: 'sqlite', listen: false });
    const created = await s.app.http.inject({
      method: 'POST',
      url: '/api/v1/secrets',
      headers: { authorization: `Bearer ${s.adminToken}` },
      payload: { name: 'db-password', value: SECRET_VALUE },
    });
    expect(created.statusCode, created.body).toBe(201);
    work = tempDir('mainstay-backups-');
    good = path.join(work, 'good.db');
    const r = await run(['backup', good, '--data-dir', s.dataDir]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await s?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('writes one verified file while the server has the database open, and reports what to keep with it', async () => {
    const file = path.join(work, 'report.db');
    const r = await run(['backup', file, '--data-dir', s.dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/integrity_check ok/);
    expect(r.stdout).toMatch(/^secrets\s+1$/m);
    expect(r.stdout).toContain(
      `keep ${path.join(s.dataDir, 'secret.key')} in a separate safe place; a restore needs it`,
    );
    // A single file: no -wal or -shm beside it, and not in WAL mode.
    expect(fs.readdirSync(work).filter((f) => f.startsWith('report.db'))).toEqual(['report.db']);
    expect(fs.readFileSync(file).subarray(18, 20)).toEqual(Buffer.from([1, 1]));
    expect(fs.readFileSync(file).includes(SECRET_VALUE)).toBe(false);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const json = await run(['backup', path.join(work, 'report2.db'), '--data-dir', s.dataDir, '-o', 'json']);
    const data = JSON.parse(json.stdout) as { integrity: string; sealedKeys: unknown[]; secretKey: unknown };
    expect(data.integrity).toBe('ok');
    expect(data.sealedKeys).toHaveLength(1);
    expect(data.secretKey).toEqual({ included: false, keep: path.join(s.dataDir, 'secret.key') });
  });

  it('refuses to overwrite an existing file unless --force', async () => {
    const file = path.join(work, 'taken.db');
    fs.writeFileSync(file, 'do not lose me');
    const r = await run(['backup', file, '--data-dir', s.dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${file} already exists`);
    expect(r.stderr).toContain('--force');
    expect(fs.readFileSync(file, 'utf8')).toBe('do not lose me');
    expect(fs.readdirSync(work).filter((f) => f.includes('.partial-'))).toEqual([]);
    const forced = await run(['backup', file, '--data-dir', s.dataDir, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(inspectDatabase(file).integrity).toBe('ok');
  });

  it('refuses when the data directory holds no database', async () => {
    const empty = tempDir('mainstay-empty-');
    const r = await run(['backup', path.join(work, 'none.db'), '--data-dir', empty]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: no database at ${path.join(empty, 'mainstay.db')}`);
    expect(fs.readdirSync(empty)).toEqual([]);
    expect(fs.existsSync(path.join(work, 'none.db'))).toBe(false);
  });

  it('both refuse on PostgreSQL and point to pg_dump and pg_restore', async () => {
    const env = { MAINSTAY_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' };
    const file = path.join(work, 'pg.db');
    const backup = await run(['backup', file, '--data-dir', s.dataDir], { env });
    expect(backup.code).toBe(1);
    expect(backup.stderr).toMatch(/PostgreSQL \(MAINSTAY_DATABASE_URL is set\)/);
    expect(backup.stderr).toMatch(/hint: .*pg_dump -Fc .*MAINSTAY_SECRET_KEY/);
    expect(fs.existsSync(file)).toBe(false);
    const dir = dataDirWith();
    const restore = await run(['restore', good, '--data-dir', dir], { env });
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/hint: .*pg_restore /);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('restore refuses a file that is not SQLite, a SQLite file that is not Mainstay, and a damaged backup', async () => {
    const dir = dataDirWith(path.join(s.dataDir, 'secret.key'));
    fs.copyFileSync(good, path.join(dir, 'mainstay.db'));
    const before = snapshot(dir);

    const text = path.join(work, 'notes.txt');
    fs.writeFileSync(text, 'not a database at all\n'.repeat(100));
    const notSqlite = await run(['restore', text, '--data-dir', dir]);
    expect(notSqlite.code).toBe(1);
    expect(notSqlite.stderr).toContain(`error: ${text} is not a SQLite database`);

    const other = path.join(work, 'other.db');
    const o = new SQLite(other);
    o.exec('create table notes (body text); insert into notes values (1)');
    o.close();
    const notMainstay = await run(['restore', other, '--data-dir', dir]);
    expect(notMainstay.code).toBe(1);
    expect(notMainstay.stderr).toContain('is a SQLite database but not a Mainstay one (it has no mainstay_migrations');

    // Garbage over the b-tree page of a table with rows: the header still says SQLite.
    const damaged = path.join(work, 'damaged.db');
    fs.copyFileSync(good, damaged);
    const g = new SQLite(good, { readonly: true });
    const pageSize = g.pragma('page_size', { simple: true }) as number;
    const root = (
      g.prepare("select rootpage from sqlite_schema where name = 'audit_log'").get() as { rootpage: number }
    ).rootpage;
    g.close();
    const fd = fs.openSync(damaged, 'r+');
    fs.writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, (root - 1) * pageSize);
    fs.closeSync(fd);
    const corrupt = await run(['restore', damaged, '--data-dir', dir]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain(`error: ${damaged} is damaged: PRAGMA integrity_check failed`);
    expect(corrupt.stderr).toMatch(/^ {2}integrity_check: .+/m);

    expect(snapshot(dir)).toEqual(before);
  });

  it('restore refuses while a server has the database open', async () => {
    const before = snapshot(s.dataDir);
    const r = await run(['restore', good, '--data-dir', s.dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is in use (a Mainstay server has it open)');
    expect(r.stderr).toContain('hint: stop every `mainstay serve`');
    expect(Object.keys(snapshot(s.dataDir))).toEqual(Object.keys(before));
    expect(await s.app.database.integrityCheck()).toBe('ok');
  });

  it('restore refuses when the configured key cannot open the sealed values, unless --ignore-secret-key', async () => {
    const noKey = dataDirWith();
    const r = await run(['restore', good, '--data-dir', noKey]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: the configured secret key cannot open the backup's sealed values");
    expect(r.stderr).toMatch(/sealed with key \S+, and no key is configured/);
    expect(fs.readdirSync(noKey)).toEqual([]);

    const otherKey = dataDirWith();
    const wrong = await run(['restore', good, '--data-dir', otherKey], {
      env: { MAINSTAY_SECRET_KEY: randomBytes(32).toString('base64') },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/the configured key \(MAINSTAY_SECRET_KEY\) is \S+/);

    const anyway = await run(['restore', good, '--data-dir', noKey, '--ignore-secret-key']);
    expect(anyway.code, anyway.stderr).toBe(0);
    expect(anyway.stderr).toMatch(/^warning: .*no key is configured/m);
    expect(anyway.stdout).toContain('stay unreadable until you put the secret.key');
    expect(inspectDatabase(path.join(noKey, 'mainstay.db')).integrity).toBe('ok');
  });

  it('restore replaces a database too damaged to open, and keeps it as it was', async () => {
    const dir = dataDirWith(path.join(s.dataDir, 'secret.key'));
    const garbage = randomBytes(64 * 1024);
    fs.writeFileSync(path.join(dir, 'mainstay.db'), garbage);
    const r = await run(['restore', good, '--data-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /The database that was there \(it could not be opened: damaged\) is kept as \S+before-restore-/,
    );
    const kept = fs.readdirSync(dir).filter((f) => f.includes('before-restore'));
    expect(kept).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, kept[0]!)).equals(garbage)).toBe(true);
    expect(inspectDatabase(path.join(dir, 'mainstay.db')).tables).toEqual(inspectDatabase(good).tables);
  });

  it('restore keeps the database it replaces and puts a complete copy of the backup in place', async () => {
    const dir = dataDirWith(path.join(s.dataDir, 'secret.key'));
    const first = await run(['restore', good, '--data-dir', dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/The configured key \(.*secret\.key, \S+\) opens all 1 sealed values/);
    // Someone ran a server on it: a write-ahead log beside the database.
    const db = new SQLite(path.join(dir, 'mainstay.db'));
    db.pragma('journal_mode = WAL');
    db.exec("insert into mainstay_migrations (name, timestamp) values ('zz-written-after-restore', 'now')");
    const again = await run(['restore', good, '--data-dir', dir, '-o', 'json'], {});
    db.close();
    expect(again.code).toBe(1); // the connection above is a server using the database
    const second = await run(['restore', good, '--data-dir', dir, '-o', 'json']);
    expect(second.code, second.stderr).toBe(0);
    const data = JSON.parse(second.stdout) as { previous: string; rows: number; tables: unknown[] };
    expect(path.basename(data.previous)).toMatch(/^mainstay\.db\.before-restore-\d{8}T\d{6}Z$/);
    const kept = inspectDatabase(data.previous);
    const restored = inspectDatabase(path.join(dir, 'mainstay.db'));
    const goodSummary = inspectDatabase(good);
    expect(kept.migrations.latest).toBe('zz-written-after-restore');
    expect(restored.tables).toEqual(goodSummary.tables);
    expect(data.tables).toEqual(goodSummary.tables);
    expect(fs.readdirSync(dir).filter((f) => /-(wal|shm|journal)$|restoring/.test(f))).toEqual([]);
  });
});
