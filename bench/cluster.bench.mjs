// Two instances on one PostgreSQL against one (issue "Prove the first loop"): the check rate each
// sustains with the same checks, and how long a killed instance's checks take to move.
//
//   node bench/cluster.bench.mjs [--quick] [--checks=15000] [--interval=5] [--window=60] [--warmup=20]
//
// Phases, loopback only, one fresh PostgreSQL schema (MAINSTAY_BENCH_POSTGRES_URL or the local
// postgres://postgres@127.0.0.1:5432/test):
//   1. one `mainstay serve` runs N HTTP checks at the interval (offered rate N / interval per s);
//      after a warm-up, the results stored in a window give the sustained rate.
//   2. a second instance joins the same database; once the shards are split and a warm-up passed,
//      the same window again: the rate the pair sustains, and each instance's CPU.
//   3. the second instance is killed with SIGKILL: time until the first holds every shard again.
// The probed target is bench/checks/target.mjs in its own process. Progress on stderr; one JSON
// summary on stdout; `.bench-results/cluster.json` for `npm run bench`.
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { cpuSeconds, freePort, log, parseFlags, processGroup, round, sleep, waitFor } from './alerts/procs.mjs';
import { benchRun } from './results.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flags = parseFlags();
const quick = flags.has('quick');
const num = (name, full, q) => Number(flags.get(name) ?? (quick ? q : full));
const cfg = {
  checks: num('checks', 15000, 6000),
  interval: num('interval', 5, 5),
  windowSeconds: num('window', 60, 20),
  warmupSeconds: num('warmup', 20, 10),
  leaseSeconds: num('lease', 15, 15),
};
const PG = process.env.MAINSTAY_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = benchRun('cluster', { quick });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-cluster-bench-'));
const { track, stopChild, cleanup } = processGroup({ tmp });
const ADMIN = { email: 'bench@example.com', password: 'bench-password-1234' };
const running = [];
const schema = `bench_cluster_${Date.now().toString(36)}`;
const dbUrl = (() => {
  const u = new URL(PG);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
})();

async function startTarget() {
  const child = track(
    fork(path.join(root, 'bench/checks/target.mjs'), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] }),
    'target',
  );
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  return `http://127.0.0.1:${port}/`;
}

async function startInstance(name) {
  const port = await freePort();
  const child = track(
    spawn(
      process.execPath,
      [path.join(root, 'dist/server/cli/main.js'), 'serve', '--port', String(port), '--data-dir', path.join(tmp, name)],
      {
        cwd: tmp,
        env: {
          ...process.env,
          MAINSTAY_DATABASE_URL: dbUrl,
          MAINSTAY_SECRET_KEY: 'cluster-bench-secret-key-0123456789abcdef',
          MAINSTAY_ADMIN_EMAIL: ADMIN.email,
          MAINSTAY_ADMIN_PASSWORD: ADMIN.password,
          MAINSTAY_INSTANCE_ID: name,
          MAINSTAY_CLUSTER_LEASE_SECONDS: String(cfg.leaseSeconds),
          MAINSTAY_LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    ),
    `mainstay ${name}`,
  );
  running.push(child);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/readyz`, 120_000);
  return { name, child, pid: child.pid, base };
}

async function token(base) {
  const r = await fetch(`${base}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...ADMIN, name: 'bench', scope: 'admin' }),
  });
  if (r.status !== 201) throw new Error(`token: ${r.status} ${await r.text()}`);
  return (await r.json()).token;
}

