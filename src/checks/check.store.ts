import { type Kysely, sql } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import { containsText } from '../platform/db/text-match.js';
import { InputError } from '../platform/errors.js';
import type { Page, PageQuery } from '../platform/http/pagination.js';
import type { CheckKind, CheckSpec, CheckStatus } from './check.model.js';
import type { CheckEventInput, CheckState } from './check.state.js';
import type { CheckRow, ChecksTables, StateRow } from './check.tables.js';
import type { CertificateInfo } from './probes/probe.js';

const db = (exec: Executor) => exec as Kysely<ChecksTables>;

/** A check as the service works with it. */
export interface CheckRecord {
  id: string;
  seq: number;
  name: string;
  kind: CheckKind;
  spec: CheckSpec;
  labels: Record<string, string>;
  enabled: boolean;
  intervalMs: number;
  pingKeySealed: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface CheckFilter {
  q?: string | undefined;
  status?: CheckStatus | undefined;
  kind?: CheckKind | undefined;
  /** `key=value` pairs that must all match. */
  labels?: Array<[string, string]> | undefined;
}

const SORTS: Record<string, string> = {
  name: 'checks.name',
  kind: 'checks.kind',
  status: 'check_state.status',
  lastCheckedAt: 'check_state.last_checked_at',
  lastLatencyMs: 'check_state.last_latency_ms',
  createdAt: 'checks.created_at',
};

export function toRecord(row: CheckRow): CheckRecord {
  return {
    id: row.id,
    seq: row.seq,
    name: row.name,
    kind: row.kind as CheckKind,
    spec: JSON.parse(row.spec_json) as CheckSpec,
    labels: JSON.parse(row.labels_json) as Record<string, string>,
    enabled: row.enabled === 1,
    intervalMs: row.interval_ms,
    pingKeySealed: row.ping_key_sealed,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function stateFromRow(r: StateRow): CheckState {
  return {
    status: r.status as CheckStatus,
    since: r.since,
    lastCheckedAt: r.last_checked_at,
    lastLatencyMs: r.last_latency_ms,
    lastOk: r.last_ok === null ? null : r.last_ok === 1,
    lastMessage: r.last_message,
    consecutiveFailures: r.consecutive_failures,
    consecutiveSuccesses: r.consecutive_successes,
    history: r.history,
    flapping: r.flapping === 1,
    flapPercent: r.flap_percent,
    certificate: r.certificate_json ? (JSON.parse(r.certificate_json) as CertificateInfo) : null,
    certExpiry: (r.cert_expiry as CheckState['certExpiry']) ?? null,
    lastPingAt: r.last_ping_at,
    runStartedAt: r.run_started_at,
  };
}

export function stateToRow(checkId: string, s: CheckState, now: number): StateRow {
  return {
    check_id: checkId,
    status: s.status,
    since: s.since,
    last_checked_at: s.lastCheckedAt,
    last_latency_ms: s.lastLatencyMs,
    last_ok: s.lastOk === null ? null : s.lastOk ? 1 : 0,
    last_message: s.lastMessage?.slice(0, 1000) ?? null,
    consecutive_failures: s.consecutiveFailures,
    consecutive_successes: s.consecutiveSuccesses,
    history: s.history,
    flapping: s.flapping ? 1 : 0,
    flap_percent: s.flapPercent,
    certificate_json: s.certificate ? JSON.stringify(s.certificate) : null,
    cert_expiry: s.certExpiry,
    last_ping_at: s.lastPingAt,
    run_started_at: s.runStartedAt,
    updated_at: now,
  };
}

/** Keeps check_dependencies equal to the dependsOn of `specJson`. */
async function writeDependencies(exec: Executor, id: string, specJson: string, replace: boolean): Promise<void> {
  if (replace) await db(exec).deleteFrom('check_dependencies').where('check_id', '=', id).execute();
  const names = [...new Set((JSON.parse(specJson) as CheckSpec).dependsOn ?? [])];
  if (names.length)
    await db(exec)
      .insertInto('check_dependencies')
      .values(names.map((depends_on) => ({ check_id: id, depends_on })))
      .execute();
}

/** Checks and their live state. */
export const checkStore = {
  async insert(exec: Executor, row: Omit<CheckRow, 'seq'>): Promise<CheckRow> {
    // The counter row stays locked until this transaction ends: concurrent creates take turns.
    const next = await db(exec)
      .updateTable('check_counters')
      .set((eb) => ({ value: eb('value', '+', 1) }))
      .where('key', '=', 'seq')
      .returning('value')
      .executeTakeFirstOrThrow();
    const full: CheckRow = { ...row, seq: Number(next.value) };
    await db(exec).insertInto('checks').values(full).execute();
    await writeDependencies(exec, full.id, full.spec_json, false);
    return full;
  },
  async update(exec: Executor, id: string, patch: Partial<Omit<CheckRow, 'id' | 'seq' | 'created_at'>>): Promise<void> {
    await db(exec).updateTable('checks').set(patch).where('id', '=', id).execute();
    if (patch.spec_json !== undefined) await writeDependencies(exec, id, patch.spec_json, true);
  },
  async delete(exec: Executor, id: string): Promise<void> {
    const row = await db(exec).selectFrom('checks').select('seq').where('id', '=', id).executeTakeFirst();
    await db(exec).deleteFrom('check_dependencies').where('check_id', '=', id).execute();
    await db(exec).deleteFrom('checks').where('id', '=', id).execute();
    if (row) {
      await db(exec).deleteFrom('check_results').where('check_seq', '=', row.seq).execute();
      for (const t of ['check_rollup_1m', 'check_rollup_1h', 'check_rollup_1d'] as const) {
        await db(exec).deleteFrom(t).where('check_seq', '=', row.seq).execute();
      }
    }
  },
  async byId(exec: Executor, id: string): Promise<CheckRow | undefined> {
    return db(exec).selectFrom('checks').selectAll().where('id', '=', id).executeTakeFirst();
  },
  async byName(exec: Executor, name: string): Promise<CheckRow | undefined> {
    return db(exec).selectFrom('checks').selectAll().where('name', '=', name).executeTakeFirst();
  },
  async byPingKeyHash(exec: Executor, hash: string): Promise<CheckRow | undefined> {
    return db(exec).selectFrom('checks').selectAll().where('ping_key_hash', '=', hash).executeTakeFirst();
  },
  async all(exec: Executor): Promise<CheckRow[]> {
    return db(exec).selectFrom('checks').selectAll().orderBy('name').execute();
  },
  /** Checks whose dependsOn names `name` (an index lookup in check_dependencies). */
  async dependantsOf(exec: Executor, name: string): Promise<CheckRow[]> {
    return db(exec)
      .selectFrom('checks')
      .selectAll()
      .where('id', 'in', (eb) => eb.selectFrom('check_dependencies').select('check_id').where('depends_on', '=', name))
      .orderBy('name')
      .execute();
  },
  /** Which of these ids and seqs belong to checks that exist. */
  async existing(exec: Executor, ids: string[], seqs: number[]): Promise<{ ids: Set<string>; seqs: Set<number> }> {
    const out = { ids: new Set<string>(), seqs: new Set<number>() };
    for (let i = 0; i < ids.length; i += 500)
      for (const r of await db(exec)
        .selectFrom('checks')
        .select('id')
        .where('id', 'in', ids.slice(i, i + 500))
        .execute())
        out.ids.add(r.id);
    for (let i = 0; i < seqs.length; i += 500)
      for (const r of await db(exec)
        .selectFrom('checks')
        .select('seq')
        .where('seq', 'in', seqs.slice(i, i + 500))
        .execute())
        out.seqs.add(Number(r.seq));
    return out;
  },
  async idsByNames(exec: Executor, names: string[]): Promise<Map<string, string>> {
    if (names.length === 0) return new Map();
    const rows = await db(exec).selectFrom('checks').select(['id', 'name']).where('name', 'in', names).execute();
    return new Map(rows.map((r) => [r.name, r.id]));
  },

  /**
   * A page of checks (rows only; the caller takes their states from memory, or `statesOf`). The
   * state table is joined only when a filter or the sort needs it, so the usual page and its count
   * read the checks table and its name index alone.
   */
  async list(exec: Executor, f: CheckFilter, page: PageQuery): Promise<Page<CheckRow>> {
    const sort = page.sort ?? 'name';
    const desc = sort.startsWith('-');
    const key = desc ? sort.slice(1) : sort;
    const col = SORTS[key];
    if (!col) {
      throw new InputError(`cannot sort by ${key}`, {
        fields: [{ path: 'sort', message: `must be one of ${Object.keys(SORTS).join(', ')}` }],
      });
    }
    const joined = f.status !== undefined || col.startsWith('check_state.');
    let q = db(exec)
      .selectFrom('checks')
      .$if(joined, (qb) => qb.leftJoin('check_state', 'check_state.check_id', 'checks.id'));
    if (f.kind) q = q.where('checks.kind', '=', f.kind);
    if (f.status) q = q.where(sql.ref('check_state.status'), '=', f.status);
    if (f.q) {
      const needle = f.q;
      q = q.where((eb) =>
        eb.or([
          containsText('checks.name', needle, { caseInsensitive: true }),
          containsText('checks.spec_json', needle, { caseInsensitive: true }),
        ]),
      );
    }
    // labels_json is JSON.stringify output, so `"key":"value"` appears verbatim when the label is set.
    for (const [k, v] of f.labels ?? [])
      q = q.where(containsText('checks.labels_json', JSON.stringify({ [k]: v }).slice(1, -1)));
    const count = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const items = (await q
      .selectAll('checks')
      .orderBy(sql.ref(col), desc ? 'desc' : 'asc')
      .orderBy('checks.name')
      .limit(page.limit)
      .offset(page.offset)
      .execute()) as CheckRow[];
    return { items, total: Number(count?.n ?? 0), limit: page.limit, offset: page.offset };
  },

  async state(exec: Executor, checkId: string): Promise<CheckState | undefined> {
    const r = await db(exec).selectFrom('check_state').selectAll().where('check_id', '=', checkId).executeTakeFirst();
    return r ? stateFromRow(r) : undefined;
  },
  async allStates(exec: Executor): Promise<Map<string, CheckState>> {
    const rows = await db(exec).selectFrom('check_state').selectAll().execute();
    return new Map(rows.map((r) => [r.check_id, stateFromRow(r)]));
  },
  async statesOf(exec: Executor, ids: string[]): Promise<Map<string, CheckState>> {
    const out = new Map<string, CheckState>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db(exec)
        .selectFrom('check_state')
        .selectAll()
        .where('check_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) out.set(r.check_id, stateFromRow(r));
    }
    return out;
  },
  /** States written since `since` (ms, by the writers' clocks), with their write time. */
  async statesSince(exec: Executor, since: number): Promise<Array<{ id: string; state: CheckState; at: number }>> {
    const rows = await db(exec).selectFrom('check_state').selectAll().where('updated_at', '>', since).execute();
    return rows.map((r) => ({ id: r.check_id, state: stateFromRow(r), at: Number(r.updated_at) }));
  },
  /** A cheap fingerprint of the checks table: changes whenever a check is added, edited or removed. */
  async signature(exec: Executor): Promise<string> {
    const r = await db(exec)
      .selectFrom('checks')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('updated_at').as('m'), eb.fn.max('seq').as('s')])
      .executeTakeFirst();
    return `${r?.n ?? 0}:${r?.m ?? 0}:${r?.s ?? 0}`;
  },
  /** Writes many states in one statement (insert or replace). */
  async saveStates(exec: Executor, rows: StateRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      await db(exec)
        .insertInto('check_state')
        .values(rows.slice(i, i + 500))
        .onConflict((oc) =>
          oc.column('check_id').doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            since: eb.ref('excluded.since'),
            last_checked_at: eb.ref('excluded.last_checked_at'),
            last_latency_ms: eb.ref('excluded.last_latency_ms'),
            last_ok: eb.ref('excluded.last_ok'),
            last_message: eb.ref('excluded.last_message'),
            consecutive_failures: eb.ref('excluded.consecutive_failures'),
            consecutive_successes: eb.ref('excluded.consecutive_successes'),
            history: eb.ref('excluded.history'),
            flapping: eb.ref('excluded.flapping'),
            flap_percent: eb.ref('excluded.flap_percent'),
            certificate_json: eb.ref('excluded.certificate_json'),
            cert_expiry: eb.ref('excluded.cert_expiry'),
            last_ping_at: eb.ref('excluded.last_ping_at'),
            run_started_at: eb.ref('excluded.run_started_at'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  },

  async insertEvents(exec: Executor, rows: Array<{ id: string; checkId: string; e: CheckEventInput }>): Promise<void> {
    if (rows.length === 0) return;
    await db(exec)
      .insertInto('check_events')
      .values(
        rows.map(({ id, checkId, e }) => ({
          id,
          check_id: checkId,
          at: e.at,
          type: e.type,
          from_status: e.from,
          to_status: e.to,
          message: e.message.slice(0, 2000),
          details_json: e.details ? JSON.stringify(e.details) : null,
        })),
      )
      .execute();
  },
};
