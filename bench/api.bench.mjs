// API latency under a mixed load while checks run (issue "Prove the first loop", Benchmarks): p50/p95/
// p99 per request kind, per class (read, write) and overall, at 200 requests/s open loop, while
// 5,000 HTTP checks run in the same process; and the check rate the process keeps up meanwhile.
//
//   node bench/api.bench.mjs [--quick] [options]      (needs `npm run build`; `npm run bench` builds)
//
// Per engine (SQLite file, then PostgreSQL), on a fresh `mainstay serve` (built, MAINSTAY_LOG_LEVEL=warn):
//   1. a PagerDuty integration routed to a webhook receiver, 5,000 HTTP checks at a 30 s interval
//      (POST /api/v1/apply) against a local target server (bench/checks/target.mjs, its own process),
//      1,000 alerts (PagerDuty triggers) and 1,000 incidents (POST /api/v1/incidents) as data to read;
//   2. a settle period so every check has started;
//   3. the load (bench/api/loadgen.mjs, its own process): 200 requests/s, 70 % reads (check list pages
//      and filters, a check, its results and series, alert and incident lists, an alert, an incident)
//      and 30 % writes (PagerDuty events, check create/update/delete, alert and incident acks); see
//      MIX in the load generator. Latency counts from when each request was due.
//   4. meanwhile: check runs/s, schedule lag and skips from /metrics, results stored in the window
//      from the database, CPU of the server (and PostgreSQL's backends) from /proc.
// Target: p99 ≤ 100 ms overall and per class, all 200 requests/s answered, no errors, and the checks
// keep their rate (≥ 99 % of runs started and stored, schedule lag p99 ≤ 1 s). No anchor: none of the
// tools Mainstay replaces serves this API.
//
// Options (defaults: the full run, about 4 minutes for both engines):
//   --quick                      15 s of load, 5 s settle, 500 alerts, 300 incidents (about 2 minutes)
//   --engines=sqlite,postgres    --postgres-url=postgres://…  (a database mainstay_bench_api is created)
//   --checks=5000 --interval=30  --rate=200 --seconds=60 --warmup=5 --settle=15 --connections=64
//   --alerts=1000 --incidents=1000
//   --per-kind                   afterwards, each kind of request alone (--per-kind-rate=20/s for
//                                --per-kind-seconds=10): the server's CPU per request, less a window
//                                without requests; in the JSON summary and on stderr, not in the table
//   --keep --cpu-prof --dist=DIR (as in bench/alerts.bench.mjs)
import { fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHarness } from './alerts/harness.mjs';
import { cpuWindow, loadavg, log, memoryMiB, parseFlags, quantile, round, sleep, waitQuiet } from './alerts/procs.mjs';
import { loadProfile, summariseProfile } from './alerts/profile.mjs';
import { MIX } from './api/loadgen.mjs';
import { benchRun } from './results.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const flags = parseFlags();
const quick = flags.has('quick');
const num = (name, full, q) => Number(flags.get(name) ?? (quick ? q : full));
const cfg = {
  quick,
  engines: (flags.get('engines') ?? 'sqlite,postgres').split(',').filter(Boolean),
  checks: num('checks', 5000, 5000),
  interval: num('interval', 30, 30),
  rate: num('rate', 200, 200),
  seconds: num('seconds', 60, 15),
  warmup: num('warmup', 5, 3),
  settle: num('settle', 15, 5),
  connections: num('connections', 64, 64),
  alerts: num('alerts', 1000, 500),
  incidents: num('incidents', 1000, 300),
  postgresUrl:
    flags.get('postgres-url') ?? process.env.MAINSTAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  perKind: flags.has('per-kind'),
  perKindRate: num('per-kind-rate', 20, 20),
  perKindSeconds: num('per-kind-seconds', 10, 5),
  keep: flags.has('keep'),
  cpuProf: flags.has('cpu-prof'),
  dist: path.resolve(flags.get('dist') ?? path.join(root, 'dist')),
};
const P99_TARGET_MS = 100;
const BENCH_DB = 'mainstay_bench_api';
const run = benchRun('api', { quick });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-api-bench-'));
const h = createHarness({ tmp, keep: cfg.keep, cpuProf: cfg.cpuProf, dist: cfg.dist });
const { api, doc } = h;

