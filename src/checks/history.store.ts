import type { Kysely } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { Page } from '../platform/http/pagination.js';
import type { CheckEventType } from './check.state.js';
import type { ChecksTables, ResultRow } from './check.tables.js';

const db = (exec: Executor) => exec as Kysely<ChecksTables>;
const iso = (ms: number) => new Date(ms).toISOString();

/** A raw result as the API shows it; `id` is `<check id>@<ms>` (the row's key). */
export function resultView(checkId: string, r: ResultRow) {
  const d = r.details_json
    ? (JSON.parse(r.details_json) as {
        error?: { phase: string; code: string };
        timings?: Record<string, number>;
        details?: Record<string, unknown>;
      })
    : {};
  return {
    id: `${checkId}@${r.at}`,
    at: iso(r.at),
    ok: r.ok === 1,
    latencyMs: r.latency_ms,
    code: r.code,
    message: r.message,
    ...(d.error ? { error: d.error } : {}),
    ...(d.timings ? { timings: d.timings } : {}),
    ...(d.details ? { details: d.details } : {}),
  };
}

export async function eventsPage(exec: Executor, checkId: string, page: { limit: number; offset: number }) {
  const q = db(exec).selectFrom('check_events').where('check_id', '=', checkId);
  const count = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await q
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return {
    items: rows.map((r) => ({
      id: r.id,
      at: iso(r.at),
      type: r.type as CheckEventType,
      message: r.message,
      from: r.from_status,
      to: r.to_status,
      details: r.details_json ? (JSON.parse(r.details_json) as Record<string, unknown>) : null,
    })),
    total: Number(count?.n ?? 0),
    limit: page.limit,
    offset: page.offset,
  };
}

export async function pingsPage(
  exec: Executor,
  checkId: string,
  page: { limit: number; offset: number },
): Promise<
  Page<{
    id: string;
    at: string;
    type: 'start' | 'success' | 'fail' | 'exit';
    exitCode: number | null;
    durationMs: number | null;
    body: string | null;
    sourceIp: string | null;
    userAgent: string | null;
  }>
> {
  const q = db(exec).selectFrom('check_pings').where('check_id', '=', checkId);
  const count = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await q
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return {
    items: rows.map((r) => ({
      id: r.id,
      at: iso(r.at),
      type: r.type as 'start' | 'success' | 'fail' | 'exit',
      exitCode: r.exit_code,
      durationMs: r.duration_ms,
      body: r.body,
      sourceIp: r.source_ip,
      userAgent: r.user_agent,
    })),
    total: Number(count?.n ?? 0),
    limit: page.limit,
    offset: page.offset,
  };
}
