// `npm start`: install what is missing, build, then serve (migrations run at start-up).
// Extra arguments pass through: `npm start -- --port 9090`.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';
import { ensureDeps } from './ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps(root);
build();
const child = spawn(
  process.execPath,
  [path.join(root, 'dist', 'server', 'cli', 'main.js'), 'serve', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
// The server handles SIGINT/SIGTERM itself (graceful shutdown); pass them on and wait.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
