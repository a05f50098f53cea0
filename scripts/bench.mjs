// `npm run bench`: build, install the Debian anchors the benches compare against (when missing and
// running as root), run every benchmark in bench/*.bench.mjs, and rewrite the table at the top of
// BENCHMARKS.md from the results they write to .bench-results/<name>.json (see bench/results.mjs).
//
//   npm run bench                          every bench, full length (about 40 minutes on 2 cores)
//   npm run bench -- --quick               every bench, short (about 12 minutes)
//   npm run bench -- --only api,paging     some of them (names are the files' names before .bench.mjs)
//   npm run bench -- --table-only          no runs: rewrite the table from the result files there are
//
// Every other argument goes to each bench (e.g. --quick). A bench's full JSON summary (stdout) is kept
// in .bench-results/<name>.summary.json; its progress (stderr) shows here. Only the part of
// BENCHMARKS.md between the bench:table markers is rewritten; the sections below it are history.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.resolve(process.env.MAINSTAY_BENCH_RESULTS ?? path.join(root, '.bench-results'));
const benchmarksMd = path.join(root, 'BENCHMARKS.md');
const START = '<!-- bench:table:start -->';
const END = '<!-- bench:table:end -->';

/** Order of the table: the issues the benches belong to. Others follow by name. */
const ORDER = ['queue', 'checks', 'alerts', 'paging', 'api', 'cluster'];

/** What each bench compares against; the Debian package and the binary the bench runs. */
const ANCHORS = {
  checks: [{ pkg: 'prometheus-blackbox-exporter', bin: '/usr/bin/prometheus-blackbox-exporter' }],
  alerts: [{ pkg: 'prometheus-alertmanager', bin: '/usr/bin/prometheus-alertmanager' }],
  paging: [{ pkg: 'prometheus-alertmanager', bin: '/usr/bin/prometheus-alertmanager' }],
};

/** Benches whose figures the table names even before they have run (a row that says "not run"). */
const EXPECTED = {
  cluster: {
    figure: 'two instances on one PostgreSQL: check rate sustained, against one instance',
    source: 'bench/cluster.bench.mjs writes it (`npm run bench -- --only cluster`)',
  },
};

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const out = { only: undefined, tableOnly: false, pass: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') out.only = argv[++i];
    else if (a.startsWith('--only=')) out.only = a.slice('--only='.length);
    else if (a === '--table-only') out.tableOnly = true;
    else out.pass.push(a);
  }
  if (out.only !== undefined)
    out.only = out.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return out;
}

const byOrder = (a, b) => {
  const ia = ORDER.indexOf(a);
  const ib = ORDER.indexOf(b);
  return (ia < 0 ? ORDER.length : ia) - (ib < 0 ? ORDER.length : ib) || a.localeCompare(b);
};

function benches() {
  return fs
    .readdirSync(path.join(root, 'bench'))
    .filter((f) => f.endsWith('.bench.mjs'))
    .map((f) => f.slice(0, -'.bench.mjs'.length))
    .sort(byOrder);
}

// ---------------------------------------------------------------- anchors

/** Installs the missing anchors of `names` with apt-get when root; returns the ones still missing. */
function ensureAnchors(names) {
  const wanted = new Map();
  for (const n of names) for (const a of ANCHORS[n] ?? []) wanted.set(a.pkg, a);
  let missing = [...wanted.values()].filter((a) => !fs.existsSync(a.bin));
  if (missing.length && process.getuid?.() === 0) {
    const pkgs = missing.map((a) => a.pkg);
    console.log(`mainstay bench: installing ${pkgs.join(', ')} (apt-get)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
    if (install().status !== 0) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
      install();
    }
    missing = missing.filter((a) => !fs.existsSync(a.bin));
  }
  for (const a of missing) {
    const users = names.filter((n) => (ANCHORS[n] ?? []).some((x) => x.pkg === a.pkg));
    console.log(
      `mainstay bench: ${a.bin} is missing (anchor of ${users.join(', ')}): \`sudo apt-get install -y ${a.pkg}\`; ` +
        'those benches run without it',
    );
  }
  return missing;
}

