import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { ConflictError, InputError, NotFoundError } from '../errors.js';

/**
 * Online backup and offline restore of the embedded SQLite database. PostgreSQL is backed up with
 * its own tools (pg_dump), so nothing here knows about it.
 *
 * A backup holds the database only. Sealed values (secrets, integration and ping keys, feed tokens)
 * stay sealed in it; the key that opens them (MAINSTAY_SECRET_KEY or `<dataDir>/secret.key`) is kept
 * apart, so a stolen backup alone reveals no secret.
 */

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const MIGRATIONS_TABLE = 'mainstay_migrations';
/** Columns named `*_sealed` hold SecretBox values `v1:<keyId>:<iv>:<tag>:<ciphertext>`. */
const SEALED_SUFFIX = '_sealed';

export interface TableRows {
  table: string;
  rows: number;
}

/** How many sealed values one key sealed, with one of them to try the key on. */
export interface SealedKeyUse {
  keyId: string;
  values: number;
  /** A sealed value (ciphertext, never plaintext), to test that a key opens it. */
  sample: string;
}

export interface DatabaseSummary {
  bytes: number;
  /** `PRAGMA integrity_check`: always `ok` here (anything else is refused). */
  integrity: 'ok';
  tables: TableRows[];
  rows: number;
  migrations: { count: number; latest: string | undefined };
  sealed: SealedKeyUse[];
}

export interface BackupResult extends DatabaseSummary {
  source: string;
  file: string;
  /** Time the copy itself took (the read transaction on the live database). */
  copyMs: number;
  /** Copy, verification, fsync and rename. */
  totalMs: number;
}

export interface RestoreResult extends DatabaseSummary {
  file: string;
  target: string;
  /** Where the database that was in place is kept, if there was one. */
  previous: string | undefined;
  /** The database that was in place could not be opened (damaged); it is kept as it was. */
  previousDamaged: boolean;
}

/**
 * Copies the live database at `source` to `file` while a server may be writing to it: one read
 * transaction (WAL readers do not block the writer) gives a consistent snapshot. The copy is
 * written beside `file` under a temporary name, switched to a single-file journal mode, checked
 * with `PRAGMA integrity_check`, fsynced and renamed into place, so `file` is either the old file
 * or a complete, verified backup.
 */
export async function backupSqlite(opts: { source: string; file: string; force?: boolean }): Promise<BackupResult> {
  const source = path.resolve(opts.source);
  const file = path.resolve(opts.file);
  const started = performance.now();
  if (!fs.existsSync(source)) {
    throw new NotFoundError(`no database at ${source}`, {
      hint: 'point --data-dir (or MAINSTAY_DATA_DIR) at the data directory the server uses',
    });
  }
  if ([source, `${source}-wal`, `${source}-shm`, `${source}-journal`].includes(file)) {
    throw new InputError(`${file} is the live database itself`, { code: 'backup_target_is_live' });
  }
  refuseExisting(file, opts.force);
  const dir = path.dirname(file);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new InputError(`directory ${dir} does not exist`, { code: 'backup_dir_missing', hint: `mkdir -p ${dir}` });
  }
  const tmp = `${file}.partial-${process.pid}`;
  removeDatabaseFiles(tmp);
  try {
    const live = new SQLite(source, { fileMustExist: true });
    let copyMs: number;
    try {
      live.pragma('busy_timeout = 5000');
      const copyStarted = performance.now();
      // All pages in one step: a step holds one read transaction, so the copy is one snapshot.
      // Step by step, every write between two steps by the server would restart the copy.
      await live.backup(tmp, { progress: () => 0x7fffffff });
      copyMs = performance.now() - copyStarted;
    } finally {
      live.close();
    }
    const summary = inspectDatabase(tmp, `the database at ${source}`);
    // It holds password hashes and personal data: readable by its owner only, like secret.key.
    fs.chmodSync(tmp, 0o600);
    fsyncFile(tmp);
    refuseExisting(file, opts.force);
    fs.renameSync(tmp, file);
    fsyncDir(dir);
    return { ...summary, source, file, copyMs, totalMs: performance.now() - started };
  } finally {
    removeDatabaseFiles(tmp);
  }
}

/**
 * Verifies `file` and puts it in place of the database at `target`, which no server may have
 * open (refused otherwise). The database that was there is kept as
 * `<target>.before-restore-<timestamp>`. `beforeSwap` sees the verified backup's summary and may
 * throw to refuse (the secret-key check); until then nothing in the data directory changes.
 * Migrations newer than the backup run when the server next starts.
 */
