// Summarises a V8 .cpuprofile (from `node --cpu-prof`) into the top self-time functions, the time per
// area (source folder, node_modules package, node internals) as bench/checks.bench.mjs does, and the
// inclusive time of Mainstay's own functions (where the hot paths start). Optional windows restrict
// the samples to spans of the run: V8 stamps samples with the monotonic clock in microseconds, the
// same clock as process.hrtime() in the bench, so the bench marks a phase with `monotonicUs()`.
import fs from 'node:fs';
import path from 'node:path';

export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

export function loadProfile(dir) {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f));
  if (!files.length) return undefined;
  // The serve process writes one profile; take the largest if there are more.
  const file = files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  return { file, prof: JSON.parse(fs.readFileSync(file, 'utf8')) };
}

/** `window`: [fromUs, toUs] on the monotonic clock, or undefined for the whole profile. */
export function summariseProfile(loaded, root, { window, top = 25 } = {}) {
  if (!loaded) return { error: 'no .cpuprofile written' };
  const { file, prof } = loaded;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const dt = prof.timeDeltas;
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  let idle = 0;
  let t = prof.startTime;
  const mainstayKey = (id) => {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const i = url.indexOf('/dist/server/');
    return i >= 0 && !url.includes('/node_modules/')
      ? `${functionName || '(anonymous)'} ${url.slice(i + 1)}:${lineNumber + 1}`
      : undefined;
  };
  prof.samples.forEach((id, i) => {
    t += dt[i] ?? 0;
    if (window && (t < window[0] || t > window[1])) return;
    const d = dt[i + 1] ?? 0;
    total += d;
    if (byId.get(id).callFrame.functionName === '(idle)') idle += d;
    self.set(id, (self.get(id) ?? 0) + d);
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const k = mainstayKey(n);
      if (k && !seen.has(k)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + d);
      }
    }
  });
  const fns = new Map();
  const areas = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const i = url.indexOf('/dist/server/');
    const short = i >= 0 ? url.slice(i + 1) : url.replace(/^file:\/\//, '').replace(`${root}/`, '');
    const key = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + us);
    const area = !url
      ? functionName || '(native)'
      : url.includes('/node_modules/')
        ? `node_modules/${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)[1]}`
        : url.startsWith('node:')
          ? 'node: internals'
          : short.split('/').slice(0, 3).join('/');
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const list = (m, k) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: Math.round((us / total) * 1000) / 10 }));
  return {
    file,
    totalMs: Math.round(total / 1000),
    idlePct: total ? Math.round((idle / total) * 1000) / 10 : null,
    topSelf: list(fns, top),
    byArea: list(areas, 15),
    topInclusiveMainstay: list(inclusive, top),
  };
}
