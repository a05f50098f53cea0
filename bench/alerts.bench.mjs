// Alert pipeline at scale (issue "Alert pipeline"), with the Debian Alertmanager given the same alerts
// in the same run.
//
//   node bench/alerts.bench.mjs [--quick] [options]      (needs `npm run build`; `npm run bench` builds)
//
// Phases, each on loopback only, each on a fresh Mainstay (the built `serve` process):
//   pd-sqlite, pd-postgres  PagerDuty Events v2 intake (POST /v2/enqueue), durable: triggers over 1,000
//                           distinct dedup keys (seeded first, so the measured events are repeats),
//                           an open-loop rate ladder (p50/p99 per rate, the highest rate whose p99 stays
//                           ≤ 10 ms) and a closed-loop maximum. PostgreSQL gets a dedicated database
//                           (`mainstay_bench`, dropped and created) on the server of
//                           MAINSTAY_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
//   large                   100,000 firing alerts through the Alertmanager v2 API in POSTs of 1,000
//                           (100 alert names, a quarter critical), RSS at 5,000 and at 100,000, then
//                           GET /api/v1/alerts p50/p95: first page, severity="critical", a regex matcher.
//                           Alertmanager gets the same alerts and route: RSS at 5,000 and 100,000.
//   delivery                Side by side: the same alerts, one per POST at fixed rates, then a burst in
//                           POSTs of 100, to Alertmanager's POST /api/v2/alerts and to Mainstay's
//                           /api/v1/integrations/alertmanager/<key>/api/v2/alerts. Both route with
//                           group_by ['...'] and group_wait 0s to a webhook on a recording server, so
//                           every alert is its own notification. Time from the POST to the webhook
//                           p50/p99, delivered notifications/s, RSS.
// Mainstay and Alertmanager never run at the same time. A driver process (bench/alerts/driver.mjs)
// sends the requests over keep-alive connections and receives the webhooks; CPU is read from
// /proc/<pid>/stat of the server under test. A results table goes to stderr at the end; one JSON
// summary to stdout.
//
// Options (defaults are the full run, about 13 minutes on 2 cores):
//   --quick                      ~4-minute smoke version (20,000 alerts in `large`, shorter steps)
//   --skip=pd-sqlite,pd-postgres,large,delivery,alertmanager
//   --pd-rates=500,1000,…        open-loop ladder (events/s)      --pd-seconds=20 --pd-warmup=3
//   --pd-connections=128         most requests in flight in the open loop
//   --pd-closed-connections=64   connections of the closed-loop maximum    --pd-closed-seconds=15
//   --alerts=100000              population of `large`          --api-requests=200 per list variant
//   --delivery-rates=25,100      alerts/s, one alert per POST    --delivery-seconds=20
//   --burst=5000                 alerts in the delivery burst (POSTs of 100)
//   --burst-quiet-seconds=60     the burst ends when no webhook arrived for this long
//   --postgres-url=postgres://…  server for pd-postgres (a database mainstay_bench is created on it)
//   --cpu-prof                   run every serve process under `node --cpu-prof`; the summary lists the
//                                top self-time functions per phase and the profile files are kept
//   --keep                       keep the temporary directory (databases, Alertmanager config)
//   --dist=DIR                   run DIR/server/cli/main.js instead of the repo's dist/ (A/B of a patched
//                                build; DIR needs node_modules and a package.json with "type": "module"
//                                reachable above it)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHarness } from './alerts/harness.mjs';
import { cpuWindow, loadavg, log, memoryMiB, parseFlags, round, sleep, waitQuiet } from './alerts/procs.mjs';
import { loadProfile, summariseProfile } from './alerts/profile.mjs';
import { benchRun } from './results.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------- options

const flags = parseFlags();
const quick = flags.has('quick');
const num = (name, full, q) => Number(flags.get(name) ?? (quick ? q : full));
const list = (name, full, q) =>
  (flags.get(name) ?? (quick ? q : full))
    .split(',')
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
const cfg = {
  quick,
  pdRates: list('pd-rates', '500,1000,2000,5000,7500,10000,12500,15000', '1000,5000,10000'),
  pdSeconds: num('pd-seconds', 20, 8),
  pdWarmup: num('pd-warmup', 3, 2),
  pdConnections: num('pd-connections', 128, 128),
  pdClosedConnections: num('pd-closed-connections', 64, 64),
  pdClosedSeconds: num('pd-closed-seconds', 15, 8),
  pdKeys: 1000,
  alerts: num('alerts', 100000, 20000),
  apiRequests: num('api-requests', 200, 50),
  deliveryRates: list('delivery-rates', '25,100', '25'),
  deliverySeconds: num('delivery-seconds', 20, 8),
  burst: num('burst', 5000, 1000),
  burstQuietMs: num('burst-quiet-seconds', 60, 30) * 1000,
  postgresUrl:
    flags.get('postgres-url') ?? process.env.MAINSTAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  skip: new Set((flags.get('skip') ?? '').split(',').filter(Boolean)),
  cpuProf: flags.has('cpu-prof'),
  keep: flags.has('keep'),
  dist: path.resolve(flags.get('dist') ?? path.join(root, 'dist')),
};
const BENCH_DB = 'mainstay_bench';
const P99_TARGET_MS = 10;
const record = benchRun('alerts', { quick });

