// Synthetic checks at scale (issue "Synthetic checks at 10,000-check scale"), with the Prometheus
// blackbox exporter probing the same target at the same rates in the same run.
//
//   node bench/checks.bench.mjs [--quick] [options]      (needs `npm run build`; `npm run bench` builds)
//
// Phases, each on loopback only:
//   A. 10,000 HTTP checks at a 30 s interval for 5 minutes: achieved rate, schedule lag p50/p99, CPU
//      per check, RSS, database bytes per check per day; then the check list API with those checks.
//   B. A rate ladder (5 s interval; 1,000 … 5,000 checks/s): per step the achieved and stored rate,
//      lag, skipped slots, CPU per check; the highest step with lag p99 ≤ 1 s and no overload skips.
//   C. The blackbox exporter (Debian package prometheus-blackbox-exporter) driven by a load generator
//      in its own process at the rate of A and of every step of B, for CPU per probe side by side.
// Mainstay runs first and is stopped before the exporter starts, so the two never share the CPU.
// The probed target is a bare Node HTTP server in its own process; CPU is read from /proc/<pid>/stat
// of the serve process and of the exporter. One JSON summary is printed on stdout at the end;
// progress goes to stderr.
//
// Options (defaults are the full run, about 16 minutes on 2 cores):
//   --quick                  ~2.5-minute smoke version
//   --checks=10000 --interval=30 --phase-a-seconds=300 --phase-a-warmup=20
//   --api-requests=200       requests per list-API variant
//   --rates=1000,2000,3000,3500,4000,5000 --step-seconds=45 --step-warmup=10
//   --bbx-phase-a-seconds=60 --bbx-warmup=5
//   --bbx-all-steps          keep stepping the exporter after it saturates (default: stop after the
//                            first step at or above 3,500/s where probes are dropped at the load
//                            generator's in-flight cap: beyond saturation it only drops more)
//   --concurrency=N          MAINSTAY_CHECK_CONCURRENCY for the serve process
//   --skip=phase-a,api,ladder,blackbox
//   --cpu-prof               run the serve process under `node --cpu-prof`; the summary lists the top
//                            self-time functions and the profile file is kept
//   --keep                   keep the temporary directory (database, exporter config)
import { execFileSync, fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  adminToken,
  cpuSeconds,
  freePort,
  loadavg,
  log,
  parseFlags,
  processGroup,
  quantile,
  sleep,
  waitFor,
} from './alerts/procs.mjs';
import { benchRun } from './results.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const here = path.join(root, 'bench', 'checks');

// ---------------------------------------------------------------- options

const flags = parseFlags();
const quick = flags.has('quick');
const num = (name, full, q) => Number(flags.get(name) ?? (quick ? q : full));
const cfg = {
  quick,
  checks: num('checks', 10000, 10000),
  interval: num('interval', 30, 30),
  phaseASeconds: num('phase-a-seconds', 300, 30),
  phaseAWarmup: num('phase-a-warmup', 20, 10),
  apiRequests: num('api-requests', 200, 50),
  rates: (flags.get('rates') ?? (quick ? '1000,3500' : '1000,2000,3000,3500,4000,5000'))
    .split(',')
    .map(Number)
    .sort((a, b) => a - b),
  stepSeconds: num('step-seconds', 45, 15),
  stepWarmup: num('step-warmup', 10, 5),
  bbxPhaseASeconds: num('bbx-phase-a-seconds', 60, 15),
  bbxWarmup: num('bbx-warmup', 5, 3),
  bbxAllSteps: flags.has('bbx-all-steps'),
  concurrency: flags.has('concurrency') ? Number(flags.get('concurrency')) : undefined,
  skip: new Set((flags.get('skip') ?? '').split(',').filter(Boolean)),
  cpuProf: flags.has('cpu-prof'),
  keep: flags.has('keep'),
};
const MIN_INTERVAL = 5;
const LADDER_TIMEOUT = 4; // timeoutSeconds must be shorter than a 5 s interval
const APPLY_BATCH = 5000;
const SAMPLE_MS = 5000;
const record = benchRun('checks', { quick });

// ---------------------------------------------------------------- process bookkeeping

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-checks-bench-'));
const { track, stopChild, cleanup } = processGroup({ tmp, keep: cfg.keep });

// ---------------------------------------------------------------- /proc readings

/** VmRSS and VmHWM (peak) in bytes. */
function memory(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? Number.NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: Number.NaN, hwm: Number.NaN };
  }
}

/** Whole-machine jiffies: busy (everything but idle and iowait), steal, total. */
function machineTimes() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], steal: f[7] ?? 0, total };
}

