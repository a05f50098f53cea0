// Intake → page latency (issue "On-call and incidents", Speed), with the Debian Alertmanager 0.25 given
// the same alerts in the same run.
//
//   node bench/paging.bench.mjs [--quick] [options]      (needs `npm run build`; `npm run bench` builds)
//
// Mainstay (built `serve`, SQLite): an alert posted to the Alertmanager v2 API of an integration is
// routed (group_by ['...'], group_wait 0s) to a receiver whose escalation policy pages the on-call
// person of a schedule; the incident opens, level 0 resolves the schedule, the person's contact method
// (a webhook Channel) gets the page through the paging lane of the work queue. Measured: time from the
// POST being written to the page arriving at a local webhook receiver, p50/p99, while 1,000 other
// alerts per second (a population of 1,000, repeating) flow to a receiver without targets.
// Alertmanager: the same background and the same page alerts, the page route forwarding straight to
// the same webhook receiver (it has no incidents or on-call: that is the work Mainstay does on top).
// Mainstay and Alertmanager never run at the same time. Results table to stderr, JSON to stdout.
//
// Options: --quick (shorter), --page-rate=10 (pages/s) --seconds=30 --background=1000 (alerts/s)
//          --skip=alertmanager,mainstay --keep --cpu-prof --dist=DIR
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHarness } from './alerts/harness.mjs';
import { cpuWindow, loadavg, log, memoryMiB, parseFlags, round, sleep, waitQuiet } from './alerts/procs.mjs';
import { loadProfile, summariseProfile } from './alerts/profile.mjs';
import { benchRun } from './results.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flags = parseFlags();
const quick = flags.has('quick');
const cfg = {
  pageRate: Number(flags.get('page-rate') ?? 10),
  seconds: Number(flags.get('seconds') ?? (quick ? 10 : 30)),
  warmupSeconds: quick ? 2 : 5,
  background: Number(flags.get('background') ?? 1000),
  skip: new Set((flags.get('skip') ?? '').split(',').filter(Boolean)),
  keep: flags.has('keep'),
  cpuProf: flags.has('cpu-prof'),
  dist: path.resolve(flags.get('dist') ?? path.join(root, 'dist')),
};
const P99_TARGET_MS = 15;
const record = benchRun('paging', { quick });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-paging-bench-'));
const h = createHarness({ tmp, keep: cfg.keep, cpuProf: cfg.cpuProf, dist: cfg.dist });
const { call, api, doc } = h;

const roundAll = (o, d) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v, d)]));

/** Background (1,000 alerts/s over a population of 1,000, repeating) and page alerts at the same time. */
async function measure(label, target, pid) {
  const from = (await call({ cmd: 'seq' })).seqNext;
  const w = cpuWindow({ server: pid, driver: h.driver.pid });
  const [bg, pages] = await Promise.all([
    call({
      cmd: 'load',
      kind: 'am-population',
      target,
      mode: 'open',
      rate: cfg.background,
      seconds: cfg.seconds + cfg.warmupSeconds + 2,
      connections: 64,
      batch: 1,
      start: 0,
      alerts: 1000,
      cycle: true,
    }),
    (async () => {
      await sleep(cfg.warmupSeconds * 1000);
      return call({
        cmd: 'load',
        kind: 'am-seq',
        target,
        mode: 'open',
        rate: cfg.pageRate,
        seconds: cfg.seconds,
        connections: 8,
        batch: 1,
        extraLabels: { page: 'true', severity: 'critical' },
      });
    })(),
  ]);
  const to = (await call({ cmd: 'seq' })).seqNext;
  const d = await call({ cmd: 'deliveries', from, to, quietMs: 10_000, timeoutMs: 120_000 });
  const c = w.end();
  const res = {
    background: {
      offeredPerSec: cfg.background,
      okPerSec: round(bg.okPerSec, 0),
      non2xx: Object.fromEntries(Object.entries(bg.statuses).filter(([s]) => !(s >= 200 && s < 300))),
      postMs: roundAll(bg.serviceMs, 2),
    },
    pages: {
      offeredPerSec: cfg.pageRate,
      posted: to - from,
      postOk: pages.totalOk,
      delivered: d.delivered,
      missing: d.missing,
      duplicates: d.duplicates,
      latencyMs: roundAll(d.latencyMs, 2),
    },
    serverCores: c.cores.server,
    driverCores: c.cores.driver,
    otherCores: c.otherCores,
    rssMiB: memoryMiB(pid).rss,
  };
  log(
    `${label}: ${d.delivered}/${to - from} pages, p50 ${res.pages.latencyMs.p50} ms, p99 ${res.pages.latencyMs.p99} ms; background ${res.background.okPerSec}/s`,
  );
  return res;
}