// ---------------------------------------------------------------- process bookkeeping

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-alerts-bench-'));
const {
  driver,
  cleanup,
  call,
  stopChild,
  startMainstay,
  span,
  api,
  doc,
  ensureAlertmanager,
  spawnAlertmanager,
  alertmanagerVersion,
} = createHarness({ tmp, keep: cfg.keep, cpuProf: cfg.cpuProf, dist: cfg.dist });

// ---------------------------------------------------------------- Mainstay

/** Integration + webhook Receiver + the root Route; returns the integration key. */
async function configure(ms, { integration, type, hookUrl, route }) {
  await api(ms, 'POST', '/api/v1/apply', {
    documents: [
      doc('Integration', integration, { type, rateLimitPerMinute: 0 }),
      doc('Receiver', 'bench', { webhooks: [{ url: hookUrl, sendResolved: false }] }),
      doc('Route', 'root', { receiver: 'bench', ...route }),
    ],
  });
  return JSON.parse(await api(ms, 'POST', `/api/v1/integrations/${integration}/key`)).key;
}

async function stopMainstay(ms, key) {
  const stderr = ms.stderr.join('').trim();
  await stopChild(ms.child);
  log(`mainstay (${ms.name}) stopped`);
  const out = {};
  if (stderr) out.stderrTail = stderr.split('\n').slice(-10);
  if (ms.profDir) {
    summary.profiles ??= {};
    const loaded = loadProfile(ms.profDir);
    summary.profiles[key] = { whole: summariseProfile(loaded, root) };
    for (const [name, w] of Object.entries(ms.windows))
      if (w.length === 2) summary.profiles[key][name] = summariseProfile(loaded, root, { window: w });
  }
  return out;
}

// ---------------------------------------------------------------- PostgreSQL

async function freshPostgresDb() {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: cfg.postgresUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${BENCH_DB} with (force)`);
    await admin.query(`create database ${BENCH_DB}`);
    const v = await admin.query('show server_version');
    const u = new URL(cfg.postgresUrl);
    u.pathname = `/${BENCH_DB}`;
    return { url: u.toString(), version: v.rows[0].server_version };
  } finally {
    await admin.end();
  }
}

async function dropPostgresDb() {
  if (cfg.keep) return;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: cfg.postgresUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${BENCH_DB} with (force)`);
  } finally {
    await admin.end();
  }
}

/** CPU seconds of every PostgreSQL backend serving the bench database (they come and go; sampled). */
function postgresPids() {
  const r = spawnSync('pgrep', ['-f', `postgres: .* ${BENCH_DB} `], { encoding: 'utf8' });
  return (r.stdout || '').split('\n').filter(Boolean).map(Number);
}

// ---------------------------------------------------------------- Alertmanager

async function startAlertmanager(name, { hookUrl, groupBy, groupWait, groupInterval }) {
  return spawnAlertmanager(
    name,
    [
      'route:',
      '  receiver: bench',
      `  group_by: [${groupBy.map((g) => `'${g}'`).join(', ')}]`,
      `  group_wait: ${groupWait}`,
      `  group_interval: ${groupInterval}`,
      '  repeat_interval: 4h',
      'receivers:',
      '  - name: bench',
      '    webhook_configs:',
      `      - url: ${hookUrl}`,
      '        send_resolved: false',
      '',
    ].join('\n'),
  );
}

// ---------------------------------------------------------------- phase: PagerDuty intake

