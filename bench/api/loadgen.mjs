// Open-loop mixed API load for bench/api.bench.mjs, in its own process so its CPU is not counted as
// the server's. Driven over IPC: {cmd:'run', …} sends `rate` requests/s for `warmupSeconds` (not
// recorded) + `seconds`, drawn from the weighted mix below, and answers {id, ok, …stats}.
//
// Requests go over raw keep-alive connections (bench/alerts/http-client.mjs), one in flight per
// connection. A request due while every connection is busy waits in a FIFO and its latency counts
// from when it was due (no coordinated omission); beyond `maxQueue` waiting it is dropped and counted.
// Every request due inside the measured window is recorded, also when it answers after the window.
import { Conn, pct } from '../alerts/http-client.mjs';

/**
 * The mix: reads are what the web UI's list and detail pages load; writes are what operators and
 * integrations do meanwhile. Weights are per 100 requests.
 */
export const MIX = [
  { kind: 'checks.list', cls: 'read', weight: 17 },
  { kind: 'checks.list.filtered', cls: 'read', weight: 5 },
  { kind: 'checks.get', cls: 'read', weight: 10 },
  { kind: 'checks.results', cls: 'read', weight: 5 },
  { kind: 'checks.series', cls: 'read', weight: 3 },
  { kind: 'alerts.list', cls: 'read', weight: 10 },
  { kind: 'alerts.get', cls: 'read', weight: 5 },
  { kind: 'incidents.list', cls: 'read', weight: 10 },
  { kind: 'incidents.get', cls: 'read', weight: 5 },
  { kind: 'pagerduty.event', cls: 'write', weight: 10 },
  { kind: 'checks.create', cls: 'write', weight: 4 },
  { kind: 'checks.update', cls: 'write', weight: 4 },
  { kind: 'checks.delete', cls: 'write', weight: 4 },
  { kind: 'alerts.ack', cls: 'write', weight: 4 },
  { kind: 'incidents.ack', cls: 'write', weight: 4 },
];

/** mulberry32: the same sequence of requests on every run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function requestBytes(o, method, path, body, auth = true) {
  const b = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${o.host}:${o.port}\r\n`;
  if (auth) head += `Authorization: Bearer ${o.token}\r\n`;
  if (b) head += `Content-Type: application/json\r\nContent-Length: ${b.length}\r\n`;
  else if (method !== 'GET') head += 'Content-Length: 0\r\n';
  return b ? Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), b]) : Buffer.from(`${head}\r\n`, 'latin1');
}

/** What the writes have done so far, per server: runs against the same server carry on from it. */
const servers = new Map();