export async function restoreSqlite(opts: {
  file: string;
  target: string;
  now?: Date;
  beforeSwap?: (summary: DatabaseSummary) => void | Promise<void>;
}): Promise<RestoreResult> {
  const file = path.resolve(opts.file);
  const target = path.resolve(opts.target);
  if (!fs.existsSync(file)) throw new NotFoundError(`no file at ${file}`);
  if (!fs.statSync(file).isFile()) throw new InputError(`${file} is not a file`, { code: 'not_a_backup' });
  if (file === target) throw new InputError(`${file} is the database being replaced`, { code: 'restore_onto_itself' });
  if (nonEmpty(`${file}-wal`)) {
    throw new InputError(`${file} has a write-ahead log beside it (${file}-wal): it is a live database, not a backup`, {
      code: 'not_a_backup',
      hint: 'make a backup with `mainstay backup FILE` (it works while the server runs) and restore that',
    });
  }
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true });
  const existing = fs.existsSync(target) ? lockOrDamaged(target) : undefined;
  const lock = existing === 'damaged' ? undefined : existing;
  const tmp = `${target}.restoring-${process.pid}`;
  try {
    removeDatabaseFiles(tmp);
    fs.copyFileSync(file, tmp);
    const summary = inspectDatabase(tmp, file);
    await opts.beforeSwap?.(summary);
    fsyncFile(tmp);

    let previous: string | undefined;
    if (existing) {
      // Fold the old write-ahead log into the old file, so the kept copy is one complete file.
      if (lock) foldLog(lock);
      previous = freeName(`${target}.before-restore-${stamp(opts.now ?? new Date())}`);
      // A hard link keeps the old file while the rename below swaps `target` atomically: there is
      // no moment without a database at `target` for a starting server to fill with a fresh one.
      try {
        fs.linkSync(target, previous);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw err;
        fs.copyFileSync(target, previous, fs.constants.COPYFILE_EXCL);
      }
      // A log that could not be folded in (a damaged database) is kept with it, for whoever digs.
      if (nonEmpty(`${target}-wal`)) fs.renameSync(`${target}-wal`, `${previous}-wal`);
    }
    // A stale log or index beside the new file would be read as belonging to it.
    for (const side of ['-wal', '-shm', '-journal']) fs.rmSync(`${target}${side}`, { force: true });
    fs.renameSync(tmp, target);
    fsyncDir(dir);
    return { ...summary, file, target, previous, previousDamaged: existing === 'damaged' };
  } finally {
    lock?.close();
    removeDatabaseFiles(tmp);
  }
}

/**
 * Opens the database at `file` and holds an exclusive lock on it, or throws when another
 * connection (a running server) has it open. In WAL mode every open connection holds a shared
 * lock on the file for its whole life, so an exclusive lock is only granted when nobody else has
 * the database open. The lock lasts until the returned handle is closed.
 */
export function lockDatabase(file: string): SQLite.Database {
  const handle = new SQLite(file, { fileMustExist: true });
  try {
    handle.pragma('busy_timeout = 0');
    handle.pragma('locking_mode = EXCLUSIVE');
    handle.exec('BEGIN EXCLUSIVE');
    handle.exec('COMMIT');
    return handle;
  } catch (err) {
    handle.close();
    if (sqliteCode(err) === 'SQLITE_BUSY' || sqliteCode(err) === 'SQLITE_LOCKED') {
      throw new ConflictError(`the database ${file} is in use (a Mainstay server has it open)`, {
        code: 'database_in_use',
        hint: 'stop every `mainstay serve` using this data directory, then restore again',
      });
    }
    throw err;
  }
}

/**
 * The lock on the database being replaced, or 'damaged' when SQLite cannot open it at all. No
 * server can be serving a database it cannot open (its start fails), and replacing a damaged
 * database is what a restore is for.
 */
function lockOrDamaged(file: string): SQLite.Database | 'damaged' {
  try {
    return lockDatabase(file);
  } catch (err) {
    if (isDamage(err)) return 'damaged';
    throw err;
  }
}

function foldLog(lock: SQLite.Database): void {
  try {
    lock.pragma('journal_mode = DELETE');
  } catch (err) {
    if (!isDamage(err)) throw err;
  }
}

function isDamage(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB';
}

/**
 * Checks that `file` is a Mainstay SQLite database that passes `PRAGMA integrity_check`, and
 * summarises it: rows per table, migrations applied, and which keys sealed its sealed values.
 * `what` names the file in error messages.
 */