async function phasePd(engine) {
  const out = { engine };
  let databaseUrl;
  if (engine === 'postgres') {
    const db = await freshPostgresDb();
    databaseUrl = db.url;
    out.postgres = { database: BENCH_DB, version: db.version };
  }
  const hook = await call({ cmd: 'listen' });
  const ms = await startMainstay(`pd-${engine}`, { databaseUrl });
  const key = await configure(ms, {
    integration: 'pd',
    type: 'pagerduty',
    hookUrl: `http://127.0.0.1:${hook.port}/pd`,
    route: { groupBy: ['component'], groupWait: '1s', groupInterval: '5m', repeatInterval: '4h' },
  });
  const target = { host: '127.0.0.1', port: ms.port };
  const base = { kind: 'pd', target, keys: cfg.pdKeys, routingKey: key };
  let accepted = 0;

  // Seed: every dedup key triggers once (1,000 alerts in 20 groups), then everything is a repeat.
  const seed = await call({ cmd: 'load', ...base, mode: 'count', count: cfg.pdKeys, connections: 16 });
  accepted += seed.totalOk;
  out.seed = { events: seed.totalOk, seconds: round(seed.seconds, 2), statuses: seed.statuses };
  await sleep(1500);
  await waitQuiet(ms.pid, { cores: 0.05 });
  log(`pd-${engine}: seeded ${seed.totalOk} alerts in ${round(seed.seconds, 1)} s`);

  const pgCpu = () => (engine === 'postgres' ? Object.fromEntries(postgresPids().map((p, i) => [`pg${i}`, p])) : {});
  const step = async (label, load) => {
    const pids = { mainstay: ms.pid, driver: driver.pid, ...pgCpu() };
    const w = cpuWindow(pids);
    const r = await call({ cmd: 'load', ...base, ...load });
    const c = w.end();
    accepted += r.totalOk;
    const pgCores = Object.entries(c.cores)
      .filter(([k]) => k.startsWith('pg'))
      .reduce((a, [, v]) => a + (Number.isFinite(v) ? v : 0), 0);
    const res = {
      label,
      offeredPerSec: load.rate ?? null,
      connections: load.connections,
      seconds: round(r.seconds, 1),
      okPerSec: round(r.okPerSec, 0),
      ok: r.ok,
      errors: r.errors,
      dropped: r.dropped,
      non2xx: Object.fromEntries(Object.entries(r.statuses).filter(([s]) => !(s >= 200 && s < 300))),
      errorSamples: r.errorSamples,
      serviceMs: roundAll(r.serviceMs, 2),
      correctedMs: r.correctedMs ? roundAll(r.correctedMs, 2) : undefined,
      cores: {
        mainstay: c.cores.mainstay,
        driver: c.cores.driver,
        ...(engine === 'postgres' ? { postgres: round(pgCores, 3) } : {}),
        machineBusy: c.machineBusyCores,
        other: c.otherCores,
      },
      rssMiB: memoryMiB(ms.pid).rss,
    };
    const p99 = res.correctedMs?.p99 ?? res.serviceMs.p99;
    res.meetsRate = load.rate ? res.okPerSec >= 0.99 * load.rate && res.dropped === 0 && res.errors === 0 : undefined;
    res.p99Within10ms = p99 !== null && p99 <= P99_TARGET_MS;
    log(
      `pd-${engine} ${label}: ${res.okPerSec}/s ok, p50 ${res.serviceMs.p50} ms, p99 ${res.serviceMs.p99} ms` +
        (res.correctedMs ? ` (from due time: p99 ${res.correctedMs.p99} ms)` : '') +
        `, dropped ${res.dropped}, mainstay ${res.cores.mainstay} cores, driver ${res.cores.driver}`,
    );
    return res;
  };

  out.ladder = [];
  let misses = 0;
  span(ms, 'ladder');
  for (const rate of cfg.pdRates) {
    const res = await step(`${rate}/s`, {
      mode: 'open',
      rate,
      seconds: cfg.pdSeconds,
      warmupSeconds: cfg.pdWarmup,
      connections: cfg.pdConnections,
      maxQueue: rate * 2,
    });
    out.ladder.push(res);
    misses = res.okPerSec < 0.9 * rate ? misses + 1 : 0;
    await waitQuiet(ms.pid, { cores: 0.1, windowMs: 1000, timeoutMs: 30000 });
    if (misses >= 2) {
      log(`pd-${engine}: two steps below 90 % of the offered rate; the rest of the ladder is skipped`);
      break;
    }
  }
  out.closed = await step(`closed ${cfg.pdClosedConnections} conns`, {
    mode: 'closed',
    seconds: cfg.pdClosedSeconds,
    warmupSeconds: 2,
    connections: cfg.pdClosedConnections,
  });
  span(ms, 'ladder');
  const clean = out.ladder.filter((s) => s.meetsRate && s.p99Within10ms);
  out.highestRateWithP99Within10ms = clean.length ? Math.max(...clean.map((s) => s.offeredPerSec)) : null;
  out.maxOkPerSec = Math.max(out.closed.okPerSec, ...out.ladder.map((s) => s.okPerSec));

  // Durability check: every 2xx is an event the alerts hold (1 trigger + repeats per dedup key).
  await sleep(500);
  let held = 0;
  let alerts = 0;
  for (let offset = 0; ; offset += 500) {
    const page = JSON.parse(await api(ms, 'GET', `/api/v1/alerts?limit=500&offset=${offset}`));
    for (const a of page.items) {
      held += 1 + a.repeats;
      alerts++;
    }
    if (page.items.length < 500) break;
  }
  out.durability = { accepted, alerts, eventsHeld: held, match: held === accepted };
  log(`pd-${engine}: ${accepted} events answered 2xx, ${held} held in ${alerts} alerts`);
  out.rssMiB = memoryMiB(ms.pid);
  Object.assign(out, await stopMainstay(ms, `pd-${engine}`));
  if (engine === 'postgres') await dropPostgresDb();
  return out;
}

function roundAll(o, d) {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? round(v, d) : v]));
}

// ---------------------------------------------------------------- phase: 100,000 alerts

const LARGE_ROUTE = { groupBy: ['alertname'], groupWait: '10s', groupInterval: '30s' };

/** Waits until the webhook has received `n` alerts in notifications; returns the ms waited (null on timeout). */
async function waitNotified(n, timeoutMs) {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if ((await call({ cmd: 'webhook' })).alerts >= n) return Math.round(performance.now() - t0);
    await sleep(250);
  }
  log(`the webhook did not see ${n} alerts within ${timeoutMs} ms`);
  return null;
}

