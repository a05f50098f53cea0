import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestServer } from '../support/server.js';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the receiver got
  body: any;
}

/** A local webhook receiver that records every POST and lets a test wait for the n-th one. */
export async function startReceiver(status: () => number = () => 200) {
  const got: Received[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      got.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(status());
      res.end('ok');
      for (const w of [...waiters])
        if (got.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    got,
    /** Resolves once `n` requests arrived in all (rejects after `ms`). */
    waitFor(n: number, ms = 10_000): Promise<void> {
      if (got.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`waited ${ms} ms for request #${n}; got ${got.length}`)), ms);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
      });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export function doc(kind: string, name: string, spec: unknown, labels?: Record<string, string>) {
  return { apiVersion: 'mainstay/v1', kind, metadata: { name, ...(labels ? { labels } : {}) }, spec };
}

export async function apply(s: TestServer, documents: unknown[], opts: { dryRun?: boolean; prune?: boolean } = {}) {
  const r = await s.app.http.inject({
    method: 'POST',
    url: '/api/v1/apply',
    headers: { authorization: `Bearer ${s.adminToken}` },
    payload: { documents: documents.map((d, i) => ({ source: `test.yaml#${i + 1}`, document: d })), ...opts },
  });
  if (r.statusCode !== 200) throw new Error(`apply failed ${r.statusCode}: ${r.body}`);
  return r.json();
}

export async function integrationKey(s: TestServer, name: string): Promise<string> {
  const r = await s.app.http.inject({
    method: 'POST',
    url: `/api/v1/integrations/${name}/key`,
    headers: { authorization: `Bearer ${s.adminToken}` },
  });
  if (r.statusCode !== 200) throw new Error(`key: ${r.statusCode} ${r.body}`);
  return (r.json() as { key: string }).key;
}
