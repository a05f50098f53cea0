#!/usr/bin/env node
// The services the example setup watches, and the pager that receives its pages. No dependencies.
//
//   node examples/services.mjs             serve them all (Ctrl-C stops):
//                                            shop      HTTP API   http://127.0.0.1:9101  (GET /health)
//                                            payments  TCP        127.0.0.1:9102         (banner "PAYMENTS READY")
//                                            pager     webhooks   http://127.0.0.1:9199  (prints every page;
//                                                                   /room: the team room's messages)
//                                            control   HTTP       http://127.0.0.1:9100  (break / fix)
//   node examples/services.mjs break shop   make shop's /health answer 503 (or: break payments)
//   node examples/services.mjs fix shop     make it healthy again
//   node examples/services.mjs status       which services are broken
//   node examples/services.mjs pages        the pages the pager received, newest last, with their links
//
// Ports come from EXAMPLES_SHOP_PORT, EXAMPLES_PAYMENTS_PORT, EXAMPLES_PAGER_PORT and
// EXAMPLES_CONTROL_PORT (the YAML in examples/ expects the defaults). EXAMPLES_SIGNING_SECRET is the
// key the pager checks X-Mainstay-Signature with; it matches the pager-signing-key Secret in examples/oncall.yaml.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

const HOST = '127.0.0.1';
const port = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`${name}=${raw} is not a TCP port (0-65535)`);
  return n;
};
const PORTS = {
  shop: port('EXAMPLES_SHOP_PORT', 9101),
  payments: port('EXAMPLES_PAYMENTS_PORT', 9102),
  pager: port('EXAMPLES_PAGER_PORT', 9199),
  control: port('EXAMPLES_CONTROL_PORT', 9100),
};
const SIGNING_SECRET = process.env.EXAMPLES_SIGNING_SECRET ?? 'example-pager-signing-key';
const SERVICES = ['shop', 'payments'];
/** Pages older than this (by their signed timestamp) are refused as replays. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

function fail(message) {
  console.error(`services: ${message}`);
  process.exit(2);
}

const clock = () => new Date().toISOString().slice(11, 19);
const log = (line) => console.log(`${clock()}  ${line}`);

function json(res, status, body, pretty = false) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body, null, pretty ? 2 : undefined)}\n`);
}

function readBody(req, limit = 1024 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function listen(server, p, what) {
  return new Promise((resolve) => {
    server.once('error', (err) => {
      if (err.code === 'EADDRINUSE')
        fail(
          `${what}: ${HOST}:${p} is taken (is services.mjs already running?); set its port with the EXAMPLES_* variables`,
        );
      fail(`${what}: ${err.message}`);
    });
    server.listen(p, HOST, () => resolve(server.address().port));
  });
}

// ---------------------------------------------------------------------------------------------
// The services

const broken = new Set();
let orders = 1041;

/** The shop's API: /health is what the `shop-api` check reads ($.status must be "ok"). */
const shop = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://shop');
  if (url.pathname === '/health') {
    if (broken.has('shop')) return json(res, 503, { status: 'down', error: 'database connection refused' });
    return json(res, 200, { status: 'ok', orders: orders++, version: '2.4.1' });
  }
  if (url.pathname === '/api/products') {
    if (broken.has('shop')) return json(res, 503, { error: 'database connection refused' });
    return json(res, 200, [
      { sku: 'MUG-01', name: 'Mainstay mug', price: 12.5 },
      { sku: 'TEE-02', name: 'On-call T-shirt', price: 24 },
    ]);
  }
  json(res, 404, { error: `no route ${req.method} ${url.pathname}` });
});

/**
 * A line-protocol payments gateway: greets with "PAYMENTS READY", answers PING with PONG. Broken, it
 * stops listening, so the `shop-payments` check sees connection refused.
 */
const payments = net.createServer((socket) => {
  socket.setEncoding('utf8');
  socket.write('PAYMENTS READY\r\n');
  socket.on('data', (data) => {
    for (const line of data.split(/\r?\n/).filter(Boolean))
      socket.write(line.trim().toUpperCase() === 'PING' ? 'PONG\r\n' : 'ERR unknown command\r\n');
  });
  socket.on('error', () => {});
  socket.setTimeout(10_000, () => socket.destroy());
});
const paymentSockets = new Set();
payments.on('connection', (s) => {
  paymentSockets.add(s);
  s.on('close', () => paymentSockets.delete(s));
});

async function setBroken(name, isBroken) {
  if (isBroken === broken.has(name)) return;
  if (isBroken) broken.add(name);
  else broken.delete(name);
  if (name === 'payments') {
    if (isBroken) {
      await new Promise((resolve) => {
        payments.close(() => resolve());
        for (const s of paymentSockets) s.destroy();
      });
    } else await listen(payments, PORTS.payments, 'payments');
  }
  log(`${name} is now ${isBroken ? 'BROKEN' : 'healthy'}`);
}

// ---------------------------------------------------------------------------------------------
// The pager: Mainstay's webhook channel posts every page here.

/** Pages received, oldest first (the last 100). */
const pages = [];