async function phaseLarge(am) {
  const out = { alerts: cfg.alerts, route: LARGE_ROUTE };
  const hook = await call({ cmd: 'listen' });
  const hookUrl = `http://127.0.0.1:${hook.port}/large`;
  const first = Math.min(5000, cfg.alerts);
  const populate = async (target, pid, label) => {
    const res = {};
    const load = async (from, to) => {
      const w = cpuWindow({ server: pid, driver: driver.pid });
      const r = await call({
        cmd: 'load',
        kind: 'am-population',
        target,
        mode: 'count',
        count: Math.ceil((to - from) / 1000),
        batch: 1000,
        start: from,
        alerts: to - from,
        connections: 2,
      });
      const c = w.end();
      if (r.ok !== r.completed)
        throw new Error(`${label}: ${r.completed - r.ok} POSTs failed: ${r.errorSamples.join('; ')}`);
      return {
        alerts: to - from,
        seconds: round(r.seconds, 2),
        alertsPerSec: round((to - from) / r.seconds, 0),
        postMs: roundAll(r.serviceMs, 1),
        serverCores: c.cores.server,
        otherCores: c.otherCores,
      };
    };
    await call({ cmd: 'reset' });
    res.load5k = await load(0, first);
    // Every alert is notified once its group flushed (group_wait); then the process settles.
    res.notified5kAfterMs = await waitNotified(first, 120_000);
    res.quietAfter5kMs = await waitQuiet(pid, { cores: 0.05 });
    res.rssAt5kMiB = memoryMiB(pid).rss;
    log(`${label}: ${first} alerts loaded (${res.load5k.alertsPerSec}/s), RSS ${res.rssAt5kMiB} MiB`);
    res.loadRest = await load(first, cfg.alerts);
    log(`${label}: ${cfg.alerts} alerts loaded (${res.loadRest.alertsPerSec}/s); waiting for the group flushes`);
    // The groups already flushed at 5,000 send the new alerts at their next group_interval tick, each
    // notification holding the whole group: 5,000 + all alerts have then appeared at the webhook.
    res.allNotifiedAfterMs = await waitNotified(first + cfg.alerts, 600_000);
    res.quietAfterAllMs = await waitQuiet(pid, { cores: 0.05, timeoutMs: 600_000 });
    res.rssAtAllMiB = memoryMiB(pid).rss;
    res.peakRssMiB = memoryMiB(pid).hwm;
    log(`${label}: all notified ${res.allNotifiedAfterMs} ms after the load; RSS ${res.rssAtAllMiB} MiB`);
    return res;
  };

  if (!cfg.skip.has('mainstay-large')) {
    const ms = await startMainstay('large');
    const key = await configure(ms, { integration: 'am', type: 'alertmanager', hookUrl, route: LARGE_ROUTE });
    const target = { host: '127.0.0.1', port: ms.port, path: `/api/v1/integrations/alertmanager/${key}/api/v2/alerts` };
    span(ms, 'load');
    out.mainstay = await populate(target, ms.pid, 'mainstay large');
    span(ms, 'load');
    out.mainstay.webhook = await call({ cmd: 'webhook' });
    const variants = {
      firstPage: '/api/v1/alerts',
      critical: `/api/v1/alerts?matcher=${encodeURIComponent('severity="critical"')}`,
      regex: `/api/v1/alerts?matcher=${encodeURIComponent('instance=~"host-1.*"')}`,
      criticalAndRegex: `/api/v1/alerts?matcher=${encodeURIComponent('{severity="critical",alertname=~"BenchAlert(1|2).*"}')}`,
    };
    out.mainstay.api = {};
    const w = cpuWindow({ server: ms.pid, driver: driver.pid });
    for (const [k, url] of Object.entries(variants)) {
      span(ms, `api:${k}`);
      out.mainstay.api[k] = await timeRequests((u) => api(ms, 'GET', u), url, cfg.apiRequests);
      span(ms, `api:${k}`);
      log(`mainstay list ${k}: ${JSON.stringify(out.mainstay.api[k])}`);
    }
    out.mainstay.apiServerCores = w.end().cores.server;
    out.mainstay.rssAfterApiMiB = memoryMiB(ms.pid).rss;
    out.mainstay.peakRssMiB = memoryMiB(ms.pid).hwm;
    out.mainstay.dbBytes = dbBytes(ms.dataDir);
    Object.assign(out.mainstay, await stopMainstay(ms, 'large'));
  }
  if (am) {
    await call({ cmd: 'reset' });
    const a = await startAlertmanager('large', {
      hookUrl,
      groupBy: LARGE_ROUTE.groupBy,
      groupWait: LARGE_ROUTE.groupWait,
      groupInterval: LARGE_ROUTE.groupInterval,
    });
    const target = { host: '127.0.0.1', port: a.port, path: '/api/v2/alerts' };
    out.alertmanager = await populate(target, a.pid, 'alertmanager large');
    out.alertmanager.webhook = await call({ cmd: 'webhook' });
    // For scale only: Alertmanager's API has no paging; every match comes back in one answer.
    const n = Math.max(5, Math.round(cfg.apiRequests / 10));
    const amGet = async (u) => {
      const r = await fetch(`${a.base}${u}`, { signal: AbortSignal.timeout(120000) });
      const t = await r.text();
      if (!r.ok) throw new Error(`${u}: ${r.status} ${t.slice(0, 300)}`);
      return t;
    };
    out.alertmanager.api = {
      critical: await timeRequests(
        amGet,
        `/api/v2/alerts?filter=${encodeURIComponent('severity="critical"')}`,
        n,
        true,
      ),
      regex: await timeRequests(amGet, `/api/v2/alerts?filter=${encodeURIComponent('instance=~"host-1.*"')}`, n, true),
    };
    out.alertmanager.rssAfterApiMiB = memoryMiB(a.pid).rss;
    out.alertmanager.peakRssMiB = memoryMiB(a.pid).hwm;
    await stopChild(a.child);
  }
  return out;
}

