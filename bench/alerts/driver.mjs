// Load generator and webhook recorder for bench/alerts.bench.mjs, in its own process so its CPU is
// counted neither as Mainstay's nor as Alertmanager's. Driven over IPC; every command answers with
// one message {id, ...result}:
//
//   {cmd:'listen'}                        start the recording webhook server; → {port}
//   {cmd:'reset'}                         forget recorded sends and arrivals
//   {cmd:'load', target, kind, mode, …}   send requests (see `load` below); → counts and latencies
//   {cmd:'deliveries', from, to, quietMs, timeoutMs}
//                                         wait until alerts with seq in [from, to) arrived at the
//                                         webhook (or nothing arrived for quietMs); → delivery latency
//
// Alerts sent with kind 'am-seq' carry a `seq` label. The time each POST was written is kept per seq;
// the webhook server records when the notification holding that seq arrived, so delivery latency is
// measured on one clock (performance.now() of this process).
import http from 'node:http';
import { Conn, getBytes, postBytes, summarise } from './http-client.mjs';

const sentAt = new Map(); // seq → performance.now() when its POST was written
const arrivedAt = new Map(); // seq → performance.now() when the webhook received it
const hook = { notifications: 0, alerts: 0, duplicates: 0, bytes: 0, lastAt: 0 };
let seqNext = 0;

