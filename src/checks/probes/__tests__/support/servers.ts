import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import type { ProbeContext, ProbeResult } from '../../probe.js';

/**
 * Real servers on 127.0.0.1 port 0 for the http, tls and tcp probe tests, and certificates made
 * by the `openssl` CLI in a temporary folder per test run: a local CA and leaves signed by it.
 */

const DAY_MS = 86_400_000;

/** The ctx a scheduler passes: aborted at the timeout, secrets from a map, the real clock unless given. */
export function probeContext(ms: number, secrets: Record<string, string> = {}, now = () => Date.now()): ProbeContext {
  return {
    signal: AbortSignal.timeout(ms),
    timeoutMs: ms,
    secret: async (name) => {
      const value = secrets[name];
      if (value === undefined) throw new Error(`secret ${name} does not exist`);
      return value;
    },
    now,
  };
}

/** Runs a probe and measures how long it took to settle. */
export async function timed(run: () => Promise<ProbeResult>): Promise<{ result: ProbeResult; elapsedMs: number }> {
  const start = performance.now();
  const result = await run();
  return { result, elapsedMs: performance.now() - start };
}

/** How late after its timeout a probe may settle (event-loop jitter under parallel test files). */
export const SETTLE_SLACK_MS = 100;

export interface KeyPair {
  cert: string;
  key: string;
}

export interface Pki {
  /** PEM of the local CA that signed every leaf. */
  ca: string;
  /** For 127.0.0.1 and localhost, valid for a year. */
  valid: KeyPair;
  /** For 127.0.0.1 and localhost, valid in January 2020 only. */
  expired: KeyPair;
  /** For wrong.example only. */
  wrongHost: KeyPair;
  /** For 127.0.0.1 and localhost, expiring in 3 days and an hour. */
  expiringSoon: KeyPair;
  cleanup(): void;
}