function dbBytes(dir) {
  const size = (f) => {
    try {
      return fs.statSync(path.join(dir, f)).size;
    } catch {
      return 0;
    }
  };
  return { db: size('mainstay.db'), wal: size('mainstay.db-wal') };
}

/** Sequential requests (after 10 warm-ups): p50/p95/max in ms, and what the last answer said. */
async function timeRequests(get, url, n, alertmanagerShape = false) {
  for (let i = 0; i < Math.min(10, n); i++) await get(url);
  const times = [];
  let body;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    body = await get(url);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const p = (q) => round(times[Math.min(times.length - 1, Math.floor(q * times.length))], 1);
  const parsed = JSON.parse(body);
  const shape = alertmanagerShape
    ? { returned: parsed.length, bytes: body.length }
    : { items: parsed.items.length, total: parsed.total, partial: parsed.partial, bytes: body.length };
  return { url, requests: n, p50Ms: p(0.5), p95Ms: p(0.95), maxMs: round(times.at(-1), 1), ...shape };
}

// ---------------------------------------------------------------- phase: delivery side by side

const DELIVERY_ROUTE = { groupBy: ['...'], groupWait: '0s', groupInterval: '1s' };

async function deliveryRuns(label, target, pid) {
  const res = { rates: [] };
  for (const rate of cfg.deliveryRates) {
    const from = (await call({ cmd: 'seq' })).seqNext;
    const w = cpuWindow({ server: pid, driver: driver.pid });
    const r = await call({
      cmd: 'load',
      kind: 'am-seq',
      target,
      mode: 'open',
      rate,
      seconds: cfg.deliverySeconds,
      connections: 16,
      batch: 1,
    });
    const to = (await call({ cmd: 'seq' })).seqNext;
    const d = await call({ cmd: 'deliveries', from, to, quietMs: 10_000, timeoutMs: 300_000 });
    const c = w.end();
    const row = {
      offeredPerSec: rate,
      posted: to - from,
      postOk: r.totalOk,
      postMs: roundAll(r.serviceMs, 2),
      delivered: d.delivered,
      missing: d.missing,
      deliveryMs: roundAll(d.latencyMs, 1),
      deliveredPerSec: round(d.deliveredPerSec, 1),
      serverCores: c.cores.server,
      driverCores: c.cores.driver,
      otherCores: c.otherCores,
      rssMiB: memoryMiB(pid).rss,
    };
    res.rates.push(row);
    log(
      `${label} ${rate}/s: delivered ${row.delivered}/${row.posted}, p50 ${row.deliveryMs.p50} ms, p99 ${row.deliveryMs.p99} ms`,
    );
    await waitQuiet(pid, { cores: 0.05, timeoutMs: 60000 });
  }
  // Burst: `burst` alerts in POSTs of 100 as fast as they are taken; delivered/s from the first POST
  // to the last webhook.
  const from = (await call({ cmd: 'seq' })).seqNext;
  const w = cpuWindow({ server: pid, driver: driver.pid });
  const r = await call({
    cmd: 'load',
    kind: 'am-seq',
    target,
    mode: 'count',
    count: Math.ceil(cfg.burst / 100),
    batch: 100,
    connections: 4,
  });
  const to = (await call({ cmd: 'seq' })).seqNext;
  const d = await call({ cmd: 'deliveries', from, to, quietMs: cfg.burstQuietMs, timeoutMs: 900_000 });
  const c = w.end();
  res.burst = {
    alerts: to - from,
    postSeconds: round(r.seconds, 2),
    postOk: r.totalOk,
    postMs: roundAll(r.serviceMs, 0),
    delivered: d.delivered,
    missing: d.missing,
    deliveryMs: roundAll(d.latencyMs, 0),
    firstPostToLastWebhookMs: round(d.firstSendToLastArrivalMs, 0),
    longestGapWithoutWebhookMs: round(d.maxGapMs, 0),
    deliveredPerSec: round(d.deliveredPerSec, 1),
    serverCores: c.cores.server,
    driverCores: c.cores.driver,
    otherCores: c.otherCores,
    rssMiB: memoryMiB(pid).rss,
  };
  log(`${label} burst: ${res.burst.delivered}/${res.burst.alerts} delivered at ${res.burst.deliveredPerSec}/s`);
  res.webhook = await call({ cmd: 'webhook' });
  res.peakRssMiB = memoryMiB(pid).hwm;
  return res;
}