/** Builds the next request of the mix (`o.mix` or MIX); keeps the state that writes need. */
function requestMaker(o) {
  const rnd = prng(o.seed ?? 1);
  const mix = o.mix ?? MIX;
  const total = mix.reduce((a, m) => a + m.weight, 0);
  const pick = () => {
    let x = rnd() * total;
    for (const m of mix) {
      x -= m.weight;
      if (x < 0) return m;
    }
    return mix[mix.length - 1];
  };
  const checkName = (i) => `${o.checkPrefix}${String(i + 1).padStart(5, '0')}`;
  const anyCheck = () => checkName(Math.floor(rnd() * o.checks));
  const checkBody = (name, labels) => ({
    name,
    kind: 'http',
    intervalSeconds: o.interval,
    timeoutSeconds: 5,
    target: { url: o.targetUrl },
    labels,
  });
  const key = `${o.host}:${o.port}:${o.token}`;
  if (!servers.has(key))
    // created: checks created (answered 201) and not deleted yet
    servers.set(key, { created: [], createdN: 0, updates: 0, alertAcks: 0, incidentAcks: 0, pdN: 0 });
  const st = servers.get(key);
  const created = st.created;
  const pageOffset = (n) => Math.floor(rnd() * Math.max(1, Math.ceil(n / 50))) * 50;

  return () => {
    let m = pick();
    if (m.kind === 'checks.delete' && created.length === 0) m = MIX.find((x) => x.kind === 'checks.create');
    const r = { kind: m.kind, cls: m.cls };
    switch (m.kind) {
      case 'checks.list':
        r.bytes = requestBytes(o, 'GET', `/api/v1/checks?limit=50&offset=${pageOffset(o.checks)}`);
        break;
      case 'checks.list.filtered': {
        const f = [
          'status=up',
          'status=down',
          `q=${encodeURIComponent(checkName(Math.floor(rnd() * o.checks)).slice(0, -2))}`,
        ];
        r.bytes = requestBytes(o, 'GET', `/api/v1/checks?${f[Math.floor(rnd() * f.length)]}&limit=50`);
        break;
      }
      case 'checks.get':
        r.bytes = requestBytes(o, 'GET', `/api/v1/checks/${anyCheck()}`);
        break;
      case 'checks.results':
        r.bytes = requestBytes(o, 'GET', `/api/v1/checks/${anyCheck()}/results?limit=50`);
        break;
      case 'checks.series':
        r.bytes = requestBytes(o, 'GET', `/api/v1/checks/${anyCheck()}/series`);
        break;
      case 'alerts.list':
        r.bytes = requestBytes(o, 'GET', `/api/v1/alerts?limit=50&offset=${pageOffset(o.alertIds.length)}`);
        break;
      case 'alerts.get':
        r.bytes = requestBytes(o, 'GET', `/api/v1/alerts/${o.alertIds[Math.floor(rnd() * o.alertIds.length)]}`);
        break;
      case 'incidents.list':
        r.bytes = requestBytes(o, 'GET', `/api/v1/incidents?limit=50&offset=${pageOffset(o.incidents)}`);
        break;
      case 'incidents.get':
        r.bytes = requestBytes(o, 'GET', `/api/v1/incidents/${1 + Math.floor(rnd() * o.incidents)}`);
        break;
      case 'pagerduty.event': {
        // Four in five repeat a known dedup key (the alert exists); one in five opens a new alert.
        const n = st.pdN++;
        const key = n % 5 === 4 ? `api-new-${n}` : `api-${Math.floor(rnd() * o.pdKeys)}`;
        r.bytes = requestBytes(
          o,
          'POST',
          '/v2/enqueue',
          {
            routing_key: o.routingKey,
            event_action: 'trigger',
            dedup_key: key,
            payload: {
              summary: `api bench: ${key} disk usage above threshold`,
              source: `${key}.example.com`,
              severity: ['critical', 'error', 'warning', 'info'][n % 4],
              component: `component-${n % 20}`,
              custom_details: { mount: '/var', free_bytes: n },
            },
          },
          false,
        );
        break;
      }
      case 'checks.create': {
        const name = `${o.createPrefix}${st.createdN++}`;
        r.bytes = requestBytes(o, 'POST', '/api/v1/checks', checkBody(name, { bench: 'api', made: 'loadgen' }));
        r.onDone = (status) => {
          if (status === 201) created.push(name);
        };
        break;
      }
      case 'checks.update': {
        const name = anyCheck();
        r.bytes = requestBytes(
          o,
          'PUT',
          `/api/v1/checks/${name}`,
          checkBody(name, { bench: 'api', rev: String(st.updates++) }),
        );
        break;
      }
      case 'checks.delete':
        r.bytes = requestBytes(o, 'DELETE', `/api/v1/checks/${created.shift()}`);
        break;
      case 'alerts.ack': {
        // Each seeded alert once; after that the acks repeat (idempotent) and the stats say so.
        const id = o.alertIds[st.alertAcks++ % o.alertIds.length];
        r.repeat = st.alertAcks > o.alertIds.length;
        r.bytes = requestBytes(o, 'POST', `/api/v1/alerts/${id}/acknowledge`);
        break;
      }
      case 'incidents.ack': {
        const n = 1 + (st.incidentAcks++ % o.incidents);
        r.repeat = st.incidentAcks > o.incidents;
        r.bytes = requestBytes(o, 'POST', `/api/v1/incidents/${n}/acknowledge`);
        break;
      }
    }
    return r;
  };
}

function stats(values) {
  const s = Float64Array.from(values).sort();
  return {
    n: s.length,
    p50: pct(s, 0.5),
    p95: pct(s, 0.95),
    p99: pct(s, 0.99),
    max: s.length ? s[s.length - 1] : null,
  };
}

