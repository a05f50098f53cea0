import type { Kysely } from 'kysely';
import type { App } from '../../src/platform/app.js';
import type { TestServer } from '../support/server.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the API returned
export type Json = any;

export interface Session {
  cookie: string;
  csrf: string;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request with the admin API token; the status and the parsed body (or the raw text). */
export async function call(
  s: TestServer,
  method: Method,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${s.adminToken}` },
): Promise<{ status: number; body: Json; text: string }> {
  const r = await s.app.http.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  let body: Json = r.body;
  try {
    body = r.json();
  } catch {}
  return { status: r.statusCode, body, text: r.body };
}

export async function createUser(s: TestServer, email: string, role: string | null, password: string) {
  const r = await call(s, 'POST', '/api/v1/users', { email, name: email.split('@')[0], role, password });
  if (r.status !== 201) throw new Error(`user ${email}: ${r.status} ${r.text}`);
  return r.body.id as string;
}

/** Signs in with email and password, as the web app does; throws unless it worked. */
export async function login(
  s: TestServer,
  email: string,
  password: string,
  opts: { remoteAddress?: string; cookies?: Record<string, string> } = {},
): Promise<Session> {
  const r = await s.app.http.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
    ...(opts.cookies ? { cookies: opts.cookies } : {}),
  });
  if (r.statusCode !== 200) throw new Error(`login ${email}: ${r.statusCode} ${r.body}`);
  const cookie = r.cookies.find((c) => c.name === 'mainstay_session')?.value;
  if (!cookie) throw new Error('login set no session cookie');
  return { cookie, csrf: r.json().csrfToken as string };
}

/** A request with a session cookie, and the CSRF header when `csrf` is given. */
export async function withSession(
  s: TestServer,
  session: Session,
  method: Method,
  url: string,
  opts: { payload?: unknown; csrf?: string | null } = {},
) {
  const csrf = opts.csrf === undefined ? session.csrf : opts.csrf;
  const r = await s.app.http.inject({
    method,
    url,
    cookies: { mainstay_session: session.cookie },
    headers: csrf === null ? {} : { 'x-csrf-token': csrf },
    ...(opts.payload === undefined ? {} : { payload: opts.payload as object }),
  });
  let body: Json = r.body;
  try {
    body = r.json();
  } catch {}
  return { status: r.statusCode, body, text: r.body };
}

/** Every row of every table (Kysely's introspection lists them on both engines), by table name. */
export async function dumpTables(app: App, skip: readonly string[] = []): Promise<Record<string, unknown[]>> {
  const db = app.database.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const schema = app.database.schema;
  // On PostgreSQL the introspection sees every schema: keep this app's (its search_path).
  const tables = (await db.introspection.getTables()).filter((t) => !schema || t.schema === schema);
  const out: Record<string, unknown[]> = {};
  for (const t of tables.map((t) => t.name).sort()) {
    if (skip.includes(t)) continue;
    out[t] = await db.selectFrom(t).selectAll().execute();
  }
  return out;
}

/** The text of every row of every table, for searching plaintext in the database. */
export async function databaseText(app: App): Promise<string> {
  const tables = await dumpTables(app);
  return JSON.stringify(tables, (_k, v) =>
    typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('latin1') : v,
  );
}

/** Fills a route pattern's parameters from `values` (by name), `fallback` for the rest. */
export function fillUrl(pattern: string, values: Record<string, string>, fallback = 'no-such-thing'): string {
  return pattern.replace(/:([A-Za-z]+)/g, (_m, name: string) => encodeURIComponent(values[name] ?? fallback));
}