async function phaseDelivery(am) {
  const out = { route: DELIVERY_ROUTE };
  const hook = await call({ cmd: 'listen' });
  const hookUrl = `http://127.0.0.1:${hook.port}/delivery`;
  if (!cfg.skip.has('mainstay-delivery')) {
    await call({ cmd: 'reset' });
    const ms = await startMainstay('delivery');
    const key = await configure(ms, { integration: 'am', type: 'alertmanager', hookUrl, route: DELIVERY_ROUTE });
    const target = { host: '127.0.0.1', port: ms.port, path: `/api/v1/integrations/alertmanager/${key}/api/v2/alerts` };
    span(ms, 'delivery');
    out.mainstay = await deliveryRuns('mainstay', target, ms.pid);
    span(ms, 'delivery');
    Object.assign(out.mainstay, await stopMainstay(ms, 'delivery'));
  }
  if (am) {
    await call({ cmd: 'reset' });
    const a = await startAlertmanager('delivery', { hookUrl, groupBy: ['...'], groupWait: '0s', groupInterval: '1s' });
    const target = { host: '127.0.0.1', port: a.port, path: '/api/v2/alerts' };
    out.alertmanager = await deliveryRuns('alertmanager', target, a.pid);
    await stopChild(a.child);
  }
  if (out.mainstay && out.alertmanager) {
    out.ratios = {
      p99: out.mainstay.rates.map((m, i) => ({
        ratePerSec: m.offeredPerSec,
        mainstayOverAlertmanager: round(m.deliveryMs.p99 / out.alertmanager.rates[i].deliveryMs.p99, 2),
      })),
      burstThroughput: round(out.mainstay.burst.deliveredPerSec / out.alertmanager.burst.deliveredPerSec, 2),
      peakRss: round(out.mainstay.peakRssMiB / out.alertmanager.peakRssMiB, 2),
    };
  }
  return out;
}

// ---------------------------------------------------------------- results table