async function runMainstay(hookPort) {
  const ms = await h.startMainstay('paging');
  const hookUrl = `http://127.0.0.1:${hookPort}/page`;
  const user = JSON.parse(
    await api(ms, 'POST', '/api/v1/users', {
      email: 'oncall@bench.example',
      name: 'On Call',
      role: 'responder',
      password: 'a long bench password',
    }),
  );
  await api(ms, 'POST', '/api/v1/apply', {
    documents: [
      doc('Integration', 'am', { type: 'alertmanager', rateLimitPerMinute: 0 }),
      doc('Channel', 'page-hook', { type: 'webhook', url: hookUrl }),
      doc('Schedule', 'primary', {
        timeZone: 'Europe/Berlin',
        layers: [
          {
            name: 'all',
            rotation: { every: 1, unit: 'weeks', start: '2026-01-05', handoff: '09:00', participants: [user.email] },
          },
        ],
      }),
      doc('EscalationPolicy', 'pager', { levels: [{ escalateAfterMinutes: 30, targets: [{ schedule: 'primary' }] }] }),
      doc('Receiver', 'pager', { escalationPolicy: 'pager' }),
      doc('Receiver', 'sink', {}),
      doc('Route', 'root', {
        receiver: 'sink',
        groupBy: ['alertname'],
        groupWait: '30s',
        groupInterval: '5m',
        repeatInterval: '4h',
        routes: [
          { matchers: ['page="true"'], receiver: 'pager', groupBy: ['...'], groupWait: '0s', groupInterval: '1s' },
        ],
      }),
    ],
  });
  await api(ms, 'POST', `/api/v1/users/${user.id}/contact-methods`, { name: 'hook', channel: 'page-hook' });
  const key = JSON.parse(await api(ms, 'POST', '/api/v1/integrations/am/key')).key;
  await waitQuiet(ms.pid, { cores: 0.05 });
  const target = { host: '127.0.0.1', port: ms.port, path: `/api/v1/integrations/alertmanager/${key}/api/v2/alerts` };
  if (cfg.cpuProf) h.span(ms, 'measure');
  const res = await measure('mainstay', target, ms.pid);
  if (cfg.cpuProf) h.span(ms, 'measure');
  const incidents = JSON.parse(await api(ms, 'GET', '/api/v1/incidents?limit=1')).total;
  res.incidents = incidents;
  res.peakRssMiB = memoryMiB(ms.pid).hwm;
  await h.stopChild(ms.child);
  if (ms.profDir) {
    const loaded = loadProfile(ms.profDir);
    res.profile = summariseProfile(loaded, root, { window: ms.windows.measure, top: 30 });
  }
  return res;
}

async function runAlertmanager(hookPort) {
  if (!h.ensureAlertmanager()) return undefined;
  const am = await h.spawnAlertmanager(
    'paging',
    [
      'route:',
      "  receiver: 'null'",
      '  group_by: [alertname]',
      '  group_wait: 30s',
      '  group_interval: 5m',
      '  repeat_interval: 4h',
      '  routes:',
      '    - matchers: [\'page="true"\']',
      '      receiver: page',
      "      group_by: ['...']",
      '      group_wait: 0s',
      '      group_interval: 1s',
      'receivers:',
      "  - name: 'null'",
      '  - name: page',
      '    webhook_configs:',
      `      - url: http://127.0.0.1:${hookPort}/page`,
      '        send_resolved: false',
      '',
    ].join('\n'),
  );
  await waitQuiet(am.pid, { cores: 0.05 });
  const res = await measure('alertmanager', { host: '127.0.0.1', port: am.port, path: '/api/v2/alerts' }, am.pid);
  res.peakRssMiB = memoryMiB(am.pid).hwm;
  await h.stopChild(am.child);
  return res;
}

