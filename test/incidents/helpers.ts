import pino from 'pino';
import { sinkCheck } from '../../src/checks/check.runtime.js';
import type { FakeClock } from '../../src/platform/clock.js';
import { Worker } from '../../src/platform/queue/index.js';
import type { TestServer } from '../support/server.js';

/** A worker that runs every task kind of the app (alerts, incidents, notify pages and sends) on the fake clock. */
export function allTasksWorker(s: TestServer, clock: FakeClock): Worker {
  const app = s.app;
  return new Worker({
    queue: app.queue,
    handlers: {
      ...(app.alerts.taskHandlers ?? {}),
      ...(app.incidents.taskHandlers ?? {}),
      ...(app.notify.taskHandlers ?? {}),
      ...app.notify.pageHandlers,
    },
    clock,
    logger: pino({ level: 'silent' }),
    retention: false,
    concurrency: 16,
  });
}

export function api(s: TestServer) {
  return async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const r = await s.app.http.inject({
      method,
      url,
      headers: { authorization: `Bearer ${s.adminToken}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    let body: unknown = r.body;
    try {
      body = r.json();
    } catch {}
    // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the API returned
    return { status: r.statusCode, body: body as any };
  };
}

export async function createUser(s: TestServer, email: string, role = 'responder'): Promise<string> {
  const r = await api(s)('POST', '/api/v1/users', {
    email,
    name: email.split('@')[0],
    role,
    password: 'a long test password',
  });
  if (r.status !== 201) throw new Error(`user ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
}

/** One probe result for a check, stored like a real run. */
export async function checkResult(s: TestServer, clock: FakeClock, name: string, ok: boolean) {
  const rec = s.app.checks.byName(name);
  if (!rec) throw new Error(`no check ${name}`);
  s.app.checks.sink.record(sinkCheck(rec), clock.now(), {
    ok,
    latencyMs: 3,
    message: ok ? 'connected' : 'connection refused',
    details: {},
  });
  await s.app.checks.sink.flush();
}
