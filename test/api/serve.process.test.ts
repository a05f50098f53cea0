import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const entry = path.join(root, 'dist', 'server', 'cli', 'main.js');

interface Running {
  child: ChildProcess;
  url: string;
  stdout: () => string;
}

/** Starts `mainstay serve` as a real process and waits for its "is serving" line. */
function startServe(dataDir: string, env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [entry, 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    env: { ...process.env, MAINSTAY_LOG_LEVEL: 'info', MAINSTAY_ADMIN_EMAIL: '', MAINSTAY_ADMIN_PASSWORD: '', ...env },
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
    child.stdout?.on('data', (d) => {
      out += String(d);
      const m = /is serving (http:\/\/[0-9.:]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, stdout: () => out });
      }
    });
    child.stderr?.on('data', (d) => {
      out += String(d);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('mainstay serve as a process', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-serve-'));
  beforeAll(() => {
    if (!fs.existsSync(entry))
      spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'ignore' });
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('creates the first admin once, shuts down cleanly on SIGTERM, and keeps everything across a restart', async () => {
    const first = await startServe(dataDir);
    const printed = /email:\s+(\S+)\s+password:\s+(\S+)/.exec(first.stdout());
    expect(printed, first.stdout()).not.toBeNull();
    const [, email, password] = printed!;
    expect(fs.existsSync(path.join(dataDir, 'mainstay.db'))).toBe(true);
    expect(fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);

    const login = await fetch(`${first.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, name: 'restart-test' }),
    });
    expect(login.status).toBe(201);
    const { token } = (await login.json()) as { token: string };
    const team = await fetch(`${first.url}/api/v1/teams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'survives-restart' }),
    });
    expect(team.status).toBe(201);

    const exited = exitOf(first.child);
    first.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(first.stdout()).toContain('stopped cleanly');

    const second = await startServe(dataDir);
    expect(second.stdout()).not.toContain('created the first admin');
    const teams = await fetch(`${second.url}/api/v1/teams?q=survives`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await teams.json()) as { total: number }).total).toBe(1);
    const ready = await fetch(`${second.url}/readyz`);
    expect(ready.status).toBe(200);
    const stopped = exitOf(second.child);
    second.child.kill('SIGINT');
    expect(await stopped).toBe(0);
  }, 90_000);

  it('a bad setting stops the start with the env var named', () => {
    const r = spawnSync(process.execPath, [entry, 'serve', '--data-dir', dataDir], {
      cwd: root,
      env: { ...process.env, MAINSTAY_PORT: 'eighty' },
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('MAINSTAY_PORT');
  });
});