function verifySignature(timestamp, rawBody, header) {
  if (!timestamp || !header || !/^\d{1,12}$/.test(timestamp)) return 'unsigned';
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) return 'stale timestamp';
  const expected = Buffer.from(
    `v1=${createHmac('sha256', SIGNING_SECRET).update(`${timestamp}.${rawBody}`).digest('hex')}`,
  );
  const ok = header.split(',').some((part) => {
    const given = Buffer.from(part.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return ok ? 'ok' : 'BAD (is EXAMPLES_SIGNING_SECRET the value of the pager-signing-key Secret?)';
}

function printPage(page) {
  const p = page.payload;
  const who = p.recipient ? ` → ${p.recipient.name} <${p.recipient.user}>` : '';
  const lines = [
    `━━ ${page.via ?? 'pager'}: ${p.event}${who} ${'━'.repeat(Math.max(3, 56 - p.event.length - who.length))}`,
    `   ${p.title}`,
    ...String(p.text ?? '')
      .split('\n')
      .map((l) => `   ${l}`),
  ];
  for (const key of ['view', 'acknowledge', 'resolve'])
    if (p.links?.[key]) lines.push(`   ${`${key}:`.padEnd(13)}${p.links[key]}`);
  lines.push(`   signature ${page.signature}${page.repeat ? ' · a retry of a page already printed' : ''}`);
  console.log(`\n${page.receivedAt.slice(11, 19)}  ${lines.join('\n')}`);
}

const pager = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://pager');
  if (req.method === 'GET' && url.pathname === '/pages') return json(res, 200, pages, true);
  if (req.method !== 'POST') return json(res, 404, { error: 'POST pages here; GET /pages lists them' });
  let raw;
  let payload;
  try {
    raw = await readBody(req);
    payload = JSON.parse(raw);
  } catch (err) {
    return json(res, 400, { error: `not JSON: ${err.message}` });
  }
  if (typeof payload?.event !== 'string' || typeof payload?.title !== 'string')
    return json(res, 400, { error: 'not a Mainstay webhook payload (no event or title)' });
  const signature = verifySignature(req.headers['x-mainstay-timestamp'], raw, req.headers['x-mainstay-signature']);
  if (signature.startsWith('BAD') || signature === 'stale timestamp') {
    log(`refused a page: signature ${signature}`);
    return json(res, 401, { error: `signature ${signature}` });
  }
  const key = req.headers['idempotency-key'] ?? payload.id;
  // The `pager` channel posts to /, the `shop-room` channel (the team's chat room) to /room.
  const via = url.pathname.replace(/^\/+|\/+$/g, '') || 'pager';
  const page = { receivedAt: new Date().toISOString(), via, idempotencyKey: key, signature, payload };
  page.repeat = pages.some((p) => p.idempotencyKey === key);
  pages.push(page);
  if (pages.length > 100) pages.shift();
  printPage(page);
  json(res, 200, { ok: true });
});

// ---------------------------------------------------------------------------------------------
// Control: the break / fix / status commands talk to the running process here.

const control = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://control');
  const m = /^\/(break|fix)\/([a-z]+)$/.exec(url.pathname);
  if (req.method === 'POST' && m) {
    const [, action, name] = m;
    if (!SERVICES.includes(name))
      return json(res, 404, { error: `no service ${name}; there are ${SERVICES.join(', ')}` });
    await setBroken(name, action === 'break');
    return json(res, 200, status());
  }
  if (req.method === 'GET' && url.pathname === '/status') return json(res, 200, status());
  json(res, 404, { error: 'POST /break/<service>, POST /fix/<service>, GET /status' });
});

function status() {
  return Object.fromEntries(SERVICES.map((s) => [s, broken.has(s) ? 'broken' : 'healthy']));
}

async function serve() {
  const shopPort = await listen(shop, PORTS.shop, 'shop');
  const paymentsPort = await listen(payments, PORTS.payments, 'payments');
  const pagerPort = await listen(pager, PORTS.pager, 'pager');
  const controlPort = await listen(control, PORTS.control, 'control');
  // One machine-readable line first (tests read it), then the human summary.
  console.log(
    JSON.stringify({ ready: true, shop: shopPort, payments: paymentsPort, pager: pagerPort, control: controlPort }),
  );
  console.log(`
  shop      http://${HOST}:${shopPort}/health
  payments  tcp://${HOST}:${paymentsPort}
  pager     http://${HOST}:${pagerPort}   (pages are printed below)
  control   http://${HOST}:${controlPort}

  Break a service from another terminal:  node examples/services.mjs break shop
  and fix it again:                        node examples/services.mjs fix shop
`);
  const stop = () => {
    for (const s of [shop, payments, pager, control]) s.close();
    for (const s of paymentSockets) s.destroy();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// ---------------------------------------------------------------------------------------------
// Commands

async function call(method, path) {
  try {
    const res = await fetch(`http://${HOST}:${PORTS.control}${path}`, { method });
    const body = await res.json();
    if (!res.ok) fail(body.error ?? `HTTP ${res.status}`);
    return body;
  } catch (err) {
    if (err?.cause?.code === 'ECONNREFUSED')
      fail(`nothing answers on ${HOST}:${PORTS.control}: start the services first with node examples/services.mjs`);
    throw err;
  }
}

async function listPages() {
  let list;
  try {
    const res = await fetch(`http://${HOST}:${PORTS.pager}/pages`);
    list = await res.json();
  } catch {
    fail(`nothing answers on ${HOST}:${PORTS.pager}: start the services first with node examples/services.mjs`);
  }
  if (list.length === 0) return console.log('no pages received yet');
  for (const page of list) printPage(page);
}

const [command, name] = process.argv.slice(2);
switch (command) {
  case undefined:
  case 'serve':
    await serve();
    break;
  case 'break':
  case 'fix': {
    if (!name || !SERVICES.includes(name)) fail(`usage: node examples/services.mjs ${command} ${SERVICES.join('|')}`);
    const now = await call('POST', `/${command}/${name}`);
    console.log(`${name} is ${now[name]}`);
    break;
  }
  case 'status':
    for (const [s, st] of Object.entries(await call('GET', '/status'))) console.log(`${s.padEnd(10)}${st}`);
    break;
  case 'pages':
    await listPages();
    break;
  default:
    fail(`unknown command ${command}; use: serve, break SERVICE, fix SERVICE, status, pages`);
}