function startWebhook() {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const now = performance.now();
      const buf = Buffer.concat(chunks);
      hook.notifications++;
      hook.bytes += buf.length;
      hook.lastAt = now;
      try {
        const body = JSON.parse(buf.toString('utf8'));
        // Alertmanager webhook payloads carry alerts[]; Mainstay's incident pages carry the incident
        // with the group's common labels (with group_by ['...'], the alert's own labels).
        const carried = body.alerts ?? (body.incident ? [{ labels: body.incident.labels }] : []);
        for (const a of carried) {
          hook.alerts++;
          const seq = a.labels?.seq;
          if (seq === undefined) continue;
          const n = Number(seq);
          if (arrivedAt.has(n)) hook.duplicates++;
          else arrivedAt.set(n, now);
        }
      } catch {}
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

// ---------------------------------------------------------------- request makers

const SEVERITIES_PD = ['critical', 'error', 'warning', 'info'];

/** PagerDuty Events v2 triggers over `keys` distinct dedup keys, cycled (so every key repeats). */
function pdMaker(t, o) {
  const cache = [];
  for (let k = 0; k < o.keys; k++) {
    const body = JSON.stringify({
      routing_key: o.routingKey,
      event_action: 'trigger',
      dedup_key: `bench-${k}`,
      payload: {
        summary: `bench alert ${k}: disk usage above threshold on host-${k}`,
        source: `host-${k}.example.com`,
        severity: SEVERITIES_PD[k % 4],
        component: `component-${k % 20}`,
        group: `group-${k % 5}`,
        class: 'disk',
        custom_details: { free_bytes: 1024 * k, mount: '/var' },
      },
    });
    cache.push(postBytes(t.host, t.port, '/v2/enqueue', body));
  }
  return (i) => ({ bytes: cache[i % o.keys], seqs: undefined });
}

/** Alertmanager v2 API bodies: `batch` alerts per POST, each with a fresh `seq` label. */
function amSeqMaker(t, o) {
  return () => {
    const alerts = [];
    const seqs = [];
    for (let j = 0; j < o.batch; j++) {
      const seq = seqNext++;
      seqs.push(seq);
      alerts.push({
        labels: {
          alertname: 'BenchDelivery',
          seq: String(seq),
          instance: `host-${seq % 1000}`,
          job: 'bench',
          ...(o.extraLabels ?? {}),
        },
        annotations: { summary: `delivery probe ${seq}` },
        generatorURL: 'http://prometheus.example/graph',
      });
    }
    return { bytes: postBytes(t.host, t.port, t.path, JSON.stringify(alerts)), seqs };
  };
}

/**
 * Alertmanager v2 API bodies for the large population: alert number `start + i*batch + j` (up to
 * `start + alerts`), with
 * 100 alert names, 4 severities (a quarter critical), 20 jobs and a distinct instance each.
 */
function amPopulationMaker(t, o) {
  const sev = ['critical', 'warning', 'info', 'warning'];
  return (i) => {
    const alerts = [];
    for (let j = 0; j < o.batch; j++) {
      // `cycle`: go round the population again (repeats of known alerts) instead of stopping at its end.
      const k = i * o.batch + j;
      if (!o.cycle && k >= o.alerts) break;
      const n = o.start + (k % o.alerts);
      alerts.push({
        labels: {
          alertname: `BenchAlert${n % 100}`,
          severity: sev[n % 4],
          job: `job-${n % 20}`,
          instance: `host-${n}.example.com:9100`,
          team: `team-${n % 7}`,
        },
        annotations: { summary: `bench alert ${n}`, description: `instance host-${n} has been failing for 5m` },
        generatorURL: 'http://prometheus.example/graph?g0.expr=up%3D%3D0',
      });
    }
    return { bytes: postBytes(t.host, t.port, t.path, JSON.stringify(alerts)), seqs: undefined };
  };
}

function getMaker(t, o) {
  const bytes = getBytes(t.host, t.port, t.path, o.headers ?? {});
  return () => ({ bytes, seqs: undefined });
}

const MAKERS = { pd: pdMaker, 'am-seq': amSeqMaker, 'am-population': amPopulationMaker, get: getMaker };

// ---------------------------------------------------------------- the load loop

/**
 * mode 'open':   `rate` requests/s for `seconds` (after `warmupSeconds`, not recorded) over up to
 *                `connections` keep-alive connections; a request that finds no idle connection waits
 *                in a FIFO (its latency counts from when it was due: no coordinated omission), and
 *                is dropped when `maxQueue` are already waiting.
 * mode 'closed': `connections` connections, each sending its next request as soon as the last one
 *                answered, for `seconds` (after `warmupSeconds`).
 * mode 'count':  exactly `count` requests over `connections` connections, as fast as they answer.
 */
function load(o) {
  const make = MAKERS[o.kind](o.target, o);
  const conns = Array.from({ length: o.connections }, () => new Conn(o.target.host, o.target.port));
  const idle = [...conns];
  const queue = []; // due times of requests waiting for a connection
  const service = [];
  const corrected = [];
  const statuses = {};
  const errorSamples = [];
  let i = 0;
  let sent = 0;
  let completed = 0;
  let ok = 0;
  let totalOk = 0; // 2xx answers including the warm-up: what the server was told to keep
  let errors = 0;
  let dropped = 0;
  let inFlight = 0;
  let recording = !(o.warmupSeconds > 0);
  let stopped = false;
  const t0 = performance.now();
  let tRec = recording ? t0 : 0;
  let tEnd = 0;
  const warmEnd = t0 + (o.warmupSeconds ?? 0) * 1000;
  const end = warmEnd + (o.seconds ?? 0) * 1000;

  return new Promise((resolve) => {
    const finish = () => {
      stopped = true;
      clearInterval(timer);
      tEnd = performance.now();
      // Wait (bounded) for requests still in flight, then report.
      const until = performance.now() + (o.drainMs ?? 10_000);
      const waitDrain = () => {
        if (inFlight > 0 && performance.now() < until) return setTimeout(waitDrain, 5);
        for (const c of conns) c.close();
        const seconds = (tEnd - tRec) / 1000;
        resolve({
          mode: o.mode,
          seconds,
          sent,
          completed,
          ok,
          totalOk,
          errors,
          dropped,
          inFlightAtEnd: inFlight,
          statuses,
          errorSamples,
          okPerSec: ok / seconds,
          completedPerSec: completed / seconds,
          serviceMs: summarise(service),
          correctedMs: o.mode === 'open' ? summarise(corrected) : undefined,
        });
      };
      waitDrain();
    };

    const issue = (conn, dueAt) => {
      const r = make(i++);
      const rec = recording;
      if (rec) sent++;
      inFlight++;
      const at = performance.now();
      if (r.seqs) for (const s of r.seqs) sentAt.set(s, at);
      conn.send(r.bytes, (status, body, err) => {
        inFlight--;
        const now = performance.now();
        if (!err && status >= 200 && status < 300) totalOk++;
        if (rec && !stopped) {
          completed++;
          service.push(now - at);
          if (dueAt !== undefined) corrected.push(now - dueAt);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (err) errors++;
          else if (status >= 200 && status < 300) ok++;
          if ((err || status >= 300) && errorSamples.length < 5)
            errorSamples.push(err ? String(err.message) : `${status} ${body?.toString('utf8').slice(0, 300)}`);
        }
        next(conn);
      });
    };

    const next = (conn) => {
      if (stopped) return;
      if (o.mode === 'open') {
        if (queue.length) issue(conn, queue.shift());
        else idle.push(conn);
        return;
      }
      if (o.mode === 'count') {
        if (i < o.count) issue(conn);
        else if (inFlight === 0) finish();
        return;
      }
      issue(conn);
    };

    let timer;
    if (o.mode === 'open') {
      let issued = 0;
      const tStart = t0;
      timer = setInterval(() => {
        const now = performance.now();
        if (!recording && now >= warmEnd) {
          recording = true;
          tRec = now;
        }
        if (now >= end) return finish();
        const due = Math.floor(((now - tStart) * o.rate) / 1000);
        while (issued < due) {
          const dueAt = tStart + (issued * 1000) / o.rate;
          issued++;
          const c = idle.pop();
          if (c) issue(c, dueAt);
          else if (queue.length < (o.maxQueue ?? 10_000)) queue.push(dueAt);
          else if (recording) dropped++;
        }
      }, 1);
    } else if (o.mode === 'closed') {
      timer = setInterval(() => {
        const now = performance.now();
        if (!recording && now >= warmEnd) {
          recording = true;
          tRec = now;
        }
        if (now >= end) finish();
      }, 5);
      for (const c of idle.splice(0)) issue(c);
    } else {
      tRec = t0;
      for (const c of idle.splice(0)) {
        if (i < o.count) issue(c);
      }
      if (o.count === 0) finish();
    }
  });
}

// ---------------------------------------------------------------- deliveries

async function deliveries({ from, to, quietMs = 5000, timeoutMs = 120_000 }) {
  const t0 = performance.now();
  let lastCount = -1;
  let lastChange = t0;
  for (;;) {
    let n = 0;
    for (let s = from; s < to; s++) if (arrivedAt.has(s)) n++;
    const now = performance.now();
    if (n !== lastCount) {
      lastCount = n;
      lastChange = now;
    }
    if (n >= to - from || now - lastChange > quietMs || now - t0 > timeoutMs) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const lat = [];
  const arrivals = [];
  let firstSend = Number.POSITIVE_INFINITY;
  let lastSend = 0;
  let lastArrival = 0;
  for (let s = from; s < to; s++) {
    const a = sentAt.get(s);
    if (a !== undefined) {
      firstSend = Math.min(firstSend, a);
      lastSend = Math.max(lastSend, a);
    }
    const b = arrivedAt.get(s);
    if (b !== undefined && a !== undefined) {
      lat.push(b - a);
      arrivals.push(b);
      lastArrival = Math.max(lastArrival, b);
    }
  }
  // The longest stretch without a webhook between the first POST and the last arrival: a stalled stage
  // shows here even when the average rate looks fine.
  arrivals.sort((x, y) => x - y);
  let maxGapMs = arrivals.length ? arrivals[0] - firstSend : null;
  for (let k = 1; k < arrivals.length; k++) maxGapMs = Math.max(maxGapMs, arrivals[k] - arrivals[k - 1]);
  return {
    expected: to - from,
    maxGapMs,
    delivered: lat.length,
    missing: to - from - lat.length,
    duplicates: hook.duplicates,
    latencyMs: summarise(lat),
    sendSpanMs: lastSend - firstSend,
    firstSendToLastArrivalMs: lastArrival ? lastArrival - firstSend : null,
    deliveredPerSec: lastArrival ? lat.length / ((lastArrival - firstSend) / 1000) : 0,
    webhook: { ...hook },
  };
}

// ---------------------------------------------------------------- IPC

process.on('message', async (m) => {
  try {
    let out;
    if (m.cmd === 'listen') out = { port: await startWebhook() };
    else if (m.cmd === 'reset') {
      sentAt.clear();
      arrivedAt.clear();
      Object.assign(hook, { notifications: 0, alerts: 0, duplicates: 0, bytes: 0, lastAt: 0 });
      out = { seqNext };
    } else if (m.cmd === 'seq') out = { seqNext };
    else if (m.cmd === 'load') out = await load(m);
    else if (m.cmd === 'deliveries') out = await deliveries(m);
    else if (m.cmd === 'webhook') out = { ...hook };
    else throw new Error(`unknown command ${m.cmd}`);
    process.send({ id: m.id, ok: true, ...out });
  } catch (err) {
    process.send({ id: m.id, ok: false, error: err.stack ?? String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