function table(s) {
  const rows = [];
  const add = (figure, target, mainstay, alertmanager = '', ratio = '', verdict = '') =>
    rows.push([figure, target, mainstay, alertmanager, ratio, verdict]);
  for (const key of ['pdSqlite', 'pdPostgres']) {
    const p = s[key];
    if (!p?.ladder) continue;
    const eng = p.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    for (const st of p.ladder)
      add(
        `PD ${eng} ${st.label}: ok/s, p50/p99 (from due time)`,
        '≥ 10,000/s, p99 ≤ 10 ms',
        `${st.okPerSec}/s, ${st.serviceMs.p50}/${st.serviceMs.p99} ms (${st.correctedMs?.p99} ms), ${st.cores.mainstay} cores`,
        '',
        '',
        st.meetsRate && st.p99Within10ms ? 'ok' : 'miss',
      );
    add(
      `PD ${eng} closed loop ${p.closed.connections} conns`,
      '≥ 10,000/s',
      `${p.closed.okPerSec}/s, p50/p99 ${p.closed.serviceMs.p50}/${p.closed.serviceMs.p99} ms`,
      '',
      '',
      p.closed.okPerSec >= 10000 ? 'pass' : 'miss',
    );
    add(
      `PD ${eng} highest rate with p99 ≤ 10 ms`,
      '≥ 10,000/s',
      String(p.highestRateWithP99Within10ms ?? 'none'),
      '',
      '',
      (p.highestRateWithP99Within10ms ?? 0) >= 10000 ? 'pass' : 'miss',
    );
    add(
      `PD ${eng} durability (2xx = events held)`,
      'all',
      `${p.durability.eventsHeld} of ${p.durability.accepted}`,
      '',
      '',
      p.durability.match ? 'pass' : 'MISMATCH',
    );
  }
  const L = s.large;
  if (L?.mainstay) {
    const m = L.mainstay;
    const a = L.alertmanager;
    add(
      `load ${L.alerts} alerts (v2 API, POSTs of 1,000)`,
      '',
      `${m.loadRest.alertsPerSec}/s`,
      a ? `${a.loadRest.alertsPerSec}/s` : '',
    );
    add(
      `all ${L.alerts} notified, ms after the load (group_interval 30 s)`,
      '',
      String(m.allNotifiedAfterMs),
      a ? String(a.allNotifiedAfterMs) : '',
    );
    add(
      'RSS holding 5,000 alerts (MiB)',
      '',
      String(m.rssAt5kMiB),
      a ? String(a.rssAt5kMiB) : '',
      a ? String(round(m.rssAt5kMiB / a.rssAt5kMiB, 2)) : '',
    );
    add(
      `RSS holding ${L.alerts} alerts (MiB)`,
      '',
      String(m.rssAtAllMiB),
      a ? String(a.rssAtAllMiB) : '',
      a ? String(round(m.rssAtAllMiB / a.rssAtAllMiB, 2)) : '',
    );
    add(
      'peak RSS in the large phase (MiB)',
      '',
      String(m.peakRssMiB),
      a ? String(a.peakRssMiB) : '',
      a ? String(round(m.peakRssMiB / a.peakRssMiB, 2)) : '',
    );
    for (const [k, v] of Object.entries(m.api))
      add(
        `GET /api/v1/alerts ${k} p50/p95 (ms)`,
        'p95 ≤ 100 ms',
        `${v.p50Ms}/${v.p95Ms} (total ${v.total}${v.partial ? ', partial' : ''})`,
        a?.api?.[k] ? `${a.api[k].p50Ms}/${a.api[k].p95Ms} (${a.api[k].returned} alerts, no paging)` : '',
        '',
        v.p95Ms <= 100 ? 'pass' : 'miss',
      );
  }
  const D = s.delivery;
  if (D?.mainstay) {
    const m = D.mainstay;
    const a = D.alertmanager;
    m.rates.forEach((r, i) => {
      const ar = a?.rates[i];
      const ratio = ar ? round(r.deliveryMs.p99 / ar.deliveryMs.p99, 2) : '';
      add(
        `POST → webhook at ${r.offeredPerSec}/s p50/p99 (ms)`,
        'p99 ≤ 2× Alertmanager',
        `${r.deliveryMs.p50}/${r.deliveryMs.p99} (${r.delivered}/${r.posted})`,
        ar ? `${ar.deliveryMs.p50}/${ar.deliveryMs.p99} (${ar.delivered}/${ar.posted})` : '',
        String(ratio),
        ar ? (ratio <= 2 ? 'pass' : 'miss') : '',
      );
    });
    const ratio = a ? round(m.burst.deliveredPerSec / a.burst.deliveredPerSec, 2) : '';
    add(
      `burst of ${m.burst.alerts}: delivered notifications/s`,
      '≥ 1× Alertmanager',
      `${m.burst.deliveredPerSec} (${m.burst.delivered}/${m.burst.alerts}; latency p50 ${m.burst.deliveryMs.p50} ms; longest gap ${m.burst.longestGapWithoutWebhookMs} ms)`,
      a
        ? `${a.burst.deliveredPerSec} (${a.burst.delivered}/${a.burst.alerts}; latency p50 ${a.burst.deliveryMs.p50} ms; longest gap ${a.burst.longestGapWithoutWebhookMs} ms)`
        : '',
      String(ratio),
      a ? (ratio >= 1 ? 'pass' : 'miss') : '',
    );
    add(
      'peak RSS in the delivery phase (MiB)',
      '',
      String(m.peakRssMiB),
      a ? String(a.peakRssMiB) : '',
      a ? String(round(m.peakRssMiB / a.peakRssMiB, 2)) : '',
    );
  }
  const head = ['figure', 'target', 'Mainstay', 'Alertmanager (same run)', 'ratio M/A', 'verdict'];
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

// ---------------------------------------------------------------- results for BENCHMARKS.md

/** The figures for BENCHMARKS.md's table (bench/results.mjs). */
function records(s) {
  const out = [];
  const AM = 'Alertmanager 0.25';
  for (const key of ['pdSqlite', 'pdPostgres']) {
    const p = s[key];
    if (!p) continue;
    const eng = key === 'pdSqlite' ? 'SQLite' : 'PostgreSQL';
    const id = `alerts.pd.${key === 'pdSqlite' ? 'sqlite' : 'postgres'}`;
    if (p.error) {
      out.push({ id, figure: `PagerDuty intake, ${eng}`, value: null, notes: `failed: ${p.error}` });
      continue;
    }
    const best = p.ladder.find((st) => st.offeredPerSec === p.highestRateWithP99Within10ms);
    const top = p.ladder.reduce((a, st) => (st.okPerSec > (a?.okPerSec ?? -1) ? st : a), undefined);
    out.push(
      {
        id: `${id}.p99rate`,
        figure: `PagerDuty intake, ${eng}: highest offered rate with p99 ≤ 10 ms (from due time)`,
        value: p.highestRateWithP99Within10ms ?? 0,
        unit: 'events/s',
        target: 10000,
        targetOp: '>=',
        display: best
          ? `${best.offeredPerSec.toLocaleString('en')}/s (p50/p99 ${best.serviceMs.p50}/${best.correctedMs?.p99 ?? best.serviceMs.p99} ms)`
          : 'none of the steps',
        notes: `steps ${cfg.pdRates.join(', ')}/s, ${cfg.pdSeconds} s each`,
      },
      {
        id: `${id}.max`,
        figure: `PagerDuty intake, ${eng}: most events/s answered`,
        value: p.maxOkPerSec,
        unit: 'events/s',
        target: 10000,
        targetOp: '>=',
        display: `${p.maxOkPerSec.toLocaleString('en')}/s; closed loop (${p.closed.connections} conns) ${p.closed.okPerSec.toLocaleString('en')}/s, p50/p99 ${p.closed.serviceMs.p50}/${p.closed.serviceMs.p99} ms`,
        notes: top ? `open loop best: ${top.okPerSec}/s at ${top.offeredPerSec}/s offered` : undefined,
      },
      {
        id: `${id}.durability`,
        figure: `PagerDuty intake, ${eng}: events answered 2xx that the alerts hold`,
        value: p.durability.eventsHeld,
        unit: 'events',
        target: p.durability.accepted,
        targetOp: '>=',
        pass: p.durability.match,
        display: `${p.durability.eventsHeld.toLocaleString('en')} of ${p.durability.accepted.toLocaleString('en')}`,
      },
    );
  }
  const L = s.large;
  if (L?.mainstay) {
    const m = L.mainstay;
    const a = L.alertmanager;
    const n = L.alerts.toLocaleString('en');
    const anchor = a ? { anchorName: AM } : {};
    for (const [k, v] of Object.entries(m.api)) {
      const av = a?.api?.[k];
      out.push({
        id: `alerts.list.${k}`,
        figure: `${n} alerts: \`GET ${decodeURIComponent(v.url)}\`, p95`,
        value: v.p95Ms,
        unit: 'ms',
        target: 100,
        targetOp: '<=',
        display: `p50/p95 ${v.p50Ms}/${v.p95Ms} ms (total ${v.total.toLocaleString('en')}${v.partial ? ', partial' : ''})`,
        ...(av
          ? {
              anchorName: AM,
              anchorValue: av.p95Ms,
              anchorDisplay: `p50/p95 ${av.p50Ms}/${av.p95Ms} ms (all ${av.returned.toLocaleString('en')}, no paging)`,
              ratio: null,
            }
          : {}),
      });
    }
    out.push(
      {
        id: 'alerts.large.rss5k',
        figure: 'RSS holding 5,000 alerts',
        value: m.rssAt5kMiB,
        unit: 'MiB',
        ...anchor,
        anchorValue: a?.rssAt5kMiB,
      },
      {
        id: 'alerts.large.rssAll',
        figure: `RSS holding ${n} alerts (all notified, idle)`,
        value: m.rssAtAllMiB,
        unit: 'MiB',
        ...anchor,
        anchorValue: a?.rssAtAllMiB,
        display: `${m.rssAtAllMiB} MiB (peak ${m.peakRssMiB})`,
        anchorDisplay: a ? `${a.rssAtAllMiB} MiB (peak ${a.peakRssMiB})` : undefined,
      },
      {
        id: 'alerts.large.load',
        figure: `loading ${n} alerts in POSTs of 1,000`,
        value: m.loadRest.alertsPerSec,
        unit: 'alerts/s',
        ...anchor,
        anchorValue: a?.loadRest.alertsPerSec,
      },
    );
  }
  const D = s.delivery;
  if (D?.mainstay) {
    const m = D.mainstay;
    const a = D.alertmanager;
    m.rates.forEach((r, i) => {
      const ar = a?.rates[i];
      out.push({
        id: `alerts.delivery.${r.offeredPerSec}`,
        figure: `POST → webhook at ${r.offeredPerSec}/s, p99`,
        value: r.deliveryMs.p99,
        unit: 'ms',
        target: 2,
        targetOp: '<=',
        targetOn: 'ratio',
        display: `p50/p99 ${r.deliveryMs.p50}/${r.deliveryMs.p99} ms (${r.delivered}/${r.posted})`,
        ...(ar
          ? {
              anchorName: AM,
              anchorValue: ar.deliveryMs.p99,
              anchorDisplay: `p50/p99 ${ar.deliveryMs.p50}/${ar.deliveryMs.p99} ms (${ar.delivered}/${ar.posted})`,
            }
          : {}),
        notes: 'target: p99 ≤ 2× Alertmanager',
      });
      out.push({
        id: `alerts.delivery.${r.offeredPerSec}.cpu`,
        figure: `… CPU per notification at ${r.offeredPerSec}/s`,
        value: round((r.serverCores * 1000) / r.offeredPerSec, 2),
        unit: 'ms',
        display: `${round((r.serverCores * 1000) / r.offeredPerSec, 2)} ms (${r.serverCores} cores)`,
        ...(ar
          ? {
              anchorName: AM,
              anchorValue: round((ar.serverCores * 1000) / ar.offeredPerSec, 2),
              anchorDisplay: `${round((ar.serverCores * 1000) / ar.offeredPerSec, 2)} ms (${ar.serverCores} cores)`,
            }
          : {}),
      });
    });
    out.push({
      id: 'alerts.delivery.burst',
      figure: `burst of ${m.burst.alerts.toLocaleString('en')} alerts (new groups): notifications delivered/s`,
      value: m.burst.deliveredPerSec,
      unit: '/s',
      target: 1,
      targetOp: '>=',
      targetOn: 'ratio',
      display: `${m.burst.deliveredPerSec}/s (${m.burst.delivered}/${m.burst.alerts}; p50 ${m.burst.deliveryMs.p50} ms)`,
      ...(a
        ? {
            anchorName: AM,
            anchorValue: a.burst.deliveredPerSec,
            anchorDisplay: `${a.burst.deliveredPerSec}/s (${a.burst.delivered}/${a.burst.alerts}; p50 ${a.burst.deliveryMs.p50} ms)`,
          }
        : {}),
      notes: 'target: ≥ 1× Alertmanager',
    });
    out.push({
      id: 'alerts.delivery.rss',
      figure: 'peak RSS in the delivery phase',
      value: m.peakRssMiB,
      unit: 'MiB',
      ...(a ? { anchorName: AM, anchorValue: a.peakRssMiB } : {}),
    });
  }
  return out;
}

// ---------------------------------------------------------------- run

const startedAt = new Date();
const summary = {
  bench: 'alerts',
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
  ...(cfg.keep ? { keptDirectory: tmp } : {}),
};

try {
  const am = !cfg.skip.has('alertmanager') && ensureAlertmanager();
  if (am) summary.alertmanagerVersion = alertmanagerVersion();
  if (!cfg.skip.has('pd-sqlite')) summary.pdSqlite = await phasePd('sqlite');
  if (!cfg.skip.has('pd-postgres')) {
    try {
      summary.pdPostgres = await phasePd('postgres');
    } catch (err) {
      summary.pdPostgres = { error: err.message };
      log(`pd-postgres failed: ${err.message}`);
    }
  }
  if (!cfg.skip.has('large')) summary.large = await phaseLarge(am);
  if (!cfg.skip.has('delivery')) summary.delivery = await phaseDelivery(am);
  summary.loadavgAtEnd = loadavg();
  summary.durationSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
  summary.table = table(summary);
  process.stderr.write(`\n${summary.table}\n\n`);
  record.write(records(summary), { anchors: { alertmanager: summary.alertmanagerVersion } });
} catch (err) {
  summary.error = err.stack ?? String(err);
  process.exitCode = 1;
}
console.log(JSON.stringify(summary, null, 2));
driver.expectedExit = true;
cleanup();
process.exit(process.exitCode ?? 0);