/** The figures for BENCHMARKS.md's table (bench/results.mjs). */
function records(s) {
  const m = s.mainstay;
  const a = s.alertmanager;
  if (!m) return [];
  const anchor = a ? { anchorName: 'Alertmanager 0.25 (intake → webhook)' } : {};
  const bg = `${cfg.background.toLocaleString('en')} alerts/s`;
  return [
    {
      id: 'paging.p99',
      figure: `intake → incident → page, p99, with ${bg} of other alerts`,
      value: m.pages.latencyMs.p99,
      unit: 'ms',
      target: P99_TARGET_MS,
      targetOp: '<=',
      ...anchor,
      anchorValue: a?.pages.latencyMs.p99,
      notes: 'Alertmanager only forwards the alert to the webhook: no incident, no on-call lookup',
    },
    {
      id: 'paging.p50',
      figure: '… p50',
      value: m.pages.latencyMs.p50,
      unit: 'ms',
      ...anchor,
      anchorValue: a?.pages.latencyMs.p50,
    },
    {
      id: 'paging.delivered',
      figure: '… pages delivered (duplicates)',
      value: m.pages.delivered,
      unit: 'pages',
      target: m.pages.posted,
      targetOp: '>=',
      pass: m.pages.missing === 0 && m.pages.duplicates === 0,
      display: `${m.pages.delivered}/${m.pages.posted} (${m.pages.duplicates} duplicates)`,
      ...anchor,
      anchorValue: a?.pages.delivered,
      anchorDisplay: a ? `${a.pages.delivered}/${a.pages.posted}` : undefined,
    },
    {
      id: 'paging.background',
      figure: '… background alerts/s answered',
      value: m.background.okPerSec,
      unit: '/s',
      target: cfg.background,
      targetOp: '>=',
      pass: m.background.okPerSec >= 0.99 * cfg.background,
      ...anchor,
      anchorValue: a?.background.okPerSec,
    },
    {
      id: 'paging.cores',
      figure: '… server CPU',
      value: m.serverCores,
      unit: 'cores',
      ...anchor,
      anchorValue: a?.serverCores,
    },
    { id: 'paging.rss', figure: '… peak RSS', value: m.peakRssMiB, unit: 'MiB', ...anchor, anchorValue: a?.peakRssMiB },
  ];
}

const startedAt = new Date();
const summary = {
  bench: 'paging',
  startedAt: startedAt.toISOString(),
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    memGiB: round(os.totalmem() / 2 ** 30, 1),
    loadavg: loadavg(),
  },
  config: cfg,
  targetP99Ms: P99_TARGET_MS,
};
try {
  const hook = await call({ cmd: 'listen' });
  if (!cfg.skip.has('mainstay')) {
    await call({ cmd: 'reset' });
    summary.mainstay = await runMainstay(hook.port);
  }
  if (!cfg.skip.has('alertmanager')) {
    await call({ cmd: 'reset' });
    summary.alertmanager = await runAlertmanager(hook.port);
    if (summary.alertmanager) summary.alertmanager.version = h.alertmanagerVersion();
  }
  const m = summary.mainstay?.pages.latencyMs;
  const a = summary.alertmanager?.pages.latencyMs;
  if (m && a) summary.ratio = { p50: round(m.p50 / a.p50, 1), p99: round(m.p99 / a.p99, 1) };
  summary.pass = m ? m.p99 <= P99_TARGET_MS : undefined;
  const rows = [
    ['', 'Mainstay (intake→incident→page)', 'Alertmanager (intake→webhook)'],
    [
      'pages delivered',
      `${summary.mainstay?.pages.delivered}/${summary.mainstay?.pages.posted}`,
      `${summary.alertmanager?.pages.delivered}/${summary.alertmanager?.pages.posted}`,
    ],
    ['page latency p50 (ms)', m?.p50, a?.p50],
    ['page latency p99 (ms)', m?.p99, a?.p99],
    ['background alerts/s answered', summary.mainstay?.background.okPerSec, summary.alertmanager?.background.okPerSec],
    ['server cores', summary.mainstay?.serverCores, summary.alertmanager?.serverCores],
    ['peak RSS MiB', summary.mainstay?.peakRssMiB, summary.alertmanager?.peakRssMiB],
  ];
  for (const r of rows) process.stderr.write(`${r.map((x) => String(x ?? '-').padEnd(34)).join('')}\n`);
  if (summary.ratio)
    process.stderr.write(
      `ratio Mainstay/Alertmanager: p50 ${summary.ratio.p50}×, p99 ${summary.ratio.p99}×; target p99 ≤ ${P99_TARGET_MS} ms: ${summary.pass ? 'pass' : 'MISS'}\n`,
    );
  record.write(records(summary), { anchors: { alertmanager: summary.alertmanager?.version } });
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} finally {
  h.cleanup();
  process.exit(0);
}
