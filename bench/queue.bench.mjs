// Work-queue throughput: enqueue N tasks one by one (each its own commit), then drain them
// with claim(50) + complete, on SQLite (file, WAL, synchronous=FULL) and PostgreSQL.
// Usage: node bench/queue.bench.mjs [N]   (needs `npm run build`; PostgreSQL from MAINSTAY_TEST_POSTGRES_URL)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { systemClock } from '../dist/server/platform/clock.js';
import { openDatabase } from '../dist/server/platform/db/database.js';
import { migrate } from '../dist/server/platform/db/migrations.js';
import { queueMigrations, WorkQueue } from '../dist/server/platform/queue/index.js';
import { benchRun } from './results.mjs';

const arg = process.argv.slice(2).find((a) => /^\d+$/.test(a));
const N = arg ? Number(arg) : process.argv.includes('--quick') ? 1000 : 5000;
const pgUrl = process.env.MAINSTAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const record = benchRun('queue', { quick: process.argv.includes('--quick') });

async function run(engine) {
  let database;
  let cleanup = async () => {};
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-bench-'));
    database = openDatabase({ sqlitePath: path.join(dir, 'bench.db') });
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
    database = openDatabase({ url: pgUrl, schema });
    cleanup = async () => {
      const d = new pg.Client({ connectionString: pgUrl });
      await d.connect();
      await d.query(`drop schema ${schema} cascade`);
      await d.end();
    };
  }
  await migrate(database, [{ module: 'queue', migrations: queueMigrations }]);
  const queue = new WorkQueue({ database, clock: systemClock, owner: 'bench' });
  let t = performance.now();
  for (let i = 0; i < N; i++) await queue.enqueue('bench', { i }, { idempotencyKey: `k${i}` });
  const enqueueMs = performance.now() - t;
  t = performance.now();
  let done = 0;
  for (;;) {
    const batch = await queue.claim(50);
    if (batch.length === 0) break;
    for (const task of batch) await queue.complete(task);
    done += batch.length;
  }
  const drainMs = performance.now() - t;
  await database.close();
  await cleanup();
  return {
    engine,
    n: N,
    enqueuePerSec: Math.round((N / enqueueMs) * 1000),
    drainPerSec: Math.round((done / drainMs) * 1000),
    done,
  };
}

const results = [];
for (const engine of ['sqlite', 'postgres']) {
  try {
    results.push(await run(engine));
  } catch (err) {
    results.push({ engine, error: err.message });
  }
}
// No target and no anchor (issue 2 names none; the tools Mainstay replaces have no standalone queue).
record.write(
  results.flatMap((r) => {
    const eng = r.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    if (r.error)
      return [{ id: `queue.${r.engine}`, figure: `work queue, ${eng}`, value: null, notes: `failed: ${r.error}` }];
    return [
      {
        id: `queue.${r.engine}.enqueue`,
        figure: `work queue: enqueue, one commit each (${eng})`,
        value: r.enqueuePerSec,
        unit: 'tasks/s',
        notes: `${r.n.toLocaleString('en')} tasks`,
      },
      {
        id: `queue.${r.engine}.drain`,
        figure: `work queue: claim(50) + complete (${eng})`,
        value: r.drainPerSec,
        unit: 'tasks/s',
      },
    ];
  }),
);
console.log(
  JSON.stringify(
    { bench: 'queue', machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model}`, node: process.version, results },
    null,
    2,
  ),
);