async function applyChecks(base, tok, url) {
  const t = performance.now();
  for (let i = 0; i < cfg.checks; i += 500) {
    const documents = [];
    for (let j = i; j < Math.min(cfg.checks, i + 500); j++)
      documents.push({
        document: {
          apiVersion: 'mainstay/v1',
          kind: 'Check',
          metadata: { name: `c${j}` },
          spec: { kind: 'http', intervalSeconds: cfg.interval, timeoutSeconds: 4, target: { url } },
        },
      });
    const r = await fetch(`${base}/api/v1/apply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
      body: JSON.stringify({ documents }),
      signal: AbortSignal.timeout(300_000),
    });
    if (!r.ok) throw new Error(`apply: ${r.status} ${(await r.text()).slice(0, 300)}`);
  }
  return Math.round(performance.now() - t);
}

/** Results stored per second over a window, and each instance's CPU share (cores) meanwhile. */
async function measure(client, instances) {
  await sleep(cfg.warmupSeconds * 1000);
  const cpu0 = instances.map((i) => cpuSeconds(i.pid));
  const t0 = Date.now();
  await sleep(cfg.windowSeconds * 1000);
  const t1 = Date.now();
  const cpu1 = instances.map((i) => cpuSeconds(i.pid));
  // Results land up to 250 ms after their run; give the last flush a moment.
  await sleep(1500);
  const { rows } = await client.query(
    `select count(*)::int n from ${schema}.check_results where at >= $1 and at < $2`,
    [t0, t1],
  );
  const seconds = (t1 - t0) / 1000;
  const scheduler = {};
  for (const inst of instances) {
    const text = await (await fetch(`${inst.base}/metrics`)).text();
    scheduler[inst.name] = Object.fromEntries(
      text
        .split('\n')
        .filter((l) => /^mainstay_check_(runs_total|runs_skipped_total|concurrency_limit|runs_in_flight)/.test(l))
        .map((l) => {
          const i = l.lastIndexOf(' ');
          return [l.slice(0, i), Number(l.slice(i + 1))];
        }),
    );
  }
  log(`scheduler: ${JSON.stringify(scheduler)}`);
  return {
    scheduler,
    rate: rows[0].n / seconds,
    cores: instances.map((inst, k) => ({ instance: inst.name, cores: round((cpu1[k] - cpu0[k]) / seconds, 2) })),
  };
}

async function main() {
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  await client.query(`create schema ${schema}`);
  try {
    const url = await startTarget();
    const a = await startInstance('a');
    const tok = await token(a.base);
    const applyMs = await applyChecks(a.base, tok, url);
    const offered = cfg.checks / cfg.interval;
    log(`applied ${cfg.checks} checks at ${cfg.interval} s (offered ${offered}/s) in ${applyMs} ms`);
    const one = await measure(client, [a]);
    log(`one instance: ${round(one.rate)} checks/s (${JSON.stringify(one.cores)})`);

    const b = await startInstance('b');
    for (let i = 0; i < 120; i++) {
      const { rows } = await client.query(
        `select count(distinct owner)::int n from ${schema}.cluster_shards where owner is not null`,
      );
      if (rows[0].n === 2) break;
      await sleep(500);
    }
    const two = await measure(client, [a, b]);
    log(`two instances: ${round(two.rate)} checks/s (${JSON.stringify(two.cores)})`);

    b.child.expectedExit = true;
    b.child.kill('SIGKILL');
    const killedAt = Date.now();
    let takeoverMs = null;
    while (Date.now() - killedAt < 120_000) {
      const { rows } = await client.query(`select count(*)::int n from ${schema}.cluster_shards where owner = 'a'`);
      if (rows[0].n === 64) {
        takeoverMs = Date.now() - killedAt;
        break;
      }
      await sleep(200);
    }
    log(`kill -9 of b: a held every shard again after ${takeoverMs} ms (lease ${cfg.leaseSeconds} s)`);

    const ratio = round(two.rate / one.rate, 2);
    const results = [
      {
        id: 'cluster.one',
        figure: `Check rate, one instance on PostgreSQL (${cfg.checks} checks at ${cfg.interval} s, offered ${offered}/s)`,
        value: round(one.rate),
        unit: 'checks/s',
        display: `${round(one.rate)}/s of ${offered}/s offered`,
      },
      {
        id: 'cluster.two',
        figure: 'Check rate, two instances on one PostgreSQL (same checks)',
        value: round(two.rate),
        unit: 'checks/s',
        anchorName: 'one instance',
        anchorValue: round(one.rate),
        ratio,
        target: 1.2,
        targetOp: '>=',
        targetOn: 'ratio',
        display: `${round(two.rate)}/s (${two.cores.map((c) => `${c.instance} ${c.cores} cores`).join(', ')})`,
        notes: 'PostgreSQL, both instances, target server and the bench share the 2 cores',
      },
      {
        id: 'cluster.takeover',
        figure: 'Takeover after kill -9 of one of two instances',
        value: takeoverMs === null ? null : round(takeoverMs / 1000, 1),
        unit: 's',
        target: 30,
        targetOp: '<=',
        notes: `lease ${cfg.leaseSeconds} s; time until the survivor holds every shard`,
      },
    ];
    const file = run.write(results, { cfg, applyMs, one, two, takeoverMs });
    console.log(JSON.stringify({ cfg, offered, applyMs, one, two, ratio, takeoverMs, file }, null, 2));
  } finally {
    for (const c of [...running]) await stopChild(c);
    cleanup();
    await client.query(`drop schema if exists ${schema} cascade`).catch(() => {});
    await client.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