function opensslDate(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'mainstay-pki-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(
      'req',
      ...['-x509', ...curve, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '3650'],
      ...['-subj', '/CN=Mainstay Test CA', '-addext', 'basicConstraints=critical,CA:TRUE'],
      ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    );
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file('leaf.key'));
    writeFileSync(file('index.txt'), '');
    writeFileSync(file('serial'), '1000\n');
    writeFileSync(
      file('ca.cnf'),
      [
        '[ca]',
        'default_ca = local',
        '[local]',
        `database = ${file('index.txt')}`,
        `new_certs_dir = ${dir}`,
        `serial = ${file('serial')}`,
        'default_md = sha256',
        'policy = any',
        'unique_subject = no',
        '[any]',
        'commonName = supplied',
        '',
      ].join('\n'),
    );
    const key = readFileSync(file('leaf.key'), 'utf8');
    const leaf = (name: string, cn: string, san: string, from: number, to: number): KeyPair => {
      openssl('req', '-new', '-key', file('leaf.key'), '-subj', `/CN=${cn}`, '-out', file(`${name}.csr`));
      writeFileSync(
        file(`${name}.ext`),
        `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
      );
      openssl(
        'ca',
        ...['-batch', '-notext', '-config', file('ca.cnf'), '-cert', file('ca.crt'), '-keyfile', file('ca.key')],
        ...['-in', file(`${name}.csr`), '-out', file(`${name}.crt`), '-extfile', file(`${name}.ext`)],
        ...['-startdate', opensslDate(from), '-enddate', opensslDate(to)],
      );
      return { cert: readFileSync(file(`${name}.crt`), 'utf8'), key };
    };
    const now = Date.now();
    const local = 'DNS:localhost,IP:127.0.0.1';
    return {
      ca: readFileSync(file('ca.crt'), 'utf8'),
      valid: leaf('valid', 'localhost', local, now - DAY_MS, now + 365 * DAY_MS),
      expired: leaf('expired', 'localhost', local, Date.UTC(2020, 0, 1), Date.UTC(2020, 1, 1)),
      wrongHost: leaf('wrong', 'wrong.example', 'DNS:wrong.example', now - DAY_MS, now + 365 * DAY_MS),
      expiringSoon: leaf('soon', 'localhost', local, now - DAY_MS, now + 3 * DAY_MS + 3_600_000),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface TestServer {
  port: number;
  /** `http://127.0.0.1:<port>` or `https://…`. */
  url: string;
  /** Every request the server received, in order (method, path, headers). */
  requests: { method: string; path: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export const JSON_BODY = {
  status: 'ok',
  queue: { depth: 140, name: 'orders' },
  items: [{ name: 'first' }, { name: 'second' }],
  'key with spaces': true,
};

/** Routes of the test web server; each states the behaviour a test needs. */
function route(req: IncomingMessage, res: ServerResponse, body: string) {
  const url = new URL(req.url ?? '/', 'http://x');
  const p = url.pathname;
  const text = (status: number, s: string, headers: http.OutgoingHttpHeaders = {}) =>
    res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(s);
  const redirect = (to: string, status = 302) => res.writeHead(status, { location: to }).end();
  const n = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);

  if (p === '/ok') return text(200, 'hello from mainstay');
  if (p.startsWith('/status/')) return text(Number(p.slice(8)), `status ${p.slice(8)} body`);
  if (p.startsWith('/redirect/')) {
    const left = Number(p.slice(10));
    return left > 0 ? redirect(`/redirect/${left - 1}`) : text(200, 'arrived');
  }
  if (p === '/loop/a') return redirect('/loop/b');
  if (p === '/loop/b') return redirect('/loop/a', 301);
  if (p === '/to') return redirect(url.searchParams.get('url') ?? '/ok', n('status', 302));
  if (p === '/bad-location') return redirect('ftp://files.example/x');
  if (p === '/see-other') return redirect('/echo', 303);
  if (p === '/echo') {
    const echo = { method: req.method, path: req.url, headers: req.headers, body };
    return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(echo));
  }
  if (p === '/json') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(JSON_BODY));
  if (p === '/large') return text(200, 'x'.repeat(n('bytes', 1024)));
  if (p === '/endless') {
    // Streams for as long as the client reads, with backpressure: only the client can stop it.
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = Buffer.alloc(16 * 1024, 'y');
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
    };
    res.on('drain', pump);
    return pump();
  }
  if (p === '/slow-headers') {
    const timer = setTimeout(() => text(200, 'late'), n('ms', 60_000));
    res.on('close', () => clearTimeout(timer));
    return;
  }
  if (p === '/slow-body') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('the first part, and then nothing');
    return;
  }
  if (p === '/cut-body') {
    res.writeHead(200, { 'content-length': '1000' });
    res.write('only ten b');
    setTimeout(() => res.socket?.destroy(), 10);
    return;
  }
  if (p === '/basic') {
    const ok = req.headers.authorization === `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
    return ok ? text(200, 'welcome alice') : text(401, 'who are you?', { 'www-authenticate': 'Basic realm="test"' });
  }
  if (p === '/bearer') {
    return req.headers.authorization === 'Bearer tok-123' ? text(200, 'token accepted') : text(401, 'bad token');
  }
  text(404, 'no such route');
}

function handler(requests: TestServer['requests']) {
  return (req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => route(req, res, Buffer.concat(chunks).toString('utf8')));
  };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Stops a server and every connection it still holds (endless bodies, silent sockets). */
function closer(server: net.Server, sockets: Set<Socket>) {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

export async function startHttpServer(): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = http.createServer(handler(requests));
  const close = closer(server, new Set());
  const port = await listen(server);
  return { port, url: `http://127.0.0.1:${port}`, requests, close };
}

/** An HTTPS server presenting `pair`, or choosing by SNI when `byName` knows the name. */
export async function startHttpsServer(pair: KeyPair, byName: Record<string, KeyPair> = {}): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const contexts = new Map(Object.entries(byName).map(([n, kp]) => [n, tls.createSecureContext(kp)]));
  const server = https.createServer(
    { ...pair, SNICallback: (name, cb) => cb(null, contexts.get(name) ?? tls.createSecureContext(pair)) },
    handler(requests),
  );
  const close = closer(server, new Set());
  const port = await listen(server);
  return { port, url: `https://127.0.0.1:${port}`, requests, close };
}

export interface TcpTestServer {
  port: number;
  close(): Promise<void>;
}

/** A TCP server doing `onConnection` with each socket; without it, it accepts and never speaks. */
export async function startTcpServer(onConnection: (socket: Socket) => void = () => {}): Promise<TcpTestServer> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    onConnection(socket);
  });
  const close = closer(server, new Set());
  return { port: await listen(server), close };
}

/** The same over TLS with `pair`. */
export async function startTlsServer(pair: KeyPair, onConnection: (socket: Socket) => void): Promise<TcpTestServer> {
  const server = tls.createServer(pair, (socket) => {
    socket.on('error', () => {});
    onConnection(socket);
  });
  const sockets = new Set<Socket>();
  server.on('secureConnection', (s) => sockets.add(s));
  const close = closer(server, sockets);
  return { port: await listen(server), close };
}

/** A port nothing listens on (bound, then released). */
export async function refusedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
