import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The newcomer's first `npm start` when port 8080 is taken: it must say so and how to pick another
 * port, and must not have created the first admin, whose generated password is printed only once
 * the server listens; the start on a free port then creates the admin and prints the login.
 * Runs the built server (dist/server), as `npm start` does.
 */

const root = path.resolve(import.meta.dirname, '..', '..');
const entry = path.join(root, 'dist', 'server', 'cli', 'main.js');
const env = { ...process.env, MAINSTAY_LOG_LEVEL: 'silent', MAINSTAY_ADMIN_EMAIL: '', MAINSTAY_ADMIN_PASSWORD: '' };

describe('the first start of mainstay serve', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-first-start-'));
  const taken = net.createServer();
  afterAll(async () => {
    await new Promise((r) => taken.close(r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('on a taken port says so, creates nobody, and the next start on a free port prints the admin login', {
    timeout: 60_000,
  }, async () => {
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const failed = spawnSync(process.execPath, [entry, 'serve', '--port', String(port), '--data-dir', dataDir], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain(`mainstay: 127.0.0.1:${port} is already in use`);
    expect(failed.stderr).toContain('npm start -- --port 8081');
    expect(failed.stdout).not.toContain('created the first admin');

    const child = spawn(process.execPath, [entry, 'serve', '--port', '0', '--data-dir', dataDir], { cwd: root, env });
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
        child.stdout.on('data', () => {
          if (/is serving http/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      expect(out).toContain('Mainstay created the first admin account');
      expect(out).toMatch(/password: \S{12,}/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
