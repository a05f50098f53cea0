import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Real `mainstay` processes for the backup tests: the built CLI, as an operator runs it. */

export const root = path.resolve(import.meta.dirname, '..', '..');
export const entry = path.join(root, 'dist', 'server', 'cli', 'main.js');
export const ADMIN = { email: 'admin@example.test', password: 'correct horse battery staple' };

/** Builds the server when dist is missing (npm test builds first; a lone vitest run may not have). */
export function ensureBuilt(): void {
  if (!fs.existsSync(entry)) spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root });
}

/** The environment of a child: none of the caller's MAINSTAY_* settings leak in, `env` adds its own. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MAINSTAY_')));
  return { ...clean, MAINSTAY_LOG_LEVEL: 'warn', ...env };
}

export interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts `mainstay serve` (first admin from ADMIN) and waits for its "is serving" line. */
export function startServe(dataDir: string, env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [entry, 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    env: childEnv({ MAINSTAY_ADMIN_EMAIL: ADMIN.email, MAINSTAY_ADMIN_PASSWORD: ADMIN.password, ...env }),
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
    child.stdout?.on('data', (d) => {
      out += String(d);
      const m = /is serving (http:\/\/[0-9.:]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => out });
      }
    });
    child.stderr?.on('data', (d) => {
      out += String(d);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

/** SIGTERM, and wait for the exit. */
export async function stop(server: Running): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.on('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program (the built CLI by default) to its end, without blocking the event loop. */
export function runProcess(command: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const child = spawn(command, args, { cwd: root, env: childEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** `mainstay ARGS` as its own process. */
export function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return runProcess(process.execPath, [entry, ...args], env);
}

/** One API call; throws on a non-2xx answer. An empty token sends no Authorization header. */
export async function call<T>(base: string, token: string, method: string, url: string, body?: unknown): Promise<T> {
  const r = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Every item of a paginated list. */
export async function all<T>(base: string, token: string, url: string): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; ; offset += 500) {
    const sep = url.includes('?') ? '&' : '?';
    const page = await call<{ items: T[] }>(base, token, 'GET', `${url}${sep}limit=500&offset=${offset}`);
    items.push(...page.items);
    if (page.items.length < 500) return items;
  }
}

/** An admin API token, a PagerDuty integration and its routing key on a fresh server. */
export async function setUp(base: string, secret: { name: string; value: string }) {
  const { token } = await call<{ token: string }>(base, '', 'POST', '/api/v1/auth/token', {
    ...ADMIN,
    name: 'backup-test',
    scope: 'admin',
  });
  await call(base, token, 'POST', '/api/v1/secrets', secret);
  await call(base, token, 'POST', '/api/v1/apply', {
    documents: [
      {
        source: 'test.yaml#1',
        document: {
          apiVersion: 'mainstay/v1',
          kind: 'Integration',
          metadata: { name: 'pd' },
          spec: { type: 'pagerduty', rateLimitPerMinute: 0 },
        },
      },
    ],
  });
  const { key } = await call<{ key: string }>(base, token, 'POST', '/api/v1/integrations/pd/key');
  return { token, routingKey: key };
}

/** A PagerDuty Events v2 trigger; resolves to the HTTP status. */
export async function sendEvent(base: string, routingKey: string, dedupKey: string): Promise<number> {
  const r = await fetch(`${base}/v2/enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: { summary: `disk full ${dedupKey}`, source: 'db1', severity: 'critical' },
    }),
  });
  await r.arrayBuffer();
  return r.status;
}
