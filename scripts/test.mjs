// `npm test`: install what is missing, build, find PostgreSQL, run every test (vitest),
// and end with the line `N passed, N failed`. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';
import { ensureDeps } from './ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps(root);
build();

const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/test';
const notes = [];
async function findPostgres() {
  if (process.env.MAINSTAY_TEST_POSTGRES_URL) return process.env.MAINSTAY_TEST_POSTGRES_URL;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: DEFAULT_PG, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return DEFAULT_PG;
  } catch (err) {
    notes.push(
      `PostgreSQL half skipped: no MAINSTAY_TEST_POSTGRES_URL and ${DEFAULT_PG} did not answer (${err.message})`,
    );
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}
const pgUrl = await findPostgres();
const env = { ...process.env };
if (pgUrl) {
  env.MAINSTAY_TEST_POSTGRES_URL = pgUrl;
  console.log(`mainstay: tests run on SQLite and on PostgreSQL (${pgUrl.replace(/\/\/[^@]*@/, '//')})`);
} else if (process.env.CI === 'true') {
  console.error('mainstay: CI=true and no PostgreSQL answered; the PostgreSQL half must run in CI');
}
if (!fs.existsSync('/usr/bin/chromium'))
  notes.push('browser tests skipped: /usr/bin/chromium is missing (apt-get install -y chromium)');

const summaryFile = path.join(root, '.test-results', 'summary.json');
fs.rmSync(summaryFile, { force: true });
const r = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env,
  },
);

let summary = { passed: 0, failed: 1, skipped: 0, postgres: 0, skippedReasons: [] };
if (fs.existsSync(summaryFile)) summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
else notes.push('vitest wrote no summary (it crashed before the end of the run)');
if (r.status !== 0 && summary.failed === 0) summary.failed = 1;
for (const n of [...notes, ...summary.skippedReasons]) console.log(`note: ${n}`);
console.log(`tests on PostgreSQL: ${summary.postgres}`);
console.log(
  `${summary.passed} passed, ${summary.failed} failed${summary.skipped ? `, ${summary.skipped} skipped` : ''}`,
);
process.exit(summary.failed > 0 || r.status !== 0 ? 1 : 0);
