import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Rng } from './rng.js';

/** One request the webhook receiver got, with the answer it gave. */
export interface Delivery {
  path: string;
  /** `Idempotency-Key` header (alert notifications and notify webhook channels both send it). */
  key: string | undefined;
  /** `X-Mainstay-Event` (notify channels) or undefined (alert receivers). */
  event: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever JSON was posted
  body: any;
  /** The status the receiver answered: only 2xx counts as delivered. */
  status: number;
  at: number;
}

export interface WebhookReceiverOptions {
  /** Seeded randomness for the failures and delays below. */
  random: Rng;
  /** Share of requests answered 503 (the sender must retry them under the same key). Default 0. */
  failRate?: number;
  /** Each answer waits up to this long, so a kill can land while a delivery is in flight. Default 0. */
  maxDelayMs?: number;
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/**
 * A local webhook receiver for every outbound path of Mainstay (Alertmanager-format receiver
 * webhooks and notify webhook channels): records each request with its idempotency key and the
 * status it answered. Some answers fail or are slow on purpose (seeded), to exercise retries and to
 * let kills land mid-delivery.
 */
export async function startWebhookReceiver(opts: WebhookReceiverOptions) {
  const log: Delivery[] = [];
  const failRate = opts.failRate ?? 0;
  const maxDelayMs = opts.maxDelayMs ?? 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      const status = opts.random.chance(failRate) ? 503 : 200;
      const header = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const answer = () => {
        // Recorded when answered: a sender killed before reading the answer still delivered it.
        log.push({
          path: (req.url ?? '').split('?')[0] ?? '',
          key: header('idempotency-key'),
          event: header('x-mainstay-event'),
          body,
          status,
          at: Date.now(),
        });
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok' : 'try again');
      };
      const delay = maxDelayMs > 0 ? Math.floor(opts.random.next() * maxDelayMs) : 0;
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  await listen(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    log,
    /** Requests answered 2xx on `path` (or every path). */
    delivered(path?: string): Delivery[] {
      return log.filter((d) => d.status >= 200 && d.status < 300 && (path === undefined || d.path === path));
    },
    close: () => close(server),
  };
}

/**
 * The target of the HTTP checks: each path answers 200 or 500 as the test switches it, so checks
 * fail and recover on command.
 */
export async function startCheckTarget() {
  const failing = new Map<string, boolean>();
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    const path = (req.url ?? '').split('?')[0] ?? '';
    const down = failing.get(path) === true;
    res.writeHead(down ? 500 : 200, { 'content-type': 'text/plain' });
    res.end(down ? 'failing on purpose' : 'ok');
    req.resume();
  });
  await listen(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    set(path: string, down: boolean) {
      failing.set(path, down);
    },
    isFailing: (path: string) => failing.get(path) === true,
    allUp() {
      for (const p of failing.keys()) failing.set(p, false);
    },
    hits: () => hits,
    close: () => close(server),
  };
}
export type CheckTarget = Awaited<ReturnType<typeof startCheckTarget>>;

function listen(server: http.Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
