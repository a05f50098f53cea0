// Process bookkeeping and /proc readings shared by the benchmarks (CPU from /proc/<pid>/stat, RSS
// from /proc/<pid>/status).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const SCRIPT = path.basename(process.argv[1] ?? 'bench', '.mjs');

export function log(msg) {
  process.stderr.write(`[${SCRIPT} ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/**
 * The child processes of one benchmark run: `track` registers one (and reports an exit nobody asked
 * for), `stopChild` stops one (SIGTERM, then SIGKILL), `cleanup` kills the rest and removes `tmp`
 * (unless `keep`); it also runs on exit and on SIGINT/SIGTERM.
 */
export function processGroup({ tmp, keep = false }) {
  const children = new Set();
  let cleaned = false;
  function cleanup() {
    if (cleaned) return;
    cleaned = true;
    for (const c of children) {
      try {
        c.expectedExit = true;
        c.kill('SIGKILL');
      } catch {}
    }
    if (!keep) fs.rmSync(tmp, { recursive: true, force: true });
  }
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      log(`${sig}: stopping`);
      cleanup();
      process.exit(130);
    });
  }
  function track(child, name) {
    children.add(child);
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (!child.expectedExit) log(`${name} exited unexpectedly (code ${code}, signal ${signal})`);
    });
    return child;
  }
  async function stopChild(child, timeoutMs = 30000) {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.expectedExit = true;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(t);
  }
  return { track, stopChild, cleanup };
}

export function round(x, d = 0) {
  if (x === null || x === undefined || !Number.isFinite(x)) return x ?? null;
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(url, timeoutMs = 60000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {}
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * An admin API token from a server that has just started. `mainstay serve` listens (and answers
 * /readyz) before it creates the first admin, so a 401 right after the start is tried again, a few
 * times and spaced out, well below the sign-in lockout (10 failures).
 */
export async function adminToken(base, admin) {
  for (let attempt = 0, wait = 250; ; attempt++, wait *= 2) {
    const r = await fetch(`${base}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...admin, name: 'bench', scope: 'admin' }),
    });
    if (r.status === 201) return (await r.json()).token;
    if (r.status !== 401 || attempt >= 5) throw new Error(`token: ${r.status} ${await r.text()}`);
    await sleep(wait);
  }
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system, all threads) of a process. */
export function cpuSeconds(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** VmRSS and VmHWM (peak) in MiB. */
export function memoryMiB(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? Number.NaN) / 1024;
    return { rss: round(kb('VmRSS'), 1), hwm: round(kb('VmHWM'), 1) };
  } catch {
    return { rss: null, hwm: null };
  }
}

/** Whole-machine jiffies: busy (everything but idle and iowait), total. */
function machineTimes() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

export const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

/** Starts a CPU window over the given pids; `end()` returns cores used by each and by the machine. */
export function cpuWindow(pids) {
  const t0 = performance.now();
  const c0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const m0 = machineTimes();
  const self0 = process.cpuUsage();
  return {
    end() {
      const s = (performance.now() - t0) / 1000;
      const m1 = machineTimes();
      const cores = Object.fromEntries(
        Object.entries(pids).map(([k, pid]) => [k, round((cpuSeconds(pid) - c0[k]) / s, 3)]),
      );
      const self = process.cpuUsage(self0);
      const machine = ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * navigatorCores();
      const ours =
        Object.values(cores).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0) +
        (self.user + self.system) / 1e6 / s;
      return {
        seconds: round(s, 2),
        cores,
        machineBusyCores: round(machine, 2),
        otherCores: round(Math.max(0, machine - ours), 2),
      };
    },
  };
}

function navigatorCores() {
  return os.cpus().length || 1;
}

/** Waits until `pid` used less than `cores` of CPU over a `windowMs` window (or `timeoutMs`); returns ms waited. */
export async function waitQuiet(pid, { cores = 0.05, windowMs = 2000, timeoutMs = 300_000 } = {}) {
  const t0 = performance.now();
  for (;;) {
    const a = cpuSeconds(pid);
    await sleep(windowMs);
    const used = (cpuSeconds(pid) - a) / (windowMs / 1000);
    if (used < cores || performance.now() - t0 > timeoutMs) return Math.round(performance.now() - t0);
  }
}

/** `--name=value` and `--flag` arguments as a Map (a bare flag is 'true'); anything else is logged and ignored. */
export function parseFlags(argv = process.argv.slice(2)) {
  const flags = new Map();
  for (const a of argv) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(a);
    if (m) flags.set(m[1], m[2] ?? 'true');
    else log(`ignoring argument ${a}`);
  }
  return flags;
}

/** histogram_quantile over cumulative bucket counts `{le, n}` (linear within a bucket, as Prometheus does). */
export function quantile(q, buckets) {
  const total = buckets.at(-1)?.n ?? 0;
  if (!total) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevN = 0;
  for (const b of buckets) {
    if (b.n >= rank) {
      if (b.le === Number.POSITIVE_INFINITY) return prevLe; // beyond the last finite bucket
      return prevLe + ((b.le - prevLe) * (rank - prevN)) / Math.max(1, b.n - prevN);
    }
    prevLe = b.le;
    prevN = b.n;
  }
  return null;
}
