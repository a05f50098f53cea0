// Process plumbing shared by the benchmarks that run Mainstay and Alertmanager side by side
// (bench/alerts.bench.mjs, bench/paging.bench.mjs): child-process bookkeeping, the driver process
// (load generator + webhook recorder, bench/alerts/driver.mjs), a built `mainstay serve`, and the
// Debian Alertmanager.
import { fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminToken, freePort, log, processGroup, waitFor } from './procs.mjs';
import { monotonicUs } from './profile.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const AM_BIN = '/usr/bin/prometheus-alertmanager';

/**
 * @param {{ tmp: string, keep?: boolean, cpuProf?: boolean, dist: string }} cfg
 */
export function createHarness(cfg) {
  const { tmp } = cfg;
  const { track, stopChild, cleanup } = processGroup({ tmp, keep: cfg.keep });

  // ---------------------------------------------------------------- the driver (load generator + webhook recorder)

  const driver = track(
    fork(path.join(here, 'driver.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    'driver',
  );
  let callId = 0;
  function call(msg) {
    return new Promise((resolve, reject) => {
      const id = ++callId;
      const onMsg = (m) => {
        if (m.id !== id) return;
        driver.off('message', onMsg);
        if (m.ok) resolve(m);
        else reject(new Error(`driver: ${m.error}`));
      };
      driver.on('message', onMsg);
      driver.send({ ...msg, id });
    });
  }

  // ---------------------------------------------------------------- Mainstay

  const ADMIN = { email: 'bench@example.com', password: 'bench-password-1234' };

  async function startMainstay(name, { databaseUrl } = {}) {
    const port = await freePort();
    const dataDir = path.join(tmp, `data-${name}`);
    const profDir = cfg.cpuProf ? fs.mkdtempSync(path.join(os.tmpdir(), `mainstay-alerts-prof-${name}-`)) : undefined;
    const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
    const env = {
      ...process.env,
      MAINSTAY_ADMIN_EMAIL: ADMIN.email,
      MAINSTAY_ADMIN_PASSWORD: ADMIN.password,
      MAINSTAY_LOG_LEVEL: 'warn',
    };
    delete env.MAINSTAY_DATABASE_URL;
    if (databaseUrl) env.MAINSTAY_DATABASE_URL = databaseUrl;
    const child = track(
      spawn(
        process.execPath,
        [
          ...nodeArgs,
          path.join(cfg.dist, 'server/cli/main.js'),
          'serve',
          '--port',
          String(port),
          '--data-dir',
          dataDir,
        ],
        { cwd: tmp, env, stdio: ['ignore', 'ignore', 'pipe'] },
      ),
      `mainstay serve (${name})`,
    );
    const stderr = [];
    child.stderr.on('data', (d) => {
      if (stderr.length < 200) stderr.push(String(d));
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/readyz`);
    const token = await adminToken(base, ADMIN);
    log(`mainstay (${name}) serving ${base}, pid ${child.pid}${databaseUrl ? ', PostgreSQL' : ', SQLite'}`);
    return { name, child, pid: child.pid, port, base, token, dataDir, profDir, stderr, windows: {} };
  }

  /** Marks the start (then the end) of a span of the serve process's CPU profile. */
  function span(ms, name) {
    ms.windows[name] ??= [];
    ms.windows[name].push(monotonicUs());
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

  const doc = (kind, name, spec) => ({
    source: `bench:${kind}/${name}`,
    document: { apiVersion: 'mainstay/v1', kind, metadata: { name }, spec },
  });

  // ---------------------------------------------------------------- Alertmanager

  function ensureAlertmanager() {
    if (fs.existsSync(AM_BIN)) return true;
    if (process.getuid?.() === 0) {
      log('installing prometheus-alertmanager (apt-get)');
      const r = spawnSync('apt-get', ['install', '-y', 'prometheus-alertmanager'], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      if (r.status === 0 && fs.existsSync(AM_BIN)) return true;
    }
    log(`${AM_BIN} is missing: run \`sudo apt-get install -y prometheus-alertmanager\`; skipping Alertmanager`);
    return false;
  }

  async function spawnAlertmanager(name, configText) {
    const port = await freePort();
    const dir = path.join(tmp, `am-${name}`);
    fs.mkdirSync(dir, { recursive: true });
    const config = path.join(dir, 'alertmanager.yml');
    fs.writeFileSync(config, configText);
    const child = track(
      spawn(
        AM_BIN,
        [
          `--config.file=${config}`,
          `--storage.path=${dir}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      ),
      `alertmanager (${name})`,
    );
    const stderr = [];
    child.stderr.on('data', (d) => {
      if (stderr.length < 200) stderr.push(String(d));
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/-/ready`);
    log(`alertmanager (${name}) serving ${base}, pid ${child.pid}`);
    return { name, child, pid: child.pid, port, base, stderr };
  }

  function alertmanagerVersion() {
    const r = spawnSync(AM_BIN, ['--version'], { encoding: 'utf8' });
    return (r.stdout || r.stderr).split('\n')[0].trim();
  }

  return {
    driver,
    call,
    track,
    stopChild,
    cleanup,
    ADMIN,
    startMainstay,
    span,
    api,
    doc,
    ensureAlertmanager,
    spawnAlertmanager,
    alertmanagerVersion,
  };
}