// ---------------------------------------------------------------- helper processes

async function startTarget() {
  const child = h.track(
    spawn(process.execPath, [path.join(root, 'bench/checks/target.mjs'), '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
    'target server',
  );
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', () => reject(new Error('target server did not start')));
  });
  return { child, pid: child.pid, url: `http://127.0.0.1:${port}/` };
}

const loadgen = h.track(
  fork(path.join(root, 'bench/api/loadgen.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  'api load generator',
);
let callId = 0;
function loadgenRun(msg) {
  return new Promise((resolve, reject) => {
    const id = ++callId;
    const onMsg = (m) => {
      if (m.id !== id) return;
      loadgen.off('message', onMsg);
      if (m.ok) resolve(m);
      else reject(new Error(`load generator: ${m.error}`));
    };
    loadgen.on('message', onMsg);
    loadgen.send({ ...msg, cmd: 'run', id });
  });
}

// ---------------------------------------------------------------- PostgreSQL

async function pgAdmin(fn) {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: cfg.postgresUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function freshPostgresDb() {
  return pgAdmin(async (c) => {
    await c.query(`drop database if exists ${BENCH_DB} with (force)`);
    await c.query(`create database ${BENCH_DB}`);
    const v = await c.query('show server_version');
    const u = new URL(cfg.postgresUrl);
    u.pathname = `/${BENCH_DB}`;
    return { url: u.toString(), version: v.rows[0].server_version };
  });
}

function postgresPids() {
  const r = spawnSync('pgrep', ['-f', `postgres: .* ${BENCH_DB} `], { encoding: 'utf8' });
  return (r.stdout || '').split('\n').filter(Boolean).map(Number);
}

/** Check results stored with `at` in [from, to) (ms since the epoch). */
async function storedBetween(ms, engine, dbUrl, from, to) {
  const q = `select count(*) as n from check_results where at >= ${Math.floor(from)} and at < ${Math.floor(to)}`;
  if (engine === 'postgres') {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    try {
      return Number((await c.query(q)).rows[0].n);
    } finally {
      await c.end();
    }
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path.join(ms.dataDir, 'mainstay.db'), { readonly: true, fileMustExist: true });
  try {
    return Number(db.prepare(q).get().n);
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- /metrics

async function scrape(ms) {
  const text = await (await fetch(`${ms.base}/metrics`, { signal: AbortSignal.timeout(30000) })).text();
  const out = { buckets: [], runs: 0, skipped: 0 };
  for (const line of text.split('\n')) {
    if (line.startsWith('mainstay_check_schedule_lag_seconds_bucket')) {
      const le = /le="([^"]+)"/.exec(line)[1];
      out.buckets.push({
        le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le),
        n: Number(line.split(' ').at(-1)),
      });
    } else if (line.startsWith('mainstay_check_runs_total{')) out.runs += Number(line.split(' ').at(-1));
    else if (line.startsWith('mainstay_check_runs_skipped_total{')) out.skipped += Number(line.split(' ').at(-1));
  }
  return out;
}

// ---------------------------------------------------------------- one engine

/** Runs `fn(i)` for i in [0, n) with `width` at a time. */
async function pool(n, width, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

async function runEngine(engine, target) {
  const out = { engine };
  let databaseUrl;
  if (engine === 'postgres') {
    const db = await freshPostgresDb();
    databaseUrl = db.url;
    out.postgres = { database: BENCH_DB, version: db.version };
  }
  const ms = await h.startMainstay(`api-${engine}`, { databaseUrl });

  // Configuration: PagerDuty events → alerts grouped by component → a webhook to the target server.
  await api(ms, 'POST', '/api/v1/apply', {
    documents: [
      doc('Integration', 'pd', { type: 'pagerduty', rateLimitPerMinute: 0 }),
      doc('Receiver', 'sink', { webhooks: [{ url: `${target.url}hook`, sendResolved: false }] }),
      doc('Route', 'root', {
        receiver: 'sink',
        groupBy: ['component'],
        groupWait: '1s',
        groupInterval: '5m',
        repeatInterval: '4h',
      }),
    ],
  });
  const routingKey = JSON.parse(await api(ms, 'POST', '/api/v1/integrations/pd/key')).key;

  let t = performance.now();
  const docs = Array.from({ length: cfg.checks }, (_, i) => ({
    document: {
      apiVersion: 'mainstay/v1',
      kind: 'Check',
      metadata: { name: `c${String(i + 1).padStart(5, '0')}`, labels: { bench: 'api' } },
      spec: { kind: 'http', intervalSeconds: cfg.interval, timeoutSeconds: 5, target: { url: target.url } },
    },
  }));
  for (let i = 0; i < docs.length; i += 5000)
    await api(ms, 'POST', '/api/v1/apply', { documents: docs.slice(i, i + 5000) });
  out.setup = { applyChecksMs: Math.round(performance.now() - t) };
  log(`api-${engine}: ${cfg.checks} checks applied in ${out.setup.applyChecksMs} ms`);

  t = performance.now();
  await pool(cfg.incidents, 4, (i) =>
    api(ms, 'POST', '/api/v1/incidents', {
      title: `bench incident ${i + 1}: checkout latency above SLO`,
      severity: ['SEV1', 'SEV2', 'SEV3', 'SEV4'][i % 4],
      labels: { service: `svc-${i % 10}` },
    }),
  );
  out.setup.incidentsMs = Math.round(performance.now() - t);
  t = performance.now();
  await pool(cfg.alerts, 8, async (i) => {
    const r = await fetch(`${ms.base}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: `api-${i}`,
        payload: {
          summary: `api bench: api-${i}`,
          source: `api-${i}.example.com`,
          severity: 'error',
          component: `component-${i % 20}`,
        },
      }),
    });
    if (r.status !== 202) throw new Error(`seed alert: ${r.status} ${await r.text()}`);
  });
  out.setup.alertsMs = Math.round(performance.now() - t);
  const alertIds = [];
  for (let offset = 0; ; offset += 500) {
    const page = JSON.parse(await api(ms, 'GET', `/api/v1/alerts?limit=500&offset=${offset}`));
    alertIds.push(...page.items.map((a) => a.id));
    if (page.items.length < 500) break;
  }
  log(
    `api-${engine}: ${cfg.incidents} incidents in ${out.setup.incidentsMs} ms, ${alertIds.length} alerts in ${out.setup.alertsMs} ms; settling ${cfg.settle} s`,
  );
  await sleep(cfg.settle * 1000);
  let idleCores;
  if (cfg.perKind) {
    const w = cpuWindow({ mainstay: ms.pid });
    await sleep(5000);
    idleCores = w.end().cores.mainstay;
    log(`api-${engine}: ${idleCores} cores without requests`);
  }

  // The measured window: the load generator's warm-up, then `seconds` recorded.
  const pids = () => ({
    mainstay: ms.pid,
    loadgen: loadgen.pid,
    target: target.pid,
    ...(engine === 'postgres' ? Object.fromEntries(postgresPids().map((p, i) => [`pg${i}`, p])) : {}),
  });
  const load0 = loadavg();
  const loads = [load0[0]];
  const sampler = setInterval(() => loads.push(loadavg()[0]), 5000);
  const loadOpts = {
    host: '127.0.0.1',
    port: ms.port,
    token: ms.token,
    routingKey,
    rate: cfg.rate,
    seconds: cfg.seconds,
    warmupSeconds: cfg.warmup,
    connections: cfg.connections,
    maxQueue: cfg.rate * 5,
    checks: cfg.checks,
    checkPrefix: 'c',
    createPrefix: 'loadgen-',
    interval: cfg.interval,
    targetUrl: target.url,
    pdKeys: cfg.alerts,
    alertIds,
    incidents: cfg.incidents,
    seed: 42,
  };
  const loadP = loadgenRun(loadOpts);
  await sleep(cfg.warmup * 1000);
  if (ms.profDir) h.span(ms, 'load');
  const m0 = await scrape(ms);
  const wall0 = Date.now();
  const w = cpuWindow(pids());
  const res = await loadP;
  const c = w.end();
  const wall1 = Date.now();
  const m1 = await scrape(ms);
  if (ms.profDir) h.span(ms, 'load');
  clearInterval(sampler);
  loads.push(loadavg()[0]);
  await sleep(3000); // results of runs inside the window are flushed every 250 ms
  const seconds = (wall1 - wall0) / 1000;
  const stored = await storedBetween(ms, engine, databaseUrl, wall0, wall1);
  const buckets = m1.buckets.map((b, i) => ({ le: b.le, n: b.n - (m0.buckets[i]?.n ?? 0) }));
  const observed = buckets.at(-1)?.n ?? 0;
  const within1s = buckets.find((b) => b.le === 1)?.n ?? 0;
  const pgCores = Object.entries(c.cores)
    .filter(([k]) => k.startsWith('pg'))
    .reduce((a, [, v]) => a + (Number.isFinite(v) ? v : 0), 0);
  const checksOffered = cfg.checks / cfg.interval;
  out.load = res;
  out.checks = {
    checks: cfg.checks,
    intervalSeconds: cfg.interval,
    offeredPerSec: round(checksOffered, 1),
    startedPerSec: round((m1.runs - m0.runs) / seconds, 1),
    storedPerSec: round(stored / seconds, 1),
    skipped: m1.skipped - m0.skipped,
    lagMs: { p50: round(quantile(0.5, buckets) * 1000, 1), p99: round(quantile(0.99, buckets) * 1000, 1) },
    shareWithin1s: observed ? round(within1s / observed, 5) : null,
  };
  out.cpu = {
    mainstayCores: c.cores.mainstay,
    loadgenCores: c.cores.loadgen,
    targetCores: c.cores.target,
    ...(engine === 'postgres' ? { postgresCores: round(pgCores, 3) } : {}),
    machineBusyCores: c.machineBusyCores,
    otherCores: c.otherCores,
  };
  out.loadavg1 = { start: load0[0], max: Math.max(...loads), end: loads.at(-1) };
  out.rssMiB = memoryMiB(ms.pid);
  if (cfg.perKind) out.perKind = await perKind(ms, loadOpts, idleCores);
  const totals = JSON.parse(await api(ms, 'GET', '/api/v1/checks?limit=1')).total;
  out.checksAtEnd = totals;
  const stderr = ms.stderr.join('').trim();
  if (stderr) out.stderrTail = stderr.split('\n').slice(-10);
  await h.stopChild(ms.child);
  if (ms.profDir) out.profile = summariseProfile(loadProfile(ms.profDir), root, { window: ms.windows.load, top: 30 });
  if (engine === 'postgres' && !cfg.keep)
    await pgAdmin((c2) => c2.query(`drop database if exists ${BENCH_DB} with (force)`));
  log(
    `api-${engine}: ${round(res.completedPerSec, 1)} req/s, p50/p95/p99 ${fmt(res.overall)} ms (reads ${fmt(res.classes.read)}, writes ${fmt(res.classes.write)}), ` +
      `${res.errors} errors, ${res.dropped} dropped, ${res.unanswered} unanswered; checks ${out.checks.startedPerSec}/s started, ${out.checks.storedPerSec}/s stored of ${out.checks.offeredPerSec}/s, ` +
      `lag p99 ${out.checks.lagMs.p99} ms; mainstay ${out.cpu.mainstayCores} cores; load ${out.loadavg1.start} → ${out.loadavg1.max} → ${out.loadavg1.end}`,
  );
  return out;
}

/**
 * Diagnostics (--per-kind): the server's CPU per request of each kind, one kind at a time at a low
 * rate, less the CPU of a window without requests (the checks running, the sync pass).
 */
async function perKind(ms, loadOpts, idleCores) {
  const seconds = cfg.perKindSeconds;
  // The mixed load leaves work behind (results and states to write): wait until the server is back
  // near its CPU before the load, so that the baseline is the checks' own cost.
  const settle = () => waitQuiet(ms.pid, { cores: idleCores + 0.05, windowMs: 2000, timeoutMs: 60_000 });
  await settle();
  const w0 = cpuWindow({ mainstay: ms.pid });
  await sleep(seconds * 1000);
  const baseline = w0.end().cores.mainstay;
  const out = {
    ratePerSec: cfg.perKindRate,
    seconds,
    idleCoresBeforeLoad: idleCores,
    baselineCores: baseline,
    kinds: {},
  };
  for (const m of MIX) {
    await settle();
    const w = cpuWindow({ mainstay: ms.pid });
    const r = await loadgenRun({
      ...loadOpts,
      mix: [{ ...m, weight: 1 }],
      rate: cfg.perKindRate,
      seconds,
      warmupSeconds: 1,
      seed: 7,
    });
    const cores = w.end().cores.mainstay;
    const k = r.kinds[m.kind] ?? Object.values(r.kinds)[0];
    out.kinds[m.kind] = {
      requests: k?.n ?? 0,
      cpuMsPerRequest: round(((cores - baseline) * 1000) / Math.max(1e-9, r.completedPerSec), 2),
      serviceMs: { p50: round(k?.serviceMs.p50, 1), p99: round(k?.serviceMs.p99, 1) },
      errors: r.errors,
    };
    log(`per kind ${m.kind}: ${JSON.stringify(out.kinds[m.kind])}`);
  }
  return out;
}

const fmt = (s) => (s ? `${round(s.p50, 1)}/${round(s.p95, 1)}/${round(s.p99, 1)}` : '-');

// ---------------------------------------------------------------- results

function records(s) {
  const out = [];
  const mixText = `${MIX.filter((m) => m.cls === 'read').reduce((a, m) => a + m.weight, 0)} % reads`;
  for (const e of s.engines) {
    if (!e.load) {
      out.push({
        id: `api.${e.engine}.p99`,
        figure: `API p99 (${label(e.engine)})`,
        value: null,
        notes: `failed: ${e.error}`,
      });
      continue;
    }
    const L = e.load;
    const eng = label(e.engine);
    const slow = Object.entries(L.kinds)
      .sort((a, b) => b[1].ms.p99 - a[1].ms.p99)
      .slice(0, 3)
      .map(([k, v]) => `${k} ${round(v.ms.p99, 1)}`)
      .join(', ');
    const row = (id, figure, st, extraNotes) => ({
      id,
      figure,
      value: round(st.p99, 1),
      unit: 'ms',
      target: P99_TARGET_MS,
      targetOp: '<=',
      display: `p50/p95/p99 ${fmt(st)} ms (${st.n} requests)`,
      notes: extraNotes,
    });
    out.push(
      row(
        `api.${e.engine}.p99`,
        `API latency, all requests: ${cfg.rate}/s open loop (${mixText}) while ${cfg.checks.toLocaleString('en')} checks run, ${eng}`,
        L.overall,
        `from due time; slowest p99: ${slow} ms; Mainstay ${e.cpu.mainstayCores} cores${e.cpu.postgresCores !== undefined ? ` + PostgreSQL ${e.cpu.postgresCores}` : ''}, load avg ${e.loadavg1.start}→${e.loadavg1.max}`,
      ),
    );
    for (const cls of ['read', 'write'])
      if (L.classes[cls]) out.push(row(`api.${e.engine}.${cls}s.p99`, `… ${cls}s only, ${eng}`, L.classes[cls]));
    out.push({
      id: `api.${e.engine}.answered`,
      figure: `… requests answered 2xx per second, ${eng}`,
      value: round(((L.overall.n - L.errors) / Math.max(1, L.overall.n)) * L.completedPerSec, 1),
      unit: '/s',
      target: cfg.rate,
      targetOp: '>=',
      pass:
        L.duePerSec >= 0.99 * cfg.rate &&
        L.overall.n >= 0.99 * L.duePerSec * L.seconds &&
        L.errors === 0 &&
        L.dropped === 0 &&
        L.unanswered === 0,
      display: `${round(L.completedPerSec, 1)}/s answered (${round(L.duePerSec, 1)}/s due), ${L.errors} errors, ${L.dropped} dropped, ${L.unanswered} unanswered`,
    });
    const C = e.checks;
    out.push({
      id: `api.${e.engine}.checks`,
      figure: `… check runs per second meanwhile (${cfg.checks.toLocaleString('en')} HTTP checks at ${cfg.interval} s), ${eng}`,
      value: C.startedPerSec,
      unit: '/s',
      target: C.offeredPerSec,
      targetOp: '>=',
      pass:
        C.startedPerSec >= 0.99 * C.offeredPerSec &&
        C.storedPerSec >= 0.99 * C.offeredPerSec &&
        (C.shareWithin1s ?? 0) >= 0.99,
      display: `${C.startedPerSec}/s started, ${C.storedPerSec}/s stored; lag p50/p99 ${C.lagMs.p50}/${C.lagMs.p99} ms, ${C.skipped} skipped`,
      notes: 'target: the offered rate, every result stored, schedule lag p99 ≤ 1 s',
    });
  }
  return out;
}

const label = (engine) => (engine === 'sqlite' ? 'SQLite' : 'PostgreSQL');

// ---------------------------------------------------------------- run

const summary = {
  bench: 'api',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: round(os.totalmem() / 2 ** 30, 1) },
  loadavgAtStart: loadavg(),
  config: cfg,
  targetP99Ms: P99_TARGET_MS,
  mix: MIX,
  engines: [],
};
try {
  const target = await startTarget();
  for (const engine of cfg.engines) {
    try {
      summary.engines.push(await runEngine(engine, target));
    } catch (err) {
      log(`api-${engine} failed: ${err.stack ?? err}`);
      summary.engines.push({ engine, error: err.message });
      process.exitCode = 1;
    }
    await waitQuiet(target.pid, { cores: 0.05, timeoutMs: 10000 });
  }
  target.child.expectedExit = true;
  await h.stopChild(target.child);
  summary.loadavgAtEnd = loadavg();
  // Per-kind table on stderr.
  for (const e of summary.engines.filter((x) => x.load)) {
    process.stderr.write(`\n${label(e.engine)}: kind, class, req/s, p50/p95/p99/max ms (from due time), non-2xx\n`);
    for (const [k, v] of Object.entries(e.load.kinds))
      process.stderr.write(
        `  ${k.padEnd(22)} ${v.cls.padEnd(6)} ${round(v.perSec, 1).toString().padStart(6)}  ${fmt(v.ms)}/${round(v.ms.max, 1)}  ${v.errors}${v.repeats ? ` (${v.repeats} repeated acks)` : ''}\n`,
      );
    if (e.perKind) {
      process.stderr.write(
        `${label(e.engine)}, one kind at a time at ${e.perKind.ratePerSec}/s: server CPU ms per request (less ${e.perKind.baselineCores} cores without requests), service p50/p99 ms\n`,
      );
      for (const [k, v] of Object.entries(e.perKind.kinds))
        process.stderr.write(
          `  ${k.padEnd(22)} ${String(v.cpuMsPerRequest).padStart(7)}  ${v.serviceMs.p50}/${v.serviceMs.p99}\n`,
        );
    }
  }
  run.write(records(summary), { config: { ...cfg, dist: undefined }, targetP99Ms: P99_TARGET_MS });
} catch (err) {
  summary.error = err.stack ?? String(err);
  process.exitCode = 1;
}
console.log(JSON.stringify(summary, null, 2));
loadgen.expectedExit = true;
h.driver.expectedExit = true;
h.cleanup();
process.exit(process.exitCode ?? 0);
