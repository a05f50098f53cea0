import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, type Engine, openDatabase } from '../../src/platform/db/database.js';

/**
 * Every store and integration test runs on both engines:
 *
 *   describe.each(engines())('users store on %s', (engine) => { ... openTestDatabase(engine) ... })
 *
 * PostgreSQL comes from MAINSTAY_TEST_POSTGRES_URL (scripts/test.mjs sets it when a local
 * server answers). Without it the PostgreSQL half is skipped with its reason on a
 * user's machine, and fails under CI=true: CI must run both halves.
 */
export const POSTGRES_URL = process.env.MAINSTAY_TEST_POSTGRES_URL || undefined;
export const POSTGRES_SKIP_REASON = POSTGRES_URL ? undefined : 'MAINSTAY_TEST_POSTGRES_URL is not set (no PostgreSQL)';

export function engines(): Engine[] {
  if (POSTGRES_URL) return ['sqlite', 'postgres'];
  if (process.env.CI === 'true') {
    throw new Error(
      'CI=true but MAINSTAY_TEST_POSTGRES_URL is not set: the PostgreSQL half of the tests must run in CI',
    );
  }
  return ['sqlite'];
}

export interface TestDatabase {
  database: Database;
  /** Connection settings another process (or a second instance) can use to reach the same data. */
  url: string | undefined;
  schema: string | undefined;
  sqlitePath: string;
  close(): Promise<void>;
}

/**
 * A fresh, empty database: an in-memory (or temp-file) SQLite, or a new schema in the
 * test PostgreSQL that is dropped on close.
 */
export async function openTestDatabase(engine: Engine, opts: { sqliteFile?: string } = {}): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const sqlitePath = opts.sqliteFile ?? ':memory:';
    const database = openDatabase({ sqlitePath });
    return { database, url: undefined, schema: undefined, sqlitePath, close: () => database.close() };
  }
  if (!POSTGRES_URL) throw new Error(POSTGRES_SKIP_REASON);
  const schema = `t_${process.env.MAINSTAY_TEST_RUN ?? 'adhoc'}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const database = openDatabase({ url: POSTGRES_URL, schema, poolSize: 5 });
  return {
    database,
    url: POSTGRES_URL,
    schema,
    sqlitePath: '',
    // The schema itself is dropped by test/support/global-setup.ts when the run ends.
    close: () => database.close(),
  };
}

/** The database of an earlier test server again (a restart on the same data). */
export async function reopenTestDatabase(
  engine: Engine,
  sqlitePath: string,
  schema: string | undefined,
): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const database = openDatabase({ sqlitePath });
    return { database, url: undefined, schema: undefined, sqlitePath, close: () => database.close() };
  }
  if (!POSTGRES_URL || !schema) throw new Error(POSTGRES_SKIP_REASON ?? 'no schema to reopen');
  const database = openDatabase({ url: POSTGRES_URL, schema, poolSize: 5 });
  return { database, url: POSTGRES_URL, schema, sqlitePath: '', close: () => database.close() };
}