// ---------------------------------------------------------------- running

function runBench(name, args) {
  fs.mkdirSync(resultsDir, { recursive: true });
  const resultFile = path.join(resultsDir, `${name}.json`);
  const before = fs.existsSync(resultFile) ? fs.statSync(resultFile).mtimeMs : 0;
  const summaryFile = path.join(resultsDir, `${name}.summary.json`);
  const out = fs.openSync(summaryFile, 'w');
  const t0 = Date.now();
  console.log(`\n== ${name} (node bench/${name}.bench.mjs ${args.join(' ')})`);
  const r = spawnSync(process.execPath, [path.join(root, 'bench', `${name}.bench.mjs`), ...args], {
    cwd: root,
    stdio: ['ignore', out, 'inherit'],
    env: { ...process.env, MAINSTAY_BENCH_RESULTS: resultsDir },
  });
  fs.closeSync(out);
  const wrote = fs.existsSync(resultFile) && fs.statSync(resultFile).mtimeMs > before;
  const minutes = ((Date.now() - t0) / 60000).toFixed(1);
  console.log(
    `== ${name}: exit ${r.status ?? r.signal} after ${minutes} min; ${wrote ? 'results written' : 'NO new results'}; summary in ${path.relative(root, summaryFile)}`,
  );
  return { name, status: r.status, ok: r.status === 0 && wrote, wrote, at: new Date(t0).toISOString() };
}

// ---------------------------------------------------------------- the table

function readResults() {
  if (!fs.existsSync(resultsDir)) return new Map();
  const out = new Map();
  for (const f of fs.readdirSync(resultsDir)) {
    if (!f.endsWith('.json') || f.endsWith('.summary.json')) continue;
    try {
      const doc = JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8'));
      if (Array.isArray(doc)) out.set(f.slice(0, -5), { bench: f.slice(0, -5), results: doc });
      else if (doc && Array.isArray(doc.results)) out.set(doc.bench ?? f.slice(0, -5), doc);
    } catch (err) {
      console.log(`mainstay bench: ${f} is not readable JSON (${err.message}); skipped`);
    }
  }
  return out;
}

const cell = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

function fmtNumber(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return String(x ?? '–');
  const digits = Number.isInteger(x) || Math.abs(x) >= 1000 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return x.toLocaleString('en', { maximumFractionDigits: digits });
}

function withUnit(x, unit) {
  if (x === null || x === undefined) return '–';
  const n = fmtNumber(x);
  if (!unit) return n;
  return unit.startsWith('/') ? `${n}${unit}` : `${n} ${unit}`;
}

function fmtTarget(r) {
  if (!r.targetOp || r.target === undefined || r.target === null) return '–';
  const op = r.targetOp === '<=' ? '≤' : '≥';
  if (r.targetOn === 'ratio') return `ratio ${op} ${fmtNumber(r.target)}`;
  return `${op} ${withUnit(r.target, r.unit)}`;
}

function verdict(r) {
  if (r.value === null || r.value === undefined) return '**failed**';
  if (r.pass === true) return 'pass';
  if (r.pass === false) return '**miss**';
  return 'reported';
}

const utc = (iso) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '?');

function machineText(m) {
  if (!m) return 'unknown machine';
  return `${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB RAM, ${m.os} (Linux ${m.kernel}), Node ${m.node}`;
}

