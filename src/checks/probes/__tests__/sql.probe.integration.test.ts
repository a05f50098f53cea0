import net from 'node:net';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { type SqlSpec, SqlSpecSchema } from '../../check.model.js';
import type { ProbeContext } from '../probe.js';
import { sqlProbe } from '../sql.probe.js';

/**
 * Real servers: PostgreSQL from MAINSTAY_TEST_POSTGRES_URL and MariaDB (or MySQL) at
 * 127.0.0.1:3306 as root without a password, database `test`. A suite whose server is
 * not reachable is skipped with the reason on a workstation and fails under CI=true.
 */

const CI = process.env.CI === 'true';
const PG_URL = process.env.MAINSTAY_TEST_POSTGRES_URL;
const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' };

async function postgresUnavailable(): Promise<string | undefined> {
  if (!PG_URL) return 'MAINSTAY_TEST_POSTGRES_URL is not set (no PostgreSQL)';
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return undefined;
  } catch (err) {
    return `PostgreSQL at ${PG_URL} is not reachable: ${(err as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function mysqlUnavailable(): Promise<string | undefined> {
  try {
    const conn = await mysql.createConnection({ ...MYSQL, connectTimeout: 3000 });
    await conn.end();
    return undefined;
  } catch (err) {
    return `MariaDB at 127.0.0.1:3306 (root, database test) is not reachable: ${(err as Error).message}`;
  }
}

const unavailable = { postgres: await postgresUnavailable(), mysql: await mysqlUnavailable() };

function connection(driver: SqlSpec['driver']): {
  fields: Omit<SqlSpec, 'query' | 'tls' | 'driver'>;
  password?: string;
} {
  if (driver === 'mysql') {
    return { fields: { host: MYSQL.host, port: MYSQL.port, username: MYSQL.user, database: MYSQL.database } };
  }
  const url = new URL(PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  return {
    fields: {
      host: url.hostname,
      port: Number(url.port || 5432),
      username: decodeURIComponent(url.username || 'postgres'),
      database: url.pathname.replace(/^\//, '') || 'postgres',
      ...(password ? { passwordSecret: 'db-password' } : {}),
    },
    password,
  };
}

function context(timeoutMs: number, secrets: Record<string, string> = {}): ProbeContext {
  return {
    signal: AbortSignal.timeout(timeoutMs),
    timeoutMs,
    secret: async (name) => {
      const value = secrets[name];
      if (value === undefined) throw new Error(`Secret ${name} does not exist`);
      return value;
    },
    now: () => Date.now(),
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Dialect {
  name: string;
  driver: SqlSpec['driver'];
  threeRows: string;
  decimal: string;
  bigint: string;
  boolean: string;
  missingTable: RegExp;
  sleep: string;
}

const dialects: Dialect[] = [
  {
    name: 'PostgreSQL',
    driver: 'postgres',
    threeRows: 'select generate_series(1, 3)',
    decimal: 'select 2.50::numeric',
    bigint: 'select 9007199254740993::bigint',
    boolean: 'select true',
    missingTable: /relation "no_such_table_mainstay" does not exist \(SQLSTATE 42P01\)/,
    sleep: 'select pg_sleep(5)',
  },
  {
    name: 'MariaDB',
    driver: 'mysql',
    threeRows: 'SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3',
    decimal: 'SELECT CAST(2.50 AS DECIMAL(5,2))',
    bigint: "SELECT CAST('9007199254740993' AS DECIMAL(20,0))",
    boolean: 'SELECT TRUE',
    missingTable: /Table 'test\.no_such_table_mainstay' doesn't exist \(ER_NO_SUCH_TABLE\)/,
    sleep: 'SELECT SLEEP(5)',
  },
];

describe.each(dialects)('sql probe on $name', (d) => {
  const reason = unavailable[d.driver];
  const { fields, password } = connection(d.driver);
  const secrets: Record<string, string> = password ? { 'db-password': password } : {};
  const spec = (extra: Partial<SqlSpec> & { query: string }): SqlSpec =>
    SqlSpecSchema.parse({ driver: d.driver, ...fields, ...extra });
  const run = (s: SqlSpec, timeoutMs = 5000) => sqlProbe(s, context(timeoutMs, secrets));

  beforeEach((ctx) => {
    if (!reason) return;
    if (CI) throw new Error(`CI=true but ${reason}: CI must run the ${d.name} probe tests`);
    ctx.skip(reason);
  });

  it('an exact row count passes and reports the count and first value', async () => {
    const result = await run(spec({ query: d.threeRows, expectRows: 3 }));
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.details).toMatchObject({ rowCount: 3 });
    expect(Number(result.details.firstValue)).toBe(1);
    expect(result.timings?.connectMs).toBeGreaterThan(0);
  });

  it('a different row count fails as an assertion: "expected 5 rows, got 3"', async () => {
    const result = await run(spec({ query: d.threeRows, expectRows: 5 }));
    expect(result.error).toEqual({ phase: 'assertion', code: 'row_count' });
    expect(result.message).toBe('expected 5 rows, got 3');
  });

  it('a numeric value returned as a string compares numerically', async () => {
    const equal = await run(spec({ query: d.decimal, expectValue: { op: '==', value: 2.5 } }));
    expect(equal.ok).toBe(true);
    expect(equal.details.firstValue).toBe('2.50');
    const above = await run(spec({ query: d.decimal, expectValue: { op: '>', value: 10 } }));
    expect(above.error).toEqual({ phase: 'assertion', code: 'value_mismatch' });
    expect(above.message).toBe('expected the first value > 10, got "2.50"');
  });

  it('integers beyond 2^53 compare exactly', async () => {
    const exact = await run(spec({ query: d.bigint, expectValue: { op: '>', value: 9007199254740992 } }));
    expect(exact.ok).toBe(true);
  });

  it('strings compare as strings, and null only equals null', async () => {
    expect((await run(spec({ query: "select 'ok'", expectValue: { op: '==', value: 'ok' } }))).ok).toBe(true);
    const notOk = await run(spec({ query: "select 'degraded'", expectValue: { op: '==', value: 'ok' } }));
    expect(notOk.message).toBe('expected the first value == "ok", got "degraded"');
    expect((await run(spec({ query: 'select null', expectValue: { op: '==', value: null } }))).ok).toBe(true);
    const nullVsZero = await run(spec({ query: 'select null', expectValue: { op: '==', value: 0 } }));
    expect(nullVsZero.error).toEqual({ phase: 'assertion', code: 'value_mismatch' });
  });

  it('booleans compare exactly (MySQL TRUE is the integer 1)', async () => {
    const result = await run(spec({ query: d.boolean, expectValue: { op: '==', value: true } }));
    if (d.driver === 'postgres') {
      expect(result.ok).toBe(true);
    } else {
      expect(result.error).toEqual({ phase: 'assertion', code: 'value_mismatch' });
      expect(result.message).toBe('expected the first value == true, got 1 (number)');
      expect((await run(spec({ query: d.boolean, expectValue: { op: '==', value: 1 } }))).ok).toBe(true);
    }
  });

  it('a query that returns no rows fails a value expectation', async () => {
    const result = await run(spec({ query: `${d.threeRows} limit 0`, expectValue: { op: '==', value: 1 } }));
    expect(result.error).toEqual({ phase: 'assertion', code: 'no_rows' });
  });

  it("a query error fails in phase query with the server's message", async () => {
    const result = await run(spec({ query: 'select * from no_such_table_mainstay' }));
    expect(result.error).toEqual({ phase: 'query', code: 'query_error' });
    expect(result.message).toMatch(d.missingTable);
  });

  it('an unknown user fails in phase auth', async () => {
    const result = await run(spec({ query: 'select 1', username: 'no_such_user_mainstay' }));
    expect(result.error).toEqual({ phase: 'auth', code: 'auth_failed' });
    expect(result.message).toContain('no_such_user_mainstay');
  });

  it('an unknown database fails in phase connect', async () => {
    const result = await run(spec({ query: 'select 1', database: 'no_such_db_mainstay' }));
    expect(result.error).toEqual({ phase: 'connect', code: 'unknown_database' });
  });

  it('a port where nothing listens fails with connection_refused', async () => {
    const port = await freePort();
    const result = await run(spec({ query: 'select 1', host: '127.0.0.1', port }));
    expect(result.error).toEqual({ phase: 'connect', code: 'connection_refused' });
    expect(result.message).toBe(
      `connection to ${d.name === 'PostgreSQL' ? 'PostgreSQL' : 'MySQL'} at 127.0.0.1:${port} refused (nothing listens there)`,
    );
  });

  it('a missing password secret fails in phase config before connecting', async () => {
    const result = await run(spec({ query: 'select 1', passwordSecret: 'no-such-secret' }));
    expect(result.error).toEqual({ phase: 'config', code: 'secret_unavailable' });
    expect(result.message).toBe(
      'the password secret no-such-secret could not be read: Secret no-such-secret does not exist',
    );
  });

  it('connectionSecret: the whole connection URL comes from a Secret', async () => {
    const scheme = d.driver === 'postgres' ? 'postgres' : 'mysql';
    const f = fields as { host: string; port?: number; database: string; username: string };
    const auth = `${encodeURIComponent(f.username)}${password ? `:${encodeURIComponent(password)}` : ''}`;
    const url = `${scheme}://${auth}@${f.host}:${f.port ?? (d.driver === 'postgres' ? 5432 : 3306)}/${f.database}`;
    const withSecret = SqlSpecSchema.parse({
      driver: d.driver,
      connectionSecret: 'db-url',
      query: d.threeRows,
      expectRows: 3,
    });
    const ok = await sqlProbe(withSecret, context(5000, { 'db-url': url }));
    expect(ok.ok, ok.message).toBe(true);
    const wrongScheme = await sqlProbe(withSecret, context(5000, { 'db-url': url.replace(/^\w+:/, 'redis:') }));
    expect(wrongScheme.error).toEqual({ phase: 'config', code: 'invalid_connection_secret' });
    expect(wrongScheme.message).not.toContain(password || 'no-password-here');
  });

  it('without connectionSecret, host, database and username are required', () => {
    const r = SqlSpecSchema.safeParse({ driver: d.driver, query: 'select 1' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['database', 'host', 'username']);
  });

  it('a slow query is cut at the timeout', async () => {
    const t0 = performance.now();
    const result = await run(spec({ query: d.sleep }), 500);
    const took = performance.now() - t0;
    expect(result.error).toEqual({ phase: 'query', code: 'timeout' });
    expect(result.message).toBe('the query did not finish within 500 ms');
    expect(took).toBeLessThan(1500);
  });
});
