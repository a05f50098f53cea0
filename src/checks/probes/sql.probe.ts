import mysql from 'mysql2/promise';
import pg from 'pg';
import type { SqlSpec } from '../check.model.js';
import { failure, type Probe, type ProbePhase, type ProbeResult } from './probe.js';
import { resolveConnection } from './sql-url.js';

/**
 * SQL check: connect with one connection (never a pool), run `query`, compare the row
 * count and the first column of the first row, close. PostgreSQL through `pg`, MySQL
 * and MariaDB through `mysql2`.
 *
 * The timeout is enforced three times over: by the driver's connect timeout, by a
 * server-side statement limit (PostgreSQL `statement_timeout`; MariaDB
 * `max_statement_time` / MySQL `max_execution_time`, best effort) so a slow query does
 * not keep running on the server after the check gave up, and by the abort signal,
 * which closes the connection at once.
 *
 * Values are compared as the spec's value type says: numbers numerically (drivers return
 * bigint/numeric/decimal as strings, which are parsed; integers compare exactly as
 * BigInt), strings as strings, booleans and null exactly (MySQL's BOOLEAN is a TINYINT
 * 1/0 and does not equal `true`: compare it with 1).
 */

type Failure = { phase: ProbePhase; code: string; message: string };

interface QueryOutcome {
  rowCount: number;
  hasRow: boolean;
  first: unknown;
}

interface Session {
  connect(): Promise<void>;
  query(sql: string): Promise<QueryOutcome>;
  /** Closes the connection without waiting; never throws. */
  close(): void;
}

interface Target {
  host: string;
  port: number;
  label: string;
  password: string | undefined;
  timeoutMs: number;
}