function table(docs, failures) {
  const names = [...new Set([...benches(), ...docs.keys(), ...Object.keys(EXPECTED), ...failures.keys()])].sort(
    byOrder,
  );
  const machines = new Map();
  for (const d of docs.values()) {
    const t = machineText(d.machine);
    machines.set(t, (machines.get(t) ?? 0) + 1);
  }
  const mainMachine = [...machines.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const lines = [
    START,
    '## All figures (generated by `npm run bench`)',
    '',
    `Machine: ${mainMachine ?? 'no results yet'}. Loopback only; PostgreSQL on the same machine. The machine`,
    'is shared with other work: read each figure with the load average of its run, listed under the table.',
    'This section is rewritten by `npm run bench`; edits to it are lost.',
    '',
    '| bench | figure | target | Mainstay | anchor (same run) | ratio M/A | verdict | notes |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const runs = [];
  for (const name of names) {
    const d = docs.get(name);
    const failed = failures.get(name);
    if (!d) {
      const e = EXPECTED[name];
      lines.push(
        `| ${name} | ${cell(e?.figure ?? `every figure of bench/${name}.bench.mjs`)} | – | ${failed ? `failed (exit ${failed.status})` : 'not run'} | – | – | – | ${cell(`no .bench-results/${name}.json${e ? `: ${e.source}` : `; \`npm run bench -- --only ${name}\``}`)} |`,
      );
      continue;
    }
    const label = `${name}${d.quick ? ' (quick)' : ''}`;
    for (const r of d.results) {
      const value = r.display ?? withUnit(r.value, r.unit);
      const anchor =
        r.anchorDisplay ??
        (r.anchorValue !== undefined && r.anchorValue !== null ? withUnit(r.anchorValue, r.unit) : '–');
      const ratio = typeof r.ratio === 'number' ? fmtNumber(r.ratio) : '–';
      lines.push(
        `| ${cell(label)} | ${cell(r.figure)} | ${cell(fmtTarget(r))} | ${cell(value)} | ${cell(anchor)} | ${ratio} | ${verdict(r)} | ${cell(r.notes ?? '')} |`,
      );
    }
    const anchors = [...new Set(d.results.map((r) => r.anchorName).filter(Boolean))];
    const versions = Object.values(d.anchors ?? {}).filter(Boolean);
    const la = d.loadavg;
    const machine = machineText(d.machine);
    runs.push(
      `- **${name}**: ${utc(d.startedAt)}, ${d.quick ? 'quick' : 'full'} run of ${((d.durationSeconds ?? 0) / 60).toFixed(1)} min` +
        (la
          ? `, 1-minute load average ${la.start?.[0]} at the start, ${la.max1} at most, ${la.end?.[0]} at the end`
          : '') +
        (anchors.length ? `; anchor: ${anchors.join(', ')}${versions.length ? ` (${versions.join('; ')})` : ''}` : '') +
        (machine !== mainMachine ? `; machine: ${machine}` : '') +
        `; \`${d.command ?? `node bench/${name}.bench.mjs`}\`` +
        (failed
          ? `. **The run of ${utc(failed.at)} failed (exit ${failed.status}); these figures are from the run before.**`
          : ''),
    );
  }
  lines.push('', 'Runs:', '', ...runs, END);
  return lines.join('\n');
}

function rewriteBenchmarks(section) {
  const text = fs.readFileSync(benchmarksMd, 'utf8');
  let next;
  const i = text.indexOf(START);
  const j = text.indexOf(END);
  if (i >= 0 && j > i) next = `${text.slice(0, i)}${section}${text.slice(j + END.length)}`;
  else {
    // First time: after the introduction, before the first section of history.
    const k = text.search(/^## /m);
    next = k < 0 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, k)}${section}\n\n${text.slice(k)}`;
  }
  fs.writeFileSync(benchmarksMd, next);
  console.log(`mainstay bench: ${path.relative(process.cwd(), benchmarksMd)} table rewritten`);
}

// ---------------------------------------------------------------- main

const args = parseArgs(process.argv.slice(2));
const all = benches();
const selected = args.only ?? all;
const unknown = selected.filter((n) => !all.includes(n));
if (unknown.length) {
  console.error(`mainstay bench: no bench named ${unknown.join(', ')}; there are: ${all.join(', ')}`);
  process.exit(2);
}
const failures = new Map();
if (!args.tableOnly) {
  const { ensureDeps } = await import('./ensure-deps.mjs');
  const { build } = await import('./build.mjs');
  ensureDeps(root);
  build();
  ensureAnchors(selected);
  for (const name of selected) {
    const r = runBench(name, args.pass);
    if (!r.ok) failures.set(name, r);
  }
}
rewriteBenchmarks(table(readResults(), failures));
if (failures.size) console.log(`mainstay bench: failed: ${[...failures.keys()].join(', ')}`);
process.exit(failures.size ? 1 : 0);