export function inspectDatabase(file: string, what: string = file): DatabaseSummary {
  if (!hasSqliteHeader(file)) {
    throw new InputError(`${what} is not a SQLite database`, {
      code: 'not_sqlite',
      hint: 'give a file written by `mainstay backup`',
    });
  }
  const db = new SQLite(file, { fileMustExist: true });
  try {
    // One file, no -wal beside it: a backup is copied, mailed and archived as a single file.
    db.pragma('journal_mode = DELETE');
    const tables = (
      db
        .prepare(
          "select name from sqlite_schema where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name",
        )
        .all() as Array<{ name: string }>
    ).map((r) => r.name);
    if (!tables.includes(MIGRATIONS_TABLE)) {
      throw new InputError(
        `${what} is a SQLite database but not a Mainstay one (it has no ${MIGRATIONS_TABLE} table)`,
        {
          code: 'not_mainstay',
          hint: 'give a file written by `mainstay backup`',
        },
      );
    }
    const problems = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
    if (problems.length !== 1 || problems[0] !== 'ok') throw corrupt(what, problems);
    const counts = tables.map((table) => ({
      table,
      rows: (db.prepare(`select count(*) as n from ${quote(table)}`).get() as { n: number }).n,
    }));
    const migrations = db
      .prepare(`select count(*) as count, max(name) as latest from ${quote(MIGRATIONS_TABLE)}`)
      .get() as { count: number; latest: string | null };
    return {
      bytes: fs.statSync(file).size,
      integrity: 'ok',
      tables: counts,
      rows: counts.reduce((sum, t) => sum + t.rows, 0),
      migrations: { count: migrations.count, latest: migrations.latest ?? undefined },
      sealed: sealedKeys(db, tables),
    };
  } catch (err) {
    if (isDamage(err)) throw corrupt(what, [(err as Error).message]);
    throw err;
  } finally {
    db.close();
  }
}

/** The key ids found in every `*_sealed` column, with a count and one sample each. */
function sealedKeys(db: SQLite.Database, tables: readonly string[]): SealedKeyUse[] {
  const byKey = new Map<string, SealedKeyUse>();
  for (const table of tables) {
    const columns = db.pragma(`table_info(${quote(table)})`) as Array<{ name: string }>;
    for (const { name } of columns.filter((c) => c.name.endsWith(SEALED_SUFFIX))) {
      const col = quote(name);
      const rows = db
        .prepare(
          `select substr(${col}, 4, instr(substr(${col}, 4), ':') - 1) as keyId, count(*) as n, min(${col}) as sample
           from ${quote(table)} where ${col} like 'v1:%' group by keyId`,
        )
        .all() as Array<{ keyId: string; n: number; sample: string }>;
      for (const r of rows) {
        const seen = byKey.get(r.keyId);
        if (seen) seen.values += r.n;
        else byKey.set(r.keyId, { keyId: r.keyId, values: r.n, sample: r.sample });
      }
    }
  }
  return [...byKey.values()].sort((a, b) => b.values - a.values);
}

function corrupt(what: string, problems: readonly string[]): InputError {
  const shown = problems.slice(0, 5);
  return new InputError(`${what} is damaged: PRAGMA integrity_check failed`, {
    code: 'corrupt_database',
    fields: shown.map((message) => ({ path: 'integrity_check', message })),
    hint: 'restore an older backup; this file cannot be trusted',
  });
}

function refuseExisting(file: string, force: boolean | undefined): void {
  if (!force && fs.existsSync(file)) {
    throw new ConflictError(`${file} already exists`, {
      code: 'backup_exists',
      hint: 'choose a new file name, or pass --force to replace it',
    });
  }
}

function hasSqliteHeader(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    return fs.readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_MAGIC);
  } finally {
    fs.closeSync(fd);
  }
}

function nonEmpty(file: string): boolean {
  try {
    return fs.statSync(file).size > 0;
  } catch {
    return false;
  }
}

function removeDatabaseFiles(file: string): void {
  for (const side of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${side}`, { force: true });
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes a rename durable (the directory entry), where the platform allows opening a directory. */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not supported on every platform (Windows); the rename itself has happened.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** `name`, or `name-2`, `name-3`… if taken (two restores within one second keep both). */
function freeName(name: string): string {
  let candidate = name;
  for (let i = 2; fs.existsSync(candidate); i++) candidate = `${name}-${i}`;
  return candidate;
}

/** `2026-03-01T10:04:05.123Z` → `20260301T100405Z`: sortable and safe in a file name. */
function stamp(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function sqliteCode(err: unknown): string | undefined {
  return (err as { code?: unknown })?.code as string | undefined;
}
