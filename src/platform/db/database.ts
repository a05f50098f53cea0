import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type LogEvent, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { nulSafe } from './nul-text.js';

export type Engine = 'sqlite' | 'postgres';

/**
 * The database handle every store receives. Tables are typed per module
 * (`Kysely<ModuleTables>`); the platform only knows the untyped handle.
 */
// biome-ignore lint/suspicious/noExplicitAny: each module narrows this to its own tables
export type Db = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above
export type Tx = Transaction<any>;
export type Executor = Db | Tx;

export interface Database {
  readonly engine: Engine;
  /** PostgreSQL schema holding the tables (undefined: the connection's default). */
  readonly schema: string | undefined;
  readonly db: Db;
  /** Runs `fn` in one transaction: everything it writes commits together or not at all. */
  transaction<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  /**
   * A transaction for internal bookkeeping (queue leases, group flushes, escalation steps, delivery
   * receipts) whose loss in a power failure only means the work is done again (at-least-once): its
   * commit is atomic and survives a process crash or kill -9, but is not flushed to disk on its own
   * (SQLite synchronous=NORMAL for it, PostgreSQL synchronous_commit=off). The log is sequential, so
   * the next durable commit makes it durable too, and a power failure can only lose a suffix of
   * relaxed commits, never one before a durable one. Never for a write acknowledged to a client.
   */
  relaxedTransaction<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` once what `exec` wrote is committed: after the commit of the transaction `exec` (one of
   * this object's `transaction`/`relaxedTransaction`), never if it rolls back; at once when `exec` is
   * not a transaction (its statements committed as they ran). For work that must not see, or start
   * from, uncommitted rows (handing a just-enqueued task to this process's worker). `rolledBack`
   * runs instead when the transaction does not commit. Neither may throw.
   */
  afterCommit(exec: Executor, fn: () => void, rolledBack?: () => void): void;
  /**
   * Runs `fn` inside a savepoint of the transaction `trx`: when it throws, what it wrote is rolled
   * back (the rest of the transaction stays and can go on) and the after-commit callbacks it
   * registered are dropped (their `rolledBack` runs), then the error is rethrown. For optional work
   * done in a transaction whose main write must not fail with it.
   */
  savepoint<T>(trx: Tx, fn: () => Promise<T>): Promise<T>;
  /** Cheap reachability probe used by /readyz. */
  ping(): Promise<void>;
  /** `PRAGMA integrity_check` on SQLite; a trivial query on PostgreSQL. */
  integrityCheck(): Promise<string>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… or undefined for SQLite. */
  url?: string | undefined;
  /** SQLite file path (`:memory:` allowed). */
  sqlitePath?: string;
  /** PostgreSQL schema to use (tests isolate themselves this way). */
  schema?: string;
  /** Called after every query with its duration; feeds the self-metrics. */
  onQuery?: (durationMs: number, failed: boolean) => void;
  poolSize?: number;
}

// int8 (bigint) columns hold millisecond timestamps and counters, which fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

export function openDatabase(options: DatabaseOptions): Database {
  const log = options.onQuery
    ? (event: LogEvent) => options.onQuery?.(event.queryDurationMillis, event.level === 'error')
    : undefined;
  if (options.url) return openPostgres(options.url, options, log);
  return openSqlite(options.sqlitePath ?? ':memory:', log);
}

function openSqlite(file: string, log: ((e: LogEvent) => void) | undefined): Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const handle = new SQLite(file);
  handle.pragma('journal_mode = WAL');
  // FULL: a commit is fsynced before it returns, so an acknowledged write survives power loss too.
  handle.pragma('synchronous = FULL');
  handle.pragma('foreign_keys = ON');
  handle.pragma('busy_timeout = 5000');
  const db: Db = new Kysely({
    dialect: nulSafe(new SqliteDialect({ database: cachedStatements(handle) })),
    ...(log ? { log } : {}),
  });
  // The safety level may not change inside a transaction, so it is set around it, on the one
  // connection held for the whole span.
  const hooks = new CommitHooks();
  const relaxed = <T>(fn: (trx: Tx) => Promise<T>): Promise<T> =>
    hooks.around(fn, (body) =>
      db.connection().execute(async (conn) => {
        await sql`pragma synchronous = NORMAL`.execute(conn);
        try {
          return await conn.transaction().execute(body);
        } finally {
          await sql`pragma synchronous = FULL`.execute(conn);
        }
      }),
    );
  return {
    engine: 'sqlite',
    schema: undefined,
    db,
    transaction: (fn) => hooks.around(fn, (body) => db.transaction().execute(body)),
    // The safety level may not change inside a transaction, so it is set around it, on the one
    // connection held for the whole span.
    relaxedTransaction: relaxed,
    afterCommit: (exec, fn, rolledBack) => hooks.add(exec, fn, rolledBack),
    savepoint: (trx, fn) => hooks.savepoint(trx, fn),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    integrityCheck: async () => {
      const rows = handle.pragma('integrity_check') as Array<{ integrity_check: string }>;
      return rows.map((r) => r.integrity_check).join('; ');
    },
    close: once(() => db.destroy()),
  };
}

const STATEMENT_CACHE = 500;

/**
 * Kysely's SQLite driver prepares every query anew; preparing was an eighth of the CPU of a busy
 * server. Queries are built from a bounded set of shapes, so prepared statements are kept by SQL
 * text (least recently used out past 500). Reuse is safe: a statement runs to completion
 * synchronously (`all`/`run`); the driver's `iterate` (streaming) is not used by Mainstay, and a
 * streamed statement would be uncached anyway because `iterate` marks it busy only while it runs.
 */
function cachedStatements(handle: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  return new Proxy(handle, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      }
      return (text: string) => {
        let stmt = cache.get(text);
        if (stmt && !stmt.busy) {
          cache.delete(text);
          cache.set(text, stmt);
          return stmt;
        }
        stmt = target.prepare(text);
        cache.set(text, stmt);
        if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
        return stmt;
      };
    },
  });
}

/** Callbacks registered against a transaction, run after it commits (see Database.afterCommit). */
class CommitHooks {
  private readonly pending = new WeakMap<object, Array<{ commit: () => void; rollback?: (() => void) | undefined }>>();

  add(exec: Executor, commit: () => void, rollback?: () => void): void {
    if (!exec.isTransaction) {
      queueMicrotask(commit);
      return;
    }
    const list = this.pending.get(exec);
    if (list) list.push({ commit, rollback });
    else this.pending.set(exec, [{ commit, rollback }]);
  }

  /** See Database.savepoint. Same SQL on both engines; names are unique, so savepoints nest. */
  async savepoint<T>(trx: Tx, fn: () => Promise<T>): Promise<T> {
    if (!trx.isTransaction) throw new Error('a savepoint needs a transaction');
    const name = sql.id(`mainstay_sp_${++this.savepoints}`);
    const mark = this.pending.get(trx)?.length ?? 0;
    await sql`savepoint ${name}`.execute(trx);
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      await sql`rollback to savepoint ${name}`.execute(trx);
      await sql`release savepoint ${name}`.execute(trx);
      const list = this.pending.get(trx);
      for (const h of list?.splice(mark) ?? []) h.rollback?.();
      throw err;
    }
    await sql`release savepoint ${name}`.execute(trx);
    return result;
  }

  private savepoints = 0;

  /** Runs `run(body)` where `body` is `fn` with the transaction remembered; fires its hooks once it ends. */
  async around<T>(fn: (trx: Tx) => Promise<T>, run: (body: (trx: Tx) => Promise<T>) => Promise<T>): Promise<T> {
    let tx: Tx | undefined;
    const take = () => {
      const list = tx && this.pending.get(tx);
      if (tx) this.pending.delete(tx);
      return list ?? [];
    };
    let result: T;
    try {
      result = await run((trx) => {
        tx = trx;
        return fn(trx);
      });
    } catch (err) {
      for (const h of take()) h.rollback?.();
      throw err;
    }
    for (const h of take()) h.commit();
    return result;
  }
}

/** Closing twice (app shutdown, then a test's cleanup) is harmless. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => {
    p ??= fn();
    return p;
  };
}

/** The schema named by a URL's `options=-c search_path=…` (how several deployments share one database). */
export function schemaFromUrl(url: string): string | undefined {
  try {
    const opts = new URL(url).searchParams.get('options') ?? '';
    return /(?:^|\s)-c\s*search_path=([A-Za-z_][A-Za-z0-9_]*)(?:\s|$)/.exec(opts)?.[1];
  } catch {
    return undefined;
  }
}

function openPostgres(url: string, options: DatabaseOptions, log: ((e: LogEvent) => void) | undefined): Database {
  options = { ...options, schema: options.schema ?? schemaFromUrl(url) };
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  const db: Db = new Kysely({ dialect: nulSafe(new PostgresDialect({ pool })), ...(log ? { log } : {}) });
  const hooks = new CommitHooks();
  return {
    engine: 'postgres',
    schema: options.schema,
    db,
    transaction: (fn) => hooks.around(fn, (body) => db.transaction().execute(body)),
    relaxedTransaction: (fn) =>
      hooks.around(fn, (body) =>
        db.transaction().execute(async (trx) => {
          await sql`set local synchronous_commit = off`.execute(trx);
          return body(trx);
        }),
      ),
    afterCommit: (exec, fn, rolledBack) => hooks.add(exec, fn, rolledBack),
    savepoint: (trx, fn) => hooks.savepoint(trx, fn),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    integrityCheck: async () => {
      await sql`select count(*) from pg_catalog.pg_class`.execute(db);
      return 'ok';
    },
    close: once(() => db.destroy()),
  };
}
