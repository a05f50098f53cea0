import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { FakeClock } from '../../src/platform/clock.js';
import type { Engine } from '../../src/platform/db/database.js';
import type { Worker } from '../../src/platform/queue/index.js';
import { startReceiver } from '../alerts/helpers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { allTasksWorker, api, createUser } from './helpers.js';

export const MIN = 60_000;
export type Hook = Awaited<ReturnType<typeof startReceiver>>;
// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the API returned
type Json = any;

/**
 * One in-process app on a fake clock with a worker for every task kind, a local webhook receiver, and
 * shorthands for the API, the timeline and the pages the receiver got.
 */
export class Harness {
  readonly clock: FakeClock;
  s!: TestServer;
  worker!: Worker;
  call!: ReturnType<typeof api>;
  readonly users: Record<string, string> = {};

  constructor(
    readonly engine: Engine,
    readonly hook: Hook,
    start: string,
  ) {
    this.clock = new FakeClock(Date.parse(start));
  }

  async start(): Promise<this> {
    this.s = await startTestServer({
      engine: this.engine,
      clock: this.clock,
      env: { MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' },
      listen: false,
    });
    this.call = api(this.s);
    this.worker = allTasksWorker(this.s, this.clock);
    this.hook.got.length = 0;
    return this;
  }

  close(): Promise<void> {
    return this.s?.close() ?? Promise.resolve();
  }

  /** Advances the fake clock by `ms` and runs every task that is due. */
  async run(ms = 1): Promise<void> {
    this.clock.advance(ms);
    while ((await this.worker.runOnce()) > 0) {}
  }

  /** Runs the queue after moving the clock to an instant. */
  async runAt(iso: string): Promise<void> {
    await this.run(Date.parse(iso) - this.clock.now());
  }

  /** POST /api/v1/apply; the raw answer (status and body). */
  async apply(documents: unknown[]): Promise<{ status: number; body: Json }> {
    return this.call('POST', '/api/v1/apply', {
      documents: documents.map((document, i) => ({ source: `test.yaml#${i + 1}`, document })),
    });
  }

  async applyOk(documents: unknown[]): Promise<void> {
    const r = await this.apply(documents);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }

  /** Creates a user named `<who>@example.test`; remembers its id under `who`. */
  async user(who: string, role = 'responder'): Promise<string> {
    const id = await createUser(this.s, `${who}@example.test`, role);
    this.users[who] = id;
    return id;
  }

  async contact(who: string, name: string, channel: string, address?: string): Promise<Json> {
    const r = await this.call('POST', `/api/v1/users/${this.users[who]}/contact-methods`, {
      name,
      channel,
      ...(address === undefined ? {} : { address }),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  }

  async rules(who: string, rules: unknown[]): Promise<Json> {
    const r = await this.call('PUT', `/api/v1/users/${this.users[who]}/notification-rules`, { rules });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  async incident(body: Record<string, unknown>): Promise<Json> {
    const r = await this.call('POST', '/api/v1/incidents', body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  }

  async get(ref: string | number): Promise<Json> {
    const r = await this.call('GET', `/api/v1/incidents/${ref}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  }

  async timeline(ref: string | number): Promise<Json[]> {
    return (await this.call('GET', `/api/v1/incidents/${ref}/timeline?limit=500`)).body.items;
  }

  async types(ref: string | number): Promise<string[]> {
    return (await this.timeline(ref)).map((e: { type: string }) => e.type);
  }

  async deliveries(ref: string | number): Promise<Json[]> {
    return (await this.call('GET', `/api/v1/incidents/${ref}/deliveries`)).body;
  }

  /** `event:recipient` of every request the receiver got on `path`, in arrival order. */
  pages(path = '/page'): string[] {
    return this.hook.got.filter((g) => g.path === path).map((g) => `${g.body.event}:${g.body.recipient?.user ?? '-'}`);
  }
}

export function doc(kind: string, name: string, spec: unknown) {
  return { apiVersion: 'mainstay/v1', kind, metadata: { name }, spec };
}

export const email = (who: string) => `${who}@example.test`;

/** A server that accepts requests and never answers, until closed. */
export async function startHangingServer() {
  const held: http.ServerResponse[] = [];
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    held.push(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    /** Refuses new connections and cuts the held ones, so senders stuck on it finish at once. */
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export { startReceiver };
