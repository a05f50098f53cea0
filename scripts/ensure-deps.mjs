// Installs dependencies when node_modules is missing or older than package-lock.json.
// Used by `npm start` and `npm test` so a fresh clone needs nothing done by hand.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function ensureDeps(root) {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  const stale =
    !fs.existsSync(marker) ||
    !fs.existsSync(path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')) ||
    (fs.existsSync(lock) && fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  // `npm install`, not `npm ci`: it follows package-lock.json all the same, and npm 11's `ci`
  // rejects lockfiles that omit other platforms' optional packages (Biome's), as ours do.
  console.log('mainstay: installing dependencies (npm install; better-sqlite3 builds from source, about a minute)…');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, npm_config_build_from_source: 'true' },
  });
  if (r.status !== 0) {
    console.error('mainstay: npm install failed; see the output above');
    process.exit(r.status ?? 1);
  }
}