function run(o) {
  const make = requestMaker(o);
  const conns = Array.from({ length: o.connections }, () => new Conn(o.host, o.port));
  const idle = [...conns];
  const queue = [];
  const per = new Map(); // kind → {cls, latencies (from due time), service, statuses, errors, samples, repeats}
  const all = [];
  let recording = false;
  let done = false;
  let dropped = 0;
  let due = 0; // requests due inside the measured window
  let inFlight = 0;
  let issued = 0;
  let maxQueued = 0;
  const t0 = performance.now();
  const warmEnd = t0 + o.warmupSeconds * 1000;
  const end = warmEnd + o.seconds * 1000;
  let tRec = 0;

  const entry = (kind, cls) => {
    let e = per.get(kind);
    if (!e) {
      e = { cls, latencies: [], service: [], statuses: {}, errors: 0, samples: [], repeats: 0 };
      per.set(kind, e);
    }
    return e;
  };

  return new Promise((resolve) => {
    // `rec`: the request fell due inside the measured window, so it is recorded whenever it answers.
    const issue = (conn, dueAt, rec) => {
      const r = make();
      const at = performance.now();
      inFlight++;
      conn.send(r.bytes, (status, body, err) => {
        inFlight--;
        const now = performance.now();
        r.onDone?.(status);
        if (rec && !done) {
          const e = entry(r.kind, r.cls);
          e.latencies.push(now - dueAt);
          e.service.push(now - at);
          all.push(now - dueAt);
          e.statuses[err ? 'error' : status] = (e.statuses[err ? 'error' : status] ?? 0) + 1;
          if (r.repeat) e.repeats++;
          if (err || status >= 300) {
            e.errors++;
            if (e.samples.length < 3)
              e.samples.push(err ? String(err.message) : `${status} ${body?.toString('utf8').slice(0, 200)}`);
          }
        }
        if (done) return;
        const next = queue.shift();
        if (next) issue(conn, next.dueAt, next.rec);
        else idle.push(conn);
      });
    };

    const timer = setInterval(() => {
      const now = performance.now();
      if (!recording && now >= warmEnd) {
        recording = true;
        tRec = now;
      }
      if (now >= end) {
        clearInterval(timer);
        const seconds = (now - tRec) / 1000;
        const until = now + 30_000;
        // Requests that fell due in the window and still wait or run are answered and recorded (up to
        // 30 s more); any left then count as unanswered.
        const drain = () => {
          if ((inFlight > 0 || queue.length > 0) && performance.now() < until) return setTimeout(drain, 5);
          done = true;
          const unanswered = inFlight + queue.filter((q) => q.rec).length;
          for (const c of conns) c.close();
          const kinds = {};
          const classes = {};
          for (const [kind, e] of [...per.entries()].sort()) {
            kinds[kind] = {
              cls: e.cls,
              n: e.latencies.length,
              perSec: e.latencies.length / seconds,
              ms: stats(e.latencies),
              serviceMs: stats(e.service),
              statuses: e.statuses,
              errors: e.errors,
              errorSamples: e.samples,
              repeats: e.repeats,
            };
            classes[e.cls] ??= [];
            classes[e.cls].push(...e.latencies);
          }
          const n = all.length;
          resolve({
            seconds,
            offeredPerSec: o.rate,
            duePerSec: due / seconds,
            completedPerSec: n / seconds,
            dropped,
            unanswered,
            maxQueued,
            errors: Object.values(kinds).reduce((a, k) => a + k.errors, 0),
            overall: stats(all),
            classes: Object.fromEntries(Object.entries(classes).map(([c, v]) => [c, stats(v)])),
            kinds,
          });
        };
        drain();
        return;
      }
      const upTo = Math.floor(((now - t0) * o.rate) / 1000);
      while (issued < upTo) {
        const dueAt = t0 + (issued * 1000) / o.rate;
        issued++;
        if (recording) due++;
        const c = idle.pop();
        if (c) issue(c, dueAt, recording);
        else if (queue.length < o.maxQueue) {
          queue.push({ dueAt, rec: recording });
          maxQueued = Math.max(maxQueued, queue.length);
        } else if (recording) dropped++;
      }
    }, 1);
  });
}

process.on('message', async (m) => {
  try {
    if (m.cmd !== 'run') throw new Error(`unknown command ${m.cmd}`);
    process.send({ id: m.id, ok: true, ...(await run(m)) });
  } catch (err) {
    process.send({ id: m.id, ok: false, error: err.stack ?? String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
