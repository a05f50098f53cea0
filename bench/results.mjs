// Machine-readable results of one benchmark run, for `npm run bench` (scripts/bench.mjs) to collect
// into the table of BENCHMARKS.md. Every bench writes `.bench-results/<name>.json`:
//
//   { bench, command, quick, startedAt, finishedAt, durationSeconds, machine, loadavg, anchors,
//     results: [{ id, figure, value, unit, target, targetOp, targetOn, anchorName, anchorValue, ratio,
//                 pass, display, anchorDisplay, notes }] }
//
// A result: `value` is the number the verdict is taken on (in `unit`); `target` and `targetOp` ('<=',
// '>=') state the target, on `value` or, with `targetOn: 'ratio'`, on `ratio` (value / anchorValue);
// no targetOp means the figure is reported, not judged. `pass` overrides the comparison where the
// bench judges on more than one number (e.g. "every result stored and lag p99 ≤ 1 s"). `display` and
// `anchorDisplay` are the cells as people read them ("p50/p95/p99 3/8/21 ms"); without them the
// table prints the value and unit. `notes` is one short sentence.
//
// Another bench (e.g. the two-instance PostgreSQL run, `cluster`) only has to call writeResults with
// the same shape for its figures to appear in the table.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where result files go: MAINSTAY_BENCH_RESULTS, or .bench-results in the repository. */
export const resultsDir = () => path.resolve(process.env.MAINSTAY_BENCH_RESULTS ?? path.join(root, '.bench-results'));

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

function osName() {
  try {
    const rel = fs.readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(rel)?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

/** CPU model, cores, RAM, OS, kernel and Node version of this machine. */
export function machineInfo() {
  let cores = os.cpus().length;
  try {
    cores = Number(execFileSync('nproc').toString().trim()) || cores;
  } catch {}
  return {
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
    cores,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: osName(),
    kernel: os.release(),
    node: process.version,
  };
}

/**
 * Starts the record of one run: call at the start of the bench (it notes the time and the load
 * average); `write(results, extra)` at the end writes `.bench-results/<name>.json` and returns its path.
 * While the bench runs, `sample()` may be called now and then to keep the highest 1-minute load average.
 */
export function benchRun(name, { quick = false } = {}) {
  const startedAt = new Date();
  const start = loadavg();
  let max = start[0];
  const timer = setInterval(() => {
    max = Math.max(max, loadavg()[0]);
  }, 5000);
  timer.unref();
  return {
    sample() {
      max = Math.max(max, loadavg()[0]);
    },
    write(results, extra = {}) {
      clearInterval(timer);
      const end = loadavg();
      max = Math.max(max, end[0]);
      const finishedAt = new Date();
      const doc = {
        bench: name,
        command: `node ${path.relative(root, process.argv[1] ?? '')} ${process.argv.slice(2).join(' ')}`.trim(),
        quick,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
        machine: machineInfo(),
        loadavg: { start, max1: max, end },
        ...extra,
        results: results.map(finish),
      };
      const dir = resultsDir();
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${name}.json`);
      fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
      process.stderr.write(`[${name}] results: ${path.relative(process.cwd(), file)} (${results.length} figures)\n`);
      return file;
    },
  };
}

/** Fills in the ratio (value / anchorValue) and the verdict where the result leaves them out. */
function finish(r) {
  const out = { ...r };
  const num = (x) => typeof x === 'number' && Number.isFinite(x);
  if (out.ratio === undefined && num(out.value) && num(out.anchorValue) && out.anchorValue !== 0)
    out.ratio = Math.round((out.value / out.anchorValue) * 100) / 100;
  if (out.pass === undefined && out.targetOp && num(out.target)) {
    const x = out.targetOn === 'ratio' ? out.ratio : out.value;
    if (num(x)) out.pass = out.targetOp === '<=' ? x <= out.target : x >= out.target;
  }
  return out;
}
