// `npm start`: install what is missing, build, then serve (migrations run at start-up).
// Extra arguments pass through: `npm start -- --port 9090`.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from './build.mjs';
import { ensureDeps } from './ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureDeps(root);
build();
// In this process, not a child: a terminal's Ctrl-C already reaches the whole process group,
// and a relaying parent would deliver the signal twice.
const entry = path.join(root, 'dist', 'server', 'cli', 'main.js');
process.argv = [process.argv[0], entry, 'serve', ...process.argv.slice(2)];
await import(pathToFileURL(entry).href);