function errorProps(err: unknown): { code?: string; errno?: number; message: string } {
  if (typeof err !== 'object' || err === null) return { message: String(err) };
  const e = err as { code?: unknown; errno?: unknown; message?: unknown; sqlMessage?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : undefined,
    errno: typeof e.errno === 'number' ? e.errno : undefined,
    message: typeof e.sqlMessage === 'string' ? e.sqlMessage : typeof e.message === 'string' ? e.message : String(err),
  };
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/;

// MySQL / MariaDB server error numbers (include/mysqld_error.h).
const MYSQL_AUTH_ERRNOS = [1044, 1045, 1698]; // ER_DBACCESS_DENIED, ER_ACCESS_DENIED, ER_ACCESS_DENIED_NO_PASSWORD
const MYSQL_BAD_DB = 1049;
const MYSQL_TIMEOUT_ERRNOS = [1969, 3024]; // MariaDB max_statement_time, MySQL max_execution_time

const f = (phase: ProbePhase, code: string, message: string): Failure => ({ phase, code, message });

/** What went wrong, from a driver error: socket errors, PostgreSQL SQLSTATEs, MySQL errnos. */
function classify(spec: ResolvedSqlSpec, err: unknown, phase: 'connect' | 'query', t: Target): Failure {
  const { code, errno, message } = errorProps(err);
  const my = spec.driver === 'mysql' && errno !== undefined && errno > 0 ? errno : undefined;
  const suffix = code
    ? spec.driver === 'postgres' && /^[0-9A-Z]{5}$/.test(code)
      ? ` (SQLSTATE ${code})`
      : ` (${code})`
    : '';
  if (message === 'timeout expired' || (code === 'ETIMEDOUT' && phase === 'connect')) {
    return f('connect', 'timeout', `could not connect to ${t.label} within ${t.timeoutMs} ms`);
  }
  // 57014 query_canceled: statement_timeout; the others are the client-side read timeouts.
  if (message === 'Query read timeout' || code === '57014' || code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
    return f('query', 'timeout', `the query did not finish within ${t.timeoutMs} ms`);
  }
  if (my !== undefined && MYSQL_TIMEOUT_ERRNOS.includes(my)) {
    return f('query', 'timeout', `the query did not finish within ${t.timeoutMs} ms`);
  }
  switch (code) {
    case 'ECONNREFUSED':
      return f('connect', 'connection_refused', `connection to ${t.label} refused (nothing listens there)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return f('dns', 'name_not_resolved', `${t.host} could not be resolved (${code})`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return f('connect', 'unreachable', `${t.label} is unreachable (${code})`);
    case 'ECONNRESET':
      return f(phase, 'connection_reset', `${t.label} reset the connection`);
  }
  if (code && TLS_CODES.test(code)) return f('tls', 'tls_failed', `TLS with ${t.label} failed: ${message}${suffix}`);
  if (/does not support SSL/i.test(message) || code === 'HANDSHAKE_NO_SSL_SUPPORT') {
    return f('tls', 'tls_unsupported', `${t.label} does not accept TLS connections`);
  }
  // SQLSTATE class 28: invalid authorization specification (wrong password, unknown role, pg_hba rejection).
  if (code === '28P01' || code === '28000' || (my !== undefined && MYSQL_AUTH_ERRNOS.includes(my))) {
    return f('auth', 'auth_failed', `${t.label} rejected ${spec.username}: ${message}${suffix}`);
  }
  if (code === '3D000' || my === MYSQL_BAD_DB)
    return f('connect', 'unknown_database', `${t.label}: ${message}${suffix}`);
  if (phase === 'query') return f('query', 'query_error', `the query failed: ${message}${suffix}`);
  return f('connect', 'connection_failed', `connecting to ${t.label} failed: ${message}${suffix}`);
}

function postgresSession(spec: ResolvedSqlSpec, t: Target): Session {
  const client = new pg.Client({
    host: t.host,
    port: t.port,
    database: spec.database,
    user: spec.username,
    password: t.password,
    ssl: spec.tls ? { rejectUnauthorized: true } : false,
    connectionTimeoutMillis: t.timeoutMs,
    statement_timeout: t.timeoutMs,
    query_timeout: t.timeoutMs,
    application_name: 'mainstay-check',
  });
  // Errors after connecting (the server went away) also reach the pending call; this only keeps them from crashing.
  client.on('error', () => {});
  return {
    connect: async () => {
      await client.connect();
    },
    async query(sql) {
      const res = await client.query({ text: sql, rowMode: 'array' });
      // Several statements in one query text give one result each: the last one counts, as in psql -c.
      const last = Array.isArray(res) ? (res.at(-1) as pg.QueryArrayResult | undefined) : res;
      const rows = last?.rows ?? [];
      return { rowCount: rows.length, hasRow: rows.length > 0, first: rows[0]?.[0] };
    },
    close() {
      // With a query running, end() destroys the socket rather than waiting.
      client.end().catch(() => {});
    },
  };
}

function mysqlSession(spec: ResolvedSqlSpec, t: Target): Session {
  let pending: Promise<mysql.Connection> | undefined;
  let conn: mysql.Connection | undefined;
  let closed = false;
  return {
    async connect() {
      pending = mysql.createConnection({
        host: t.host,
        port: t.port,
        user: spec.username,
        password: t.password,
        database: spec.database,
        connectTimeout: t.timeoutMs,
        ssl: spec.tls ? { rejectUnauthorized: true } : undefined,
      });
      const c = await pending;
      c.on('error', () => {});
      conn = c;
      if (closed) c.destroy();
      // Server-side limit so the server stops the query too (best effort: MariaDB, then MySQL).
      const seconds = (t.timeoutMs / 1000).toFixed(3);
      await c
        .query(`SET SESSION max_statement_time = ${seconds}`)
        .catch(() => c.query(`SET SESSION max_execution_time = ${Math.ceil(t.timeoutMs)}`).catch(() => {}));
    },
    async query(sql) {
      if (!conn) throw new Error('not connected');
      const [rows] = await conn.query({ sql, timeout: t.timeoutMs, rowsAsArray: true });
      const list = Array.isArray(rows) ? (rows as unknown[][]) : [];
      return { rowCount: list.length, hasRow: list.length > 0, first: list[0]?.[0] };
    },
    close() {
      closed = true;
      if (conn) conn.destroy();
      // Still connecting: close it when the handshake ends.
      else pending?.then((c) => c.destroy()).catch(() => {});
    },
  };
}

// ---- value comparison -------------------------------------------------------------------

type Op = NonNullable<SqlSpec['expectValue']>['op'];
type Expected = NonNullable<SqlSpec['expectValue']>['value'];

const NUMERIC_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function compareOrdered<T extends number | bigint | string>(a: T, op: Op, b: T): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function asNumber(v: unknown): number | bigint | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'string' && NUMERIC_RE.test(v.trim())) {
    const s = v.trim();
    return /^[+-]?\d+$/.test(s) ? BigInt(s) : Number(s);
  }
  return undefined;
}

function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return undefined;
}

/** Whether `actual op expected` holds, or why the two cannot be compared that way. */
export function compareValue(actual: unknown, op: Op, expected: Expected): { holds: boolean } | { invalid: string } {
  if (expected === null || typeof expected === 'boolean') {
    if (op !== '==' && op !== '!=') return { invalid: `${op} cannot compare with ${String(expected)}: use == or !=` };
    return { holds: (actual === expected) === (op === '==') };
  }
  if (typeof expected === 'number') {
    const a = asNumber(actual);
    if (a === undefined) return { holds: op === '!=' };
    if (typeof a === 'bigint' && Number.isInteger(expected)) return { holds: compareOrdered(a, op, BigInt(expected)) };
    return { holds: compareOrdered(Number(a), op, expected) };
  }
  const text = asText(actual);
  if (text === undefined) return { holds: op === '!=' };
  return { holds: compareOrdered(text, op, expected) };
}

function describeValue(v: unknown): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return JSON.stringify(v.length > 200 ? `${v.slice(0, 200)}…` : v);
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return `<${v.length} bytes>`;
  if (typeof v === 'object') return JSON.stringify(v)?.slice(0, 200) ?? String(v);
  return `${String(v)} (${typeof v})`;
}

/** The first value, JSON-serialisable and bounded, for details. */
function jsonSafe(v: unknown): unknown {
  if (v === undefined || v === null || typeof v === 'number' || typeof v === 'boolean') return v ?? null;
  if (typeof v === 'bigint') return v.toString();
  const text = asText(v) ?? String(v);
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}

// ---- the probe --------------------------------------------------------------------------

const DEFAULT_PORTS = { postgres: 5432, mysql: 3306 } as const;
const ENGINE_NAMES = { postgres: 'PostgreSQL', mysql: 'MySQL' } as const;

function assess(spec: SqlSpec, outcome: QueryOutcome, ms: number, base: Record<string, unknown>): ProbeResult {
  const details = { ...base, rowCount: outcome.rowCount, firstValue: jsonSafe(outcome.first) };
  const timings = { totalMs: ms };
  const rows = `${outcome.rowCount} row${outcome.rowCount === 1 ? '' : 's'}`;
  if (spec.expectRows !== undefined && outcome.rowCount !== spec.expectRows) {
    return failure('assertion', 'row_count', `expected ${spec.expectRows} rows, got ${outcome.rowCount}`, ms, {
      timings,
      details,
    });
  }
  if (spec.expectValue) {
    const { op, value } = spec.expectValue;
    if (!outcome.hasRow) {
      return failure(
        'assertion',
        'no_rows',
        `expected a first value ${op} ${JSON.stringify(value)}, but the query returned no rows`,
        ms,
        {
          timings,
          details,
        },
      );
    }
    const verdict = compareValue(outcome.first, op, value);
    if ('invalid' in verdict)
      return failure('config', 'invalid_expectation', verdict.invalid, ms, { timings, details });
    if (!verdict.holds) {
      return failure(
        'assertion',
        'value_mismatch',
        `expected the first value ${op} ${JSON.stringify(value)}, got ${describeValue(outcome.first)}`,
        ms,
        { timings, details },
      );
    }
  }
  const value = outcome.hasRow ? `, first value ${describeValue(outcome.first)}` : '';
  return { ok: true, latencyMs: ms, message: `${rows}${value} in ${ms} ms`, timings, details };
}

/** A spec whose connection settings are all known (after reading `connectionSecret`). */
export type ResolvedSqlSpec = SqlSpec & { host: string; database: string; username: string };

/** Runs a SQL check whose connection settings are all in the spec. */
export const probeResolved: Probe<ResolvedSqlSpec> = async (spec, ctx) => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const host = spec.host.replace(/^\[(.*)\]$/, '$1');
  const port = spec.port ?? DEFAULT_PORTS[spec.driver];
  const label = `${ENGINE_NAMES[spec.driver]} at ${host.includes(':') ? `[${host}]` : host}:${port}`;
  const base = { driver: spec.driver, host, port, database: spec.database };

  let phase: 'config' | 'connect' | 'query' = 'config';
  let session: Session | undefined;
  const timedOut = (): ProbeResult => {
    const ms = elapsed();
    const message =
      phase === 'query'
        ? `the query did not finish within ${ctx.timeoutMs} ms`
        : phase === 'connect'
          ? `could not connect to ${label} within ${ctx.timeoutMs} ms`
          : `the secret ${spec.passwordSecret} could not be read within ${ctx.timeoutMs} ms`;
    return failure(phase, 'timeout', message, ms, { timings: { totalMs: ms }, details: base });
  };
  if (ctx.signal.aborted) return timedOut();

  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });

  const run = async (): Promise<ProbeResult> => {
    let password: string | undefined;
    if (spec.passwordSecret) {
      try {
        password = await ctx.secret(spec.passwordSecret);
      } catch (err) {
        return failure(
          'config',
          'secret_unavailable',
          `the password secret ${spec.passwordSecret} could not be read: ${errorProps(err).message}`,
          elapsed(),
          {
            details: base,
          },
        );
      }
    }
    if (ctx.signal.aborted) return timedOut();
    const target: Target = { host, port, label, password, timeoutMs: Math.max(1, ctx.timeoutMs - elapsed()) };
    const s = spec.driver === 'postgres' ? postgresSession(spec, target) : mysqlSession(spec, target);
    session = s;
    let connectMs = 0;
    try {
      phase = 'connect';
      await s.connect();
      connectMs = elapsed();
      phase = 'query';
      const outcome = await s.query(spec.query);
      const ms = elapsed();
      const result = assess(spec, outcome, ms, base);
      return { ...result, timings: { connectMs, totalMs: ms } };
    } catch (err) {
      if (ctx.signal.aborted) return timedOut();
      const e = classify(spec, err, phase === 'query' ? 'query' : 'connect', target);
      const ms = elapsed();
      return failure(e.phase, e.code, e.message, ms, {
        timings: { ...(connectMs ? { connectMs } : {}), totalMs: ms },
        details: { ...base, serverCode: errorProps(err).code },
      });
    }
  };

  try {
    const outcome = await Promise.race([run(), aborted]);
    return outcome === 'aborted' ? timedOut() : outcome;
  } catch (err) {
    return failure(phase, 'probe_error', errorProps(err).message, elapsed(), {
      details: base,
    });
  } finally {
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
    session?.close();
  }
};

/**
 * Runs a SQL check. With `connectionSecret`, the connection URL is read from that
 * Secret first (sql-url.ts) and its parts replace the spec's.
 */
export const sqlProbe: Probe<SqlSpec> = async (spec, ctx) => {
  if (!spec.connectionSecret) return probeResolved(spec as ResolvedSqlSpec, ctx);
  const r = await resolveConnection({ ...spec, connectionSecret: spec.connectionSecret }, ctx);
  return 'failure' in r ? r.failure : probeResolved(r.spec, r.ctx);
};