// ---------------------------------------------------------------- the probed target

async function startTarget() {
  const child = track(
    spawn(process.execPath, [path.join(here, 'target.mjs'), '0'], { stdio: ['ignore', 'pipe', 'inherit'] }),
    'target server',
  );
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', () => reject(new Error('target server did not start')));
  });
  return { child, pid: child.pid, port, url: `http://127.0.0.1:${port}/` };
}

// ---------------------------------------------------------------- Mainstay

const ADMIN = { email: 'bench@example.com', password: 'bench-password-1234' };

async function startMainstay(dirName) {
  const port = await freePort();
  const dataDir = path.join(tmp, dirName);
  const profDir = cfg.cpuProf ? fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-checks-prof-')) : undefined;
  const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const env = {
    ...process.env,
    MAINSTAY_ADMIN_EMAIL: ADMIN.email,
    MAINSTAY_ADMIN_PASSWORD: ADMIN.password,
    MAINSTAY_LOG_LEVEL: 'warn',
    ...(cfg.concurrency ? { MAINSTAY_CHECK_CONCURRENCY: String(cfg.concurrency) } : {}),
  };
  const child = track(
    spawn(
      process.execPath,
      [...nodeArgs, path.join(root, 'dist/server/cli/main.js'), 'serve', '--port', String(port), '--data-dir', dataDir],
      { cwd: tmp, env, stdio: ['ignore', 'ignore', 'pipe'] },
    ),
    'mainstay serve',
  );
  const stderr = [];
  child.stderr.on('data', (d) => {
    if (stderr.length < 200) stderr.push(String(d));
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/readyz`);
  const token = await adminToken(base, ADMIN);
  return { child, pid: child.pid, base, token, dataDir, profDir, stderr, checks: [] };
}

async function api(ms, method, url, body) {
  const r = await fetch(`${ms.base}${url}`, {
    method,
    headers: { authorization: `Bearer ${ms.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(300000),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${text.slice(0, 500)}`);
  return text;
}

const checkDoc = (name, interval, url) => ({
  document: {
    apiVersion: 'mainstay/v1',
    kind: 'Check',
    metadata: { name },
    spec: {
      kind: 'http',
      intervalSeconds: interval,
      timeoutSeconds: Math.min(5, interval > MIN_INTERVAL ? 5 : LADDER_TIMEOUT),
      target: { url },
    },
  },
});

/** Applies checks (create or change interval) in batches; returns the wall time in ms. */
async function applyChecks(ms, list, url) {
  const t = performance.now();
  for (let i = 0; i < list.length; i += APPLY_BATCH) {
    const docs = list.slice(i, i + APPLY_BATCH).map((c) => checkDoc(c.name, c.interval, url));
    await api(ms, 'POST', '/api/v1/apply', { documents: docs });
  }
  return Math.round(performance.now() - t);
}

const offeredRate = (ms) => ms.checks.reduce((a, c) => a + 1 / c.interval, 0);

/**
 * Sets the check population so the offered rate is `rate` per second: longer intervals first, then more
 * checks at 5 s. With ascending rates on a fresh instance it only ever adds checks (re-applying a check
 * whose probe is in flight currently stops that check: see BENCHMARKS.md).
 */
async function setRate(ms, rate, url) {
  const n = ms.checks.length;
  const changed = [];
  if (n >= MIN_INTERVAL * rate) {
    const interval = Math.max(MIN_INTERVAL, Math.round(n / rate));
    for (const c of ms.checks) {
      if (c.interval !== interval) {
        c.interval = interval;
        changed.push(c);
      }
    }
  } else {
    for (const c of ms.checks) {
      if (c.interval !== MIN_INTERVAL) {
        c.interval = MIN_INTERVAL;
        changed.push(c);
      }
    }
    for (let i = n; i < MIN_INTERVAL * rate; i++) {
      const c = { name: `c${String(i + 1).padStart(5, '0')}`, interval: MIN_INTERVAL };
      ms.checks.push(c);
      changed.push(c);
    }
  }
  const applyMs = await applyChecks(ms, changed, url);
  return { applied: changed.length, applyMs };
}

/** Metrics the bench reads from /metrics. */
async function scrape(ms) {
  const text = await (await fetch(`${ms.base}/metrics`, { signal: AbortSignal.timeout(30000) })).text();
  const out = { buckets: [], runs: 0, skipped: { overlap: 0, overload: 0 }, limit: Number.NaN };
  for (const line of text.split('\n')) {
    if (line.startsWith('mainstay_check_schedule_lag_seconds_bucket')) {
      const le = /le="([^"]+)"/.exec(line)[1];
      out.buckets.push({
        le: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le),
        n: Number(line.split(' ').at(-1)),
      });
    } else if (line.startsWith('mainstay_check_runs_total{')) {
      out.runs += Number(line.split(' ').at(-1));
    } else if (line.startsWith('mainstay_check_runs_skipped_total{')) {
      const reason = /reason="([^"]+)"/.exec(line)[1];
      out.skipped[reason] = Number(line.split(' ').at(-1));
    } else if (line.startsWith('mainstay_check_concurrency_limit ')) {
      out.limit = Number(line.split(' ').at(-1));
    }
  }
  return out;
}

// ---------------------------------------------------------------- SQLite (read-only, beside the running server)

const haveSqlite3 = spawnSync('sqlite3', ['-version']).status === 0;
let Better;
async function sql(dbFile, query) {
  if (haveSqlite3) {
    const out = execFileSync('sqlite3', ['-readonly', '-separator', '\t', dbFile, query], { maxBuffer: 64 << 20 });
    return out
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'));
  }
  Better ??= (await import('better-sqlite3')).default;
  const db = new Better(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(query)
      .raw()
      .all()
      .map((r) => r.map(String));
  } finally {
    db.close();
  }
}

const dbFile = (ms) => path.join(ms.dataDir, 'mainstay.db');

/** Bytes of the results and rollup tables (with their indexes), from dbstat; file sizes too. */
async function dbBytes(ms) {
  const rows = await sql(
    dbFile(ms),
    `select m.tbl_name, sum(d.pgsize) from dbstat d join sqlite_master m on m.name = d.name group by m.tbl_name`,
  );
  const by = Object.fromEntries(rows.map(([t, n]) => [t, Number(n)]));
  const size = (f) => {
    try {
      return fs.statSync(path.join(ms.dataDir, f)).size;
    } catch {
      return 0;
    }
  };
  return {
    results: by.check_results ?? 0,
    rollups: Object.entries(by)
      .filter(([t]) => t.startsWith('check_rollup_'))
      .reduce((a, [, n]) => a + n, 0),
    checkTables: Object.entries(by)
      .filter(([t]) => t.startsWith('check'))
      .reduce((a, [, n]) => a + n, 0),
    file: size('mainstay.db'),
    wal: size('mainstay.db-wal'),
  };
}

async function storedBetween(ms, from, to) {
  const [[n, ok]] = await sql(
    dbFile(ms),
    `select count(*), coalesce(sum(ok), 0) from check_results where at >= ${Math.floor(from)} and at < ${Math.floor(to)}`,
  );
  return { rows: Number(n), ok: Number(ok) };
}

// ---------------------------------------------------------------- measurement windows

/** Samples CPU of the given processes, the machine and load over `seconds`; `extra` hooks add Mainstay or exporter figures. */
async function measure(seconds, pids, { onSample } = {}) {
  const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const self0 = process.cpuUsage();
  const m0 = machineTimes();
  const load0 = loadavg();
  const t0 = performance.now();
  const wall0 = Date.now();
  const loads = [load0[0]];
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(SAMPLE_MS, end - performance.now()));
    loads.push(loadavg()[0]);
    if (onSample) await onSample();
  }
  const elapsed = (performance.now() - t0) / 1000;
  const wall1 = Date.now();
  const m1 = machineTimes();
  const cores = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, (cpuSeconds(pid) - cpu0[k]) / elapsed]));
  const self = process.cpuUsage(self0);
  const benchCores = (self.user + self.system) / 1e6 / elapsed;
  const ncpu = os.cpus().length;
  const machineCores = ((m1.busy - m0.busy) / (m1.total - m0.total)) * ncpu;
  const ours = Object.values(cores).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0) + benchCores;
  return {
    seconds: elapsed,
    wall0,
    wall1,
    cores,
    machine: {
      busyCores: round(machineCores, 2),
      otherCores: round(Math.max(0, machineCores - ours), 2),
      stealPct: round(((m1.steal - m0.steal) / (m1.total - m0.total)) * 100, 1),
      loadavg1: { start: load0[0], max: Math.max(...loads), end: loads.at(-1) },
    },
  };
}

function round(x, d = 0) {
  if (x === null || x === undefined || !Number.isFinite(x)) return x ?? null;
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** One Mainstay window: metrics deltas, CPU per check, lag, skips, stored rows, memory. */
async function mainstayWindow(ms, target, seconds) {
  const a = await scrape(ms);
  let minLimit = a.limit;
  let maxRss = memory(ms.pid).rss;
  const w = await measure(
    seconds,
    { mainstay: ms.pid, target: target.pid },
    {
      onSample: async () => {
        maxRss = Math.max(maxRss, memory(ms.pid).rss);
        const s = await scrape(ms);
        minLimit = Math.min(minLimit, s.limit);
      },
    },
  );
  const b = await scrape(ms);
  minLimit = Math.min(minLimit, b.limit);
  await sleep(3000); // results of runs planned inside the window are flushed every 250 ms
  const stored = await storedBetween(ms, w.wall0, w.wall1);
  const runs = b.runs - a.runs;
  const buckets = b.buckets.map((x, i) => ({ le: x.le, n: x.n - (a.buckets[i]?.n ?? 0) }));
  const le1 = buckets.find((x) => x.le === 1)?.n ?? 0;
  const observed = buckets.at(-1)?.n ?? 0;
  const mem = memory(ms.pid);
  return {
    seconds: round(w.seconds, 1),
    offeredPerSec: round(offeredRate(ms), 1),
    achievedPerSec: round(runs / w.seconds, 1),
    storedPerSec: round(stored.rows / w.seconds, 1),
    okShare: stored.rows ? round(stored.ok / stored.rows, 4) : null,
    lagSeconds: {
      p50: round(quantile(0.5, buckets), 4),
      p99: round(quantile(0.99, buckets), 4),
      p999: round(quantile(0.999, buckets), 4),
      shareWithin1s: observed ? round(le1 / observed, 5) : null,
    },
    skipped: { overlap: b.skipped.overlap - a.skipped.overlap, overload: b.skipped.overload - a.skipped.overload },
    concurrencyLimitMin: minLimit,
    cpuMsPerCheck: round((w.cores.mainstay * w.seconds * 1000) / runs, 3),
    mainstayCores: round(w.cores.mainstay, 3),
    targetCores: round(w.cores.target, 3),
    rssMiB: round(maxRss / 2 ** 20, 1),
    peakRssMiB: round(mem.hwm / 2 ** 20, 1),
    machine: w.machine,
    _wall: [w.wall0, w.wall1],
    _stored: stored,
  };
}

// ---------------------------------------------------------------- blackbox exporter

const BBX = '/usr/bin/prometheus-blackbox-exporter';

function ensureBlackbox() {
  if (fs.existsSync(BBX)) return true;
  if (process.getuid?.() === 0) {
    log('installing prometheus-blackbox-exporter (apt-get)');
    const r = spawnSync('apt-get', ['install', '-y', 'prometheus-blackbox-exporter'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status === 0 && fs.existsSync(BBX)) return true;
  }
  log(`${BBX} is missing: run \`sudo apt-get install -y prometheus-blackbox-exporter\`; skipping the exporter`);
  return false;
}

async function startBlackbox(target) {
  const port = await freePort();
  const config = path.join(tmp, 'blackbox.yml');
  fs.writeFileSync(
    config,
    'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n',
  );
  const child = track(
    spawn(BBX, [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
    'blackbox exporter',
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/-/healthy`);
  const version = spawnSync(BBX, ['--version'], { encoding: 'utf8' });
  const probeUrl = `${base}/probe?module=http_2xx&target=${encodeURIComponent(target.url)}`;
  const gen = track(
    fork(path.join(here, 'loadgen.mjs'), [probeUrl, '2000', '5500'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
    'load generator',
  );
  return {
    child,
    pid: child.pid,
    gen,
    version: (version.stdout || version.stderr).split('\n')[0].trim(),
  };
}

function genWindow(gen) {
  return new Promise((resolve) => {
    gen.once('message', resolve);
    gen.send({ type: 'window' });
  });
}

/** One exporter window at `rate`: probes answered with probe_success 1, CPU per probe, latency. */
async function blackboxWindow(bbx, target, rate, warmup, seconds) {
  bbx.gen.send({ type: 'rate', rate });
  await sleep(warmup * 1000);
  await genWindow(bbx.gen);
  let maxRss = memory(bbx.pid).rss;
  const w = await measure(
    seconds,
    { blackbox: bbx.pid, loadgen: bbx.gen.pid, target: target.pid },
    {
      onSample: async () => {
        maxRss = Math.max(maxRss, memory(bbx.pid).rss);
      },
    },
  );
  const g = await genWindow(bbx.gen);
  return {
    seconds: round(w.seconds, 1),
    offeredPerSec: round(rate, 1),
    achievedPerSec: round(g.ok / w.seconds, 1),
    completedPerSec: round(g.completed / w.seconds, 1),
    failed: g.failed,
    dropped: g.dropped,
    inFlightAtEnd: g.inFlight,
    responseMs: { p50: round(g.latencyMs.p50, 2), p99: round(g.latencyMs.p99, 2), max: round(g.latencyMs.max, 1) },
    loadgenSendLagMs: { p99: round(g.sendLagMs.p99, 1), max: round(g.sendLagMs.max, 1) },
    cpuMsPerProbe: round((w.cores.blackbox * w.seconds * 1000) / Math.max(1, g.completed), 3),
    blackboxCores: round(w.cores.blackbox, 3),
    loadgenCores: round(w.cores.loadgen, 3),
    targetCores: round(w.cores.target, 3),
    rssMiB: round(maxRss / 2 ** 20, 1),
    machine: w.machine,
  };
}

// ---------------------------------------------------------------- list API

async function listApi(ms, n) {
  const variants = {
    page: '/api/v1/checks?limit=100',
    statusUp: '/api/v1/checks?status=up&limit=100',
    offset9000: `/api/v1/checks?limit=100&offset=${Math.max(0, ms.checks.length - 1000)}`,
  };
  const out = {};
  for (const [k, url] of Object.entries(variants)) {
    for (let i = 0; i < 10; i++) await api(ms, 'GET', url); // warm-up
    const times = [];
    let items = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const body = JSON.parse(await api(ms, 'GET', url));
      times.push(performance.now() - t);
      items = body.items.length;
      total = body.total;
    }
    times.sort((a, b) => a - b);
    const p = (q) => round(times[Math.min(times.length - 1, Math.floor(q * times.length))], 1);
    out[k] = { url, requests: n, items, total, p50Ms: p(0.5), p95Ms: p(0.95), maxMs: round(times.at(-1), 1) };
  }
  return out;
}

// ---------------------------------------------------------------- CPU profile summary

function summariseProfile(dir) {
  const file = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))[0];
  if (!file) return { error: `no .cpuprofile in ${dir}` };
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = prof.timeDeltas;
  let total = 0;
  prof.samples.forEach((id, i) => {
    const d = dt[i + 1] ?? 0;
    total += d;
    self.set(id, (self.get(id) ?? 0) + d);
  });
  const fns = new Map();
  const areas = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const short = url.replace(/^file:\/\//, '').replace(`${root}/`, '');
    const key = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + us);
    const area = !url
      ? functionName || '(native)'
      : url.includes('/node_modules/')
        ? `node_modules/${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)[1]}`
        : url.startsWith('node:')
          ? 'node: internals'
          : short.split('/').slice(0, 3).join('/');
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const top = (m, k) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: round((us / total) * 100, 1) }));
  return { file, totalMs: Math.round(total / 1000), topSelf: top(fns, 30), byArea: top(areas, 15) };
}

// ---------------------------------------------------------------- results for BENCHMARKS.md

/** The figures for BENCHMARKS.md's table (bench/results.mjs). */
function records(s) {
  const out = [];
  const A = s.phaseA?.mainstay;
  const B = s.phaseA?.blackbox;
  const anchorName = 'blackbox exporter';
  const n = cfg.checks.toLocaleString('en');
  if (A) {
    out.push(
      {
        id: 'checks.a.rate',
        figure: `${n} HTTP checks at ${cfg.interval} s for ${cfg.phaseASeconds} s: checks/s started and stored`,
        value: A.achievedPerSec,
        unit: '/s',
        target: round(A.offeredPerSec, 1),
        targetOp: '>=',
        pass: A.achievedPerSec >= 0.99 * A.offeredPerSec && A.storedPerSec >= 0.99 * A.offeredPerSec,
        display: `${A.achievedPerSec}/s started, ${A.storedPerSec}/s stored, ${round((A.okShare ?? 0) * 100, 1)} % ok`,
        anchorName,
        anchorValue: B?.achievedPerSec,
        anchorDisplay: B ? `${B.achievedPerSec} probes/s answered` : undefined,
        ratio: null,
      },
      {
        id: 'checks.a.lag',
        figure: '… schedule lag p99',
        value: round(A.lagSeconds.p99 * 1000, 1),
        unit: 'ms',
        target: 1000,
        targetOp: '<=',
        pass: (A.lagSeconds.shareWithin1s ?? 0) >= 0.99,
        display: `p50/p99 ${round(A.lagSeconds.p50 * 1000, 1)}/${round(A.lagSeconds.p99 * 1000, 1)} ms`,
        notes: 'the exporter has no scheduler',
      },
      {
        id: 'checks.a.cpu',
        figure: '… CPU per check',
        value: A.cpuMsPerCheck,
        unit: 'ms',
        target: 1,
        targetOp: '<=',
        targetOn: 'ratio',
        anchorName,
        anchorValue: B?.cpuMsPerProbe,
        display: `${A.cpuMsPerCheck} ms (${A.mainstayCores} cores)`,
        anchorDisplay: B ? `${B.cpuMsPerProbe} ms (${B.blackboxCores} cores)` : undefined,
        notes: 'Mainstay stores every result; the exporter stores nothing',
      },
      {
        id: 'checks.a.rss',
        figure: `… RSS with ${n} checks`,
        value: A.rssMiB,
        unit: 'MiB',
        target: 512,
        targetOp: '<=',
        anchorName,
        anchorValue: B?.rssMiB,
      },
      {
        id: 'checks.a.db',
        figure: `… database bytes per check per day (${cfg.interval} s interval)`,
        value: round(A.db.bytesPerCheckPerDay / 1000, 0),
        unit: 'kB',
        display: `${round(A.db.bytesPerCheckPerDay / 1000, 0)} kB (raw ${round(A.db.rawResultsBytesPerCheckPerDay / 1000, 0)} kB, rollups ${round(A.db.rollupBytesPerCheckPerDay / 1000, 0)} kB)`,
        notes: 'the exporter stores nothing',
      },
    );
  }
  if (s.ladder?.some((st) => st.mainstay)) {
    const H = s.highestSustained;
    out.push({
      id: 'checks.ladder.highest',
      figure: `highest sustained check rate (steps ${cfg.rates.join(', ')}/s; lag p99 ≤ 1 s, no overload skips, all stored)`,
      value: H.mainstay ?? 0,
      unit: '/s',
      display: H.mainstay ? undefined : 'none of the steps',
      target: 3500,
      targetOp: '>=',
      pass: (H.mainstay ?? 0) >= 3500 && (H.mainstay ?? 0) >= (H.blackbox ?? 0),
      anchorName,
      anchorValue: H.blackbox,
      anchorDisplay:
        H.blackbox !== null || H.blackboxMaxAchievedPerSec !== null
          ? `${H.blackbox ? `${H.blackbox}/s` : 'none of the steps'} (saturates at ${H.blackboxMaxAchievedPerSec}/s answered)`
          : undefined,
      notes: 'target: ≥ 3,500/s and ≥ the exporter',
    });
    const st = s.ladder.find((x) => x.rate === 3500) ?? s.ladder.at(-1);
    if (st?.mainstay)
      out.push({
        id: 'checks.ladder.cpu',
        figure: `CPU per check at ${st.rate.toLocaleString('en')}/s offered`,
        value: st.mainstay.cpuMsPerCheck,
        unit: 'ms',
        target: 1,
        targetOp: '<=',
        targetOn: 'ratio',
        anchorName,
        anchorValue: st.blackbox?.cpuMsPerProbe,
        display: `${st.mainstay.cpuMsPerCheck} ms (${st.mainstay.mainstayCores} cores; lag p99 ${round(st.mainstay.lagSeconds.p99 * 1000, 0)} ms)`,
        anchorDisplay: st.blackbox
          ? `${st.blackbox.cpuMsPerProbe} ms at ${st.blackbox.achievedPerSec}/s answered${st.blackbox.dropped ? ' (saturated)' : ''}`
          : undefined,
      });
  }
  for (const [k, v] of Object.entries(s.api ?? {}))
    out.push({
      id: `checks.api.${k}`,
      figure: `\`GET ${v.url}\` with ${v.total.toLocaleString('en')} checks, p95`,
      value: v.p95Ms,
      unit: 'ms',
      target: 100,
      targetOp: '<=',
      display: `p50/p95 ${v.p50Ms}/${v.p95Ms} ms`,
    });
  return out;
}

// ---------------------------------------------------------------- run

const startedAt = new Date();
const summary = {
  bench: 'checks',
  date: startedAt.toISOString(),
  machine: {
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    kernel: os.release(),
  },
  loadavgAtStart: loadavg(),
  config: { ...cfg, skip: [...cfg.skip] },
};

const lean = (w) => {
  if (!w) return w;
  const { _wall, _stored, ...rest } = w;
  return rest;
};

try {
  const target = await startTarget();
  log(`target server on ${target.url} (pid ${target.pid})`);
  const ladder = cfg.rates.map((rate) => ({ rate }));

  // ---- Mainstay: phase A, then the ladder on a fresh instance (checks are only ever added there)
  summary.profile = cfg.cpuProf ? {} : undefined;
  const finish = async (ms, key) => {
    const rows = await sql(dbFile(ms), 'select count(*) from check_results');
    const end = { checks: ms.checks.length, checkResultRows: Number(rows[0][0]), db: await dbBytes(ms) };
    const stderr = ms.stderr.join('').trim();
    if (stderr) end.stderrTail = stderr.split('\n').slice(-20);
    await stopChild(ms.child);
    log(`mainstay (${key}) stopped`);
    if (ms.profDir) summary.profile[key] = summariseProfile(ms.profDir);
    return end;
  };
  if (!cfg.skip.has('phase-a')) {
    const ms = await startMainstay('data-a');
    log(`mainstay serving ${ms.base} (pid ${ms.pid}) for phase A`);
    for (let i = 0; i < cfg.checks; i++)
      ms.checks.push({ name: `c${String(i + 1).padStart(5, '0')}`, interval: cfg.interval });
    const applyMs = await applyChecks(ms, ms.checks, target.url);
    log(`applied ${cfg.checks} checks at ${cfg.interval} s in ${applyMs} ms; warming up ${cfg.phaseAWarmup} s`);
    await sleep(cfg.phaseAWarmup * 1000);
    const db0 = await dbBytes(ms);
    log(`phase A: measuring ${cfg.phaseASeconds} s`);
    const w = await mainstayWindow(ms, target, cfg.phaseASeconds);
    const db1 = await dbBytes(ms);
    const perDay = (bytes) => round((bytes / cfg.checks / w.seconds) * 86400, 0);
    summary.phaseA = {
      checks: cfg.checks,
      intervalSeconds: cfg.interval,
      applyMs,
      mainstay: {
        ...lean(w),
        db: {
          bytesPerCheckPerDay: perDay(db1.results + db1.rollups - db0.results - db0.rollups),
          rawResultsBytesPerCheckPerDay: perDay(db1.results - db0.results),
          rollupBytesPerCheckPerDay: perDay(db1.rollups - db0.rollups),
          rawBytesPerResultRow: round((db1.results - db0.results) / Math.max(1, w._stored.rows), 1),
          resultRowsInWindow: w._stored.rows,
          fileBytesGrowth: db1.file + db1.wal - db0.file - db0.wal,
          atStart: db0,
          atEnd: db1,
        },
      },
    };
    log(`phase A: ${JSON.stringify(lean(w))}`);
    if (!cfg.skip.has('api')) {
      log(`list API: ${cfg.apiRequests} requests per variant`);
      summary.api = await listApi(ms, cfg.apiRequests);
      log(`list API: ${JSON.stringify(summary.api)}`);
    }
    summary.phaseA.mainstayEnd = await finish(ms, 'phaseA');
  }
  if (!cfg.skip.has('ladder')) {
    const ms = await startMainstay('data-ladder');
    log(`mainstay serving ${ms.base} (pid ${ms.pid}) for the ladder`);
    for (const step of ladder) {
      const { applied, applyMs } = await setRate(ms, step.rate, target.url);
      log(
        `step ${step.rate}/s: ${ms.checks.length} checks (applied ${applied} in ${applyMs} ms); warm-up ${cfg.stepWarmup} s`,
      );
      await sleep(cfg.stepWarmup * 1000);
      const w = await mainstayWindow(ms, target, cfg.stepSeconds);
      step.checks = ms.checks.length;
      step.intervalSeconds = [...new Set(ms.checks.map((c) => c.interval))];
      step.applyMs = applyMs;
      step.mainstay = lean(w);
      log(`step ${step.rate}/s: ${JSON.stringify(step.mainstay)}`);
    }
    summary.ladderMainstayEnd = await finish(ms, 'ladder');
  }

  // ---- blackbox exporter, same target, same rates, Mainstay stopped
  if (!cfg.skip.has('blackbox') && ensureBlackbox()) {
    const bbx = await startBlackbox(target);
    summary.blackboxVersion = bbx.version;
    log(`blackbox exporter pid ${bbx.pid} (${bbx.version})`);
    if (!cfg.skip.has('phase-a')) {
      const rate = cfg.checks / cfg.interval;
      log(`blackbox at ${round(rate, 1)}/s for ${cfg.bbxPhaseASeconds} s`);
      summary.phaseA ??= {};
      summary.phaseA.blackbox = await blackboxWindow(bbx, target, rate, cfg.bbxWarmup, cfg.bbxPhaseASeconds);
      log(`blackbox phase A: ${JSON.stringify(summary.phaseA.blackbox)}`);
    }
    if (!cfg.skip.has('ladder')) {
      for (const step of ladder) {
        step.blackbox = await blackboxWindow(bbx, target, step.rate, cfg.bbxWarmup, cfg.stepSeconds);
        log(`blackbox ${step.rate}/s: ${JSON.stringify(step.blackbox)}`);
        if (!cfg.bbxAllSteps && step.blackbox.dropped > 0 && step.rate >= 3500) {
          log('blackbox saturated (probes dropped at the in-flight cap): higher steps skipped');
          break;
        }
      }
    }
    bbx.gen.send({ type: 'rate', rate: 0 });
    await sleep(1000);
    bbx.gen.expectedExit = true;
    bbx.gen.disconnect();
    await stopChild(bbx.child);
  }
  target.child.expectedExit = true;
  await stopChild(target.child);

  // ---- verdicts
  const msOk = (m) =>
    m &&
    m.lagSeconds.shareWithin1s !== null &&
    m.lagSeconds.shareWithin1s >= 0.99 &&
    m.skipped.overload === 0 &&
    m.achievedPerSec >= 0.99 * m.offeredPerSec &&
    m.storedPerSec >= 0.99 * m.offeredPerSec &&
    (m.okShare ?? 0) >= 0.99;
  const bbxOk = (b) =>
    b &&
    b.dropped === 0 &&
    b.achievedPerSec >= 0.99 * b.offeredPerSec &&
    b.responseMs.p99 !== null &&
    b.responseMs.p99 <= 1000;
  for (const step of ladder) {
    if (step.mainstay) step.mainstay.sustained = msOk(step.mainstay);
    if (step.blackbox) step.blackbox.sustained = bbxOk(step.blackbox);
    if (step.mainstay && step.blackbox)
      step.cpuRatio = round(step.mainstay.cpuMsPerCheck / step.blackbox.cpuMsPerProbe, 2);
  }
  if (summary.phaseA?.mainstay && summary.phaseA?.blackbox) {
    summary.phaseA.cpuRatio = round(summary.phaseA.mainstay.cpuMsPerCheck / summary.phaseA.blackbox.cpuMsPerProbe, 2);
  }
  summary.ladder = ladder;
  const highest = (pick, ok) => ladder.filter((s) => ok(s[pick])).reduce((a, s) => Math.max(a, s.rate), 0) || null;
  summary.highestSustained = {
    mainstay: highest('mainstay', msOk),
    blackbox: highest('blackbox', bbxOk),
    blackboxMaxAchievedPerSec: ladder.reduce((a, s) => Math.max(a, s.blackbox?.achievedPerSec ?? 0), 0) || null,
  };
  const A = summary.phaseA?.mainstay;
  const step3500 = ladder.find((s) => s.rate === 3500);
  const verdicts = [];
  const add = (figure, target, value, pass) => verdicts.push({ figure, target, value, pass });
  if (A) {
    add('phase A lag p99 (s)', '<= 1', A.lagSeconds.p99, A.lagSeconds.shareWithin1s >= 0.99);
    add('phase A RSS (MiB)', '<= 512', A.rssMiB, A.rssMiB <= 512);
    add(
      'phase A checks/s achieved',
      `${round(cfg.checks / cfg.interval, 1)}`,
      A.achievedPerSec,
      A.achievedPerSec >= 0.99 * A.offeredPerSec,
    );
  }
  if (summary.phaseA?.cpuRatio !== undefined)
    add('phase A CPU ratio Mainstay/blackbox', '<= 1.0', summary.phaseA.cpuRatio, summary.phaseA.cpuRatio <= 1);
  if (!cfg.skip.has('ladder')) {
    const h = summary.highestSustained;
    add('highest sustained checks/s', '>= 3500', h.mainstay, (h.mainstay ?? 0) >= 3500);
    if (h.blackbox !== null || h.blackboxMaxAchievedPerSec !== null)
      add(
        'highest sustained vs blackbox',
        '>= blackbox',
        `${h.mainstay} vs ${h.blackbox}`,
        (h.mainstay ?? 0) >= (h.blackbox ?? 0),
      );
    if (step3500?.cpuRatio !== undefined)
      add('CPU ratio at 3500/s', '<= 1.0', step3500.cpuRatio, step3500.cpuRatio <= 1);
  }
  if (summary.api)
    for (const [k, v] of Object.entries(summary.api)) add(`list API ${k} p95 (ms)`, '<= 100', v.p95Ms, v.p95Ms <= 100);
  summary.verdicts = verdicts;
  summary.loadavgAtEnd = loadavg();
  summary.durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
  record.write(records(summary), { anchors: { blackboxExporter: summary.blackboxVersion } });
} catch (err) {
  summary.error = err.stack ?? String(err);
  process.exitCode = 1;
}
console.log(JSON.stringify(summary, null, 2));
cleanup();
process.exit(process.exitCode ?? 0);
