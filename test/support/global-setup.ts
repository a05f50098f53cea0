import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Each test run gets an id; PostgreSQL test schemas are named `t_<run>_<random>` and
 * dropped here at the end of the run, not by each test file: Kysely's migrator
 * introspects every schema, and a schema dropped by a parallel file mid-introspection
 * fails it (SQLSTATE 3F000).
 */
export default function setup() {
  const run = randomBytes(4).toString('hex');
  process.env.MAINSTAY_TEST_RUN = run;
  return async () => {
    const url = process.env.MAINSTAY_TEST_POSTGRES_URL;
    if (!url) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ nspname: string }>(
        "select nspname from pg_namespace where nspname like 't\\_' || $1 || '\\_%'",
        [run],
      );
      for (const r of rows) await client.query(`drop schema if exists ${r.nspname} cascade`);
    } finally {
      await client.end();
    }
  };
}
