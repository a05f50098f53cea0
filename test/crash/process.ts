import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const ENTRY = path.join(ROOT, 'bin', 'mainstay.mjs');
export const BUILT = path.join(ROOT, 'dist', 'server', 'cli', 'main.js');
export const ADMIN = { email: 'crash-admin@example.test', password: 'crash test admin password' };
/** One key for every instance of a test, so instances on one PostgreSQL read each other's secrets. */
export const SECRET_KEY = 'crash-test-secret-key-0123456789abcdef';

/** A free loopback port (taken once, released, then reused for every restart of an instance). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ServeOptions {
  name: string;
  port: number;
  dataDir: string;
  /** postgres://… (with `options=-c search_path=…`) for PostgreSQL; absent for SQLite in dataDir. */
  databaseUrl?: string | undefined;
  /** Extra environment (MAINSTAY_*). */
  env?: Record<string, string>;
}

/**
 * `node bin/mainstay.mjs serve` as a real process on a fixed port, started, killed with SIGKILL and
 * restarted on the same data. Keeps the last lines of its output for failure messages.
 */
export class ServeProcess {
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  private output: string[] = [];
  starts = 0;
  kills = 0;

  constructor(readonly o: ServeOptions) {
    this.url = `http://127.0.0.1:${o.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** The last lines the process printed (stdout and stderr). */
  tail(lines = 40): string {
    return this.output.slice(-lines).join('');
  }

  /** Spawns the process and resolves once it prints that it is serving. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.child) throw new Error(`${this.o.name} is already running`);
    const env: Record<string, string | undefined> = {
      ...process.env,
      MAINSTAY_ADMIN_EMAIL: ADMIN.email,
      MAINSTAY_ADMIN_PASSWORD: ADMIN.password,
      MAINSTAY_SECRET_KEY: SECRET_KEY,
      MAINSTAY_LOG_LEVEL: 'warn',
      MAINSTAY_DATABASE_URL: this.o.databaseUrl,
      ...this.o.env,
    };
    if (!this.o.databaseUrl) delete env.MAINSTAY_DATABASE_URL;
    const child = spawn(
      process.execPath,
      [ENTRY, 'serve', '--host', '127.0.0.1', '--port', String(this.o.port), '--data-dir', this.o.dataDir],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.starts++;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        if (this.child === child) this.child = undefined;
        resolve(code);
      }),
    );
    const keep = (d: Buffer) => {
      this.output.push(String(d));
      if (this.output.length > 400) this.output.splice(0, this.output.length - 400);
    };
    child.stderr?.on('data', keep);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.o.name} did not start in ${timeoutMs} ms:\n${this.tail()}`)),
        timeoutMs,
      );
      let seen = '';
      let ready = false;
      child.stdout?.on('data', (d: Buffer) => {
        keep(d);
        if (ready) return;
        seen += String(d);
        if (seen.includes(' is serving ')) {
          ready = true;
          clearTimeout(timer);
          resolve();
        }
      });
      void this.exited?.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${this.o.name} exited with ${code} while starting:\n${this.tail()}`));
      });
    });
  }

  /** SIGKILL (kill -9), and waits until the process is gone. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child) throw new Error(`${this.o.name} is not running`);
    child.kill('SIGKILL');
    await this.exited;
    this.kills++;
  }

  /** SIGTERM (graceful shutdown); resolves with the exit code. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    child.kill('SIGTERM');
    return (await this.exited) ?? null;
  }

  /** Last resort in cleanup: kills the process if it still runs. */
  destroy(): void {
    this.child?.kill('SIGKILL');
  }
}

// ------------------------------------------------------------------------------------------------
// Direct database access for the invariant checks (not through Mainstay).

// biome-ignore lint/suspicious/noExplicitAny: rows are whatever the query selected
export type Row = Record<string, any>;

/** A minimal query handle on either engine; `?` placeholders on both. */
export interface SqlHandle {
  readonly engine: 'sqlite' | 'postgres';
  readonly schema: string | undefined;
  all<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** The SQLite file of a data dir; reads only, beside a running server (WAL allows it). */
export function openSqlite(file: string): SqlHandle {
  const db = new Sqlite(file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return {
    engine: 'sqlite',
    schema: undefined,
    all: async <T extends Row>(sql: string, params: readonly unknown[] = []) => {
      const stmt = db.prepare(sql);
      if (stmt.reader) return stmt.all(...params) as T[];
      stmt.run(...params);
      return [];
    },
    close: async () => {
      db.close();
    },
  };
}

/** A PostgreSQL schema of the test database, reached with its search_path. */
export async function openPostgres(url: string, schema: string): Promise<SqlHandle> {
  const client = new pg.Client({
    connectionString: url,
    options: `-c search_path=${schema}`,
    // bigint columns hold epoch milliseconds and counters: numbers, as Mainstay reads them.
    types: { getTypeParser: (oid, format) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)) },
  });
  await client.connect();
  return {
    engine: 'postgres',
    schema,
    all: async <T extends Row>(sql: string, params: readonly unknown[] = []) => {
      let i = 0;
      const text = sql.replace(/\?/g, () => `$${++i}`);
      return (await client.query(text, params as unknown[])).rows as T[];
    },
    close: () => client.end(),
  };
}

/**
 * A fresh schema in the test PostgreSQL (named like test/support/engines.ts names them, so the run's
 * global teardown drops it) and the MAINSTAY_DATABASE_URL that puts a server in it.
 */
export async function createPgSchema(url: string): Promise<{ schema: string; databaseUrl: string }> {
  const schema = `t_${process.env.MAINSTAY_TEST_RUN ?? 'adhoc'}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return { schema, databaseUrl: u.toString() };
}
