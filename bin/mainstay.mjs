#!/usr/bin/env node
// Launcher for `mainstay` / `npx mainstay`: runs the built CLI, building it first on a fresh checkout.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'server', 'cli', 'main.js');

if (!fs.existsSync(entry)) {
  // Build output goes to stderr so stdout stays clean for the command itself.
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 2, 2] });
  if (!fs.existsSync(entry)) {
    console.error(`mainstay: the build did not produce ${path.relative(root, entry)}; run npm run build and look at its errors`);
    process.exit(r.status || 1);
  }
  // The CLI needs only the server build; a failed web build matters to `serve` alone.
  if (r.status !== 0) console.error('mainstay: the build reported errors (see above); running the CLI anyway');
}
await import(pathToFileURL(entry).href);
