// Builds the server (tsc → dist/server) and the web app (vite → dist/web).
// Skips a part whose sources are older than its output, so `npm start` restarts fast.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir) {
  let t = 0;
  if (!fs.existsSync(dir)) return t;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(p));
    else t = Math.max(t, fs.statSync(p).mtimeMs);
  }
  return t;
}

function stamp(file) {
  return fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

export function build({ force = false } = {}) {
  const deps = Math.max(stamp(path.join(root, 'package-lock.json')), stamp(path.join(root, 'package.json')));
  const serverOut = path.join(root, 'dist', 'server', '.built');
  const serverSrc = Math.max(newest(path.join(root, 'src')), stamp(path.join(root, 'tsconfig.json')), deps);
  if (force || serverSrc > stamp(serverOut)) {
    console.log('mainstay: building server…');
    fs.rmSync(path.join(root, 'dist', 'server'), { recursive: true, force: true });
    run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
    fs.writeFileSync(serverOut, new Date().toISOString());
  }
  const webOut = path.join(root, 'dist', 'web', '.built');
  const webSrc = Math.max(newest(path.join(root, 'web')), deps);
  if (force || webSrc > stamp(webOut)) {
    console.log('mainstay: building web app…');
    run(process.execPath, [
      path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ]);
    fs.writeFileSync(webOut, new Date().toISOString());
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { ensureDeps } = await import('./ensure-deps.mjs');
  ensureDeps(root);
  build({ force: process.argv.includes('--force') });
}
