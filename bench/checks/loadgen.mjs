// Load generator for the blackbox exporter side of bench/checks.bench.mjs, in its own process so its
// CPU is counted neither as the exporter's nor as Mainstay's. It calls
// GET /probe?module=http_2xx&target=… at a fixed, open-loop rate over keep-alive connections, the way
// Prometheus scrapes the exporter (with X-Prometheus-Scrape-Timeout-Seconds), and counts probes whose
// answer says probe_success 1. Driven over IPC by the bench:
//   {type:'rate', rate}  start sending at `rate` per second (0 stops)
//   {type:'window'}      reply {type:'window', …counts and latency percentiles since the last window}
import http from 'node:http';

const url = new URL(process.argv[2]);
const maxInFlight = Number(process.argv[3] ?? 2000);
const timeoutMs = Number(process.argv[4] ?? 5500);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, maxFreeSockets: maxInFlight });

let rate = 0;
let t0 = 0;
let issued = 0;
let inFlight = 0;
let w = fresh();

function fresh() {
  return { sent: 0, dropped: 0, completed: 0, ok: 0, failed: 0, errors: 0, latencies: [], sendLagMax: 0, sendLags: [] };
}

function send() {
  if (inFlight >= maxInFlight) {
    w.dropped++;
    return;
  }
  inFlight++;
  w.sent++;
  const started = performance.now();
  const req = http.get(
    {
      agent,
      host: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      headers: { 'x-prometheus-scrape-timeout-seconds': String(timeoutMs / 1000) },
      timeout: timeoutMs,
    },
    (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => done(started, res.statusCode === 200 && /^probe_success 1$/m.test(body)));
      res.on('error', () => done(started, false, true));
    },
  );
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => done(started, false, true));
}

function done(started, ok, error = false) {
  inFlight--;
  w.completed++;
  if (ok) w.ok++;
  else w.failed++;
  if (error) w.errors++;
  w.latencies.push(performance.now() - started);
}

setInterval(() => {
  if (rate <= 0) return;
  const now = performance.now();
  const due = Math.floor(((now - t0) * rate) / 1000);
  while (issued < due) {
    const lag = now - (t0 + (issued * 1000) / rate);
    if (w.sendLags.length < 200000) w.sendLags.push(lag);
    issued++;
    send();
  }
}, 2);

function pct(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

process.on('message', (m) => {
  if (m.type === 'rate') {
    rate = m.rate;
    t0 = performance.now();
    issued = 0;
  } else if (m.type === 'window') {
    const lat = w.latencies.sort((a, b) => a - b);
    const lags = w.sendLags.sort((a, b) => a - b);
    const { latencies, sendLags, sendLagMax, ...counts } = w;
    process.send({
      type: 'window',
      ...counts,
      inFlight,
      latencyMs: { p50: pct(lat, 0.5), p99: pct(lat, 0.99), max: lat.at(-1) ?? null },
      sendLagMs: { p99: pct(lags, 0.99), max: lags.at(-1) ?? null },
    });
    w = fresh();
  }
});
process.on('disconnect', () => process.exit(0));
