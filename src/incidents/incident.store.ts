import { type Kysely, sql } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import { monotonicId } from '../platform/ids.js';
import type { IncidentsTables } from './incident.tables.js';

export type IncidentRow = IncidentsTables['incidents'];
export type LinkRow = IncidentsTables['incident_alerts'];
export type TimelineRow = IncidentsTables['incident_timeline'];

function db(exec: Executor): Kysely<IncidentsTables> {
  return exec as unknown as Kysely<IncidentsTables>;
}

export interface TimelineInput {
  type: string;
  actor: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface IncidentFilter {
  status?: string[] | undefined;
  severity?: string[] | undefined;
  service?: string | undefined;
  team?: string | undefined;
  q?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

export const incidentStore = {
  async nextNumber(exec: Executor): Promise<number> {
    const r = await db(exec)
      .updateTable('incident_counter')
      .set((eb) => ({ value: eb('value', '+', 1) }))
      .where('id', '=', 'number')
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(r.value);
  },
  async insert(exec: Executor, row: IncidentRow): Promise<void> {
    await db(exec).insertInto('incidents').values(row).execute();
  },
  /** By id, or by number when `ref` is all digits (`#` allowed). */
  async get(exec: Executor, ref: string): Promise<IncidentRow | undefined> {
    const n = /^#?\d{1,12}$/.test(ref) ? Number(ref.replace('#', '')) : undefined;
    const q = db(exec).selectFrom('incidents').selectAll();
    return (n !== undefined ? q.where('number', '=', n) : q.where('id', '=', ref)).executeTakeFirst();
  },
  async getForUpdate(exec: Executor, id: string, engine: string): Promise<IncidentRow | undefined> {
    let q = db(exec).selectFrom('incidents').selectAll().where('id', '=', id);
    if (engine === 'postgres') q = q.forUpdate();
    return q.executeTakeFirst();
  },
  async byOpenKey(exec: Executor, key: string, engine: string): Promise<IncidentRow | undefined> {
    let q = db(exec).selectFrom('incidents').selectAll().where('open_key', '=', key);
    if (engine === 'postgres') q = q.forUpdate();
    return q.executeTakeFirst();
  },
  async update(exec: Executor, id: string, patch: Partial<IncidentRow>): Promise<void> {
    await db(exec).updateTable('incidents').set(patch).where('id', '=', id).execute();
  },
  query(exec: Executor, f: IncidentFilter) {
    let q = db(exec).selectFrom('incidents');
    if (f.status?.length) q = q.where('status', 'in', f.status);
    if (f.severity?.length) q = q.where('severity', 'in', f.severity);
    if (f.service) q = q.where('service', '=', f.service);
    if (f.team) q = q.where('team', '=', f.team);
    if (f.from !== undefined) q = q.where('created_at', '>=', f.from);
    if (f.to !== undefined) q = q.where('created_at', '<', f.to);
    if (f.q) {
      const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`lower(title) like ${like} escape '\\'`);
    }
    return q;
  },

  // Linked alerts ---------------------------------------------------------------------------------
  async links(exec: Executor, incidentId: string): Promise<LinkRow[]> {
    return db(exec)
      .selectFrom('incident_alerts')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .orderBy('attached_at')
      .limit(1000)
      .execute();
  },
  async addLinks(exec: Executor, rows: LinkRow[]): Promise<void> {
    if (!rows.length) return;
    await db(exec)
      .insertInto('incident_alerts')
      .values(rows)
      .onConflict((oc) => oc.columns(['incident_id', 'alert_id']).doNothing())
      .execute();
  },
  async resolveLinks(exec: Executor, incidentId: string, alertIds: string[], at: number): Promise<void> {
    if (!alertIds.length) return;
    await db(exec)
      .updateTable('incident_alerts')
      .set({ status: 'resolved', resolved_at: at })
      .where('incident_id', '=', incidentId)
      .where('alert_id', 'in', alertIds)
      .execute();
  },
  async linkCounts(exec: Executor, ids: string[]): Promise<Map<string, { total: number; firing: number }>> {
    const out = new Map<string, { total: number; firing: number }>();
    if (!ids.length) return out;
    const rows = await db(exec)
      .selectFrom('incident_alerts')
      .select(['incident_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('incident_id', 'in', ids)
      .groupBy(['incident_id', 'status'])
      .execute();
    for (const r of rows) {
      const c = out.get(r.incident_id) ?? { total: 0, firing: 0 };
      c.total += Number(r.n);
      if (r.status === 'firing') c.firing += Number(r.n);
      out.set(r.incident_id, c);
    }
    return out;
  },

  // Timeline --------------------------------------------------------------------------------------
  async record(exec: Executor, incidentId: string, at: number, entries: TimelineInput[]): Promise<void> {
    if (!entries.length) return;
    await db(exec)
      .insertInto('incident_timeline')
      .values(
        entries.map((e, _i) => ({
          id: monotonicId(at),
          incident_id: incidentId,
          at,
          type: e.type,
          actor: e.actor,
          message: e.message.slice(0, 4000),
          details_json: JSON.stringify(e.details ?? {}),
        })),
      )
      .execute();
  },
  timelineQuery(exec: Executor, incidentId: string) {
    return db(exec).selectFrom('incident_timeline').where('incident_id', '=', incidentId);
  },

  // Roles and responders --------------------------------------------------------------------------
  async roles(exec: Executor, ids: string[]) {
    if (!ids.length) return [];
    return db(exec).selectFrom('incident_roles').selectAll().where('incident_id', 'in', ids).orderBy('role').execute();
  },
  async setRole(exec: Executor, incidentId: string, role: string, email: string, at: number): Promise<void> {
    await db(exec)
      .insertInto('incident_roles')
      .values({ incident_id: incidentId, role, user_email: email, assigned_at: at })
      .onConflict((oc) => oc.columns(['incident_id', 'role']).doUpdateSet({ user_email: email, assigned_at: at }))
      .execute();
  },
  async removeRole(exec: Executor, incidentId: string, role: string): Promise<boolean> {
    const r = await db(exec)
      .deleteFrom('incident_roles')
      .where('incident_id', '=', incidentId)
      .where('role', '=', role)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },
  async responders(exec: Executor, ids: string[]) {
    if (!ids.length) return [];
    return db(exec)
      .selectFrom('incident_responders')
      .selectAll()
      .where('incident_id', 'in', ids)
      .orderBy('added_at')
      .execute();
  },
  async addResponder(exec: Executor, incidentId: string, email: string, at: number): Promise<boolean> {
    const r = await db(exec)
      .insertInto('incident_responders')
      .values({ incident_id: incidentId, user_email: email, added_at: at })
      .onConflict((oc) => oc.columns(['incident_id', 'user_email']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  },

  /** Marks a step as run; false when it already ran (a task re-run after a crash). */
  async claimStep(exec: Executor, incidentId: string, run: number, cycle: number, level: number, at: number) {
    const r = await db(exec)
      .insertInto('incident_escalation_steps')
      .values({ incident_id: incidentId, run, cycle, level, at })
      .onConflict((oc) => oc.columns(['incident_id', 'run', 'cycle', 'level']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  },
  async steps(exec: Executor, incidentId: string) {
    return db(exec)
      .selectFrom('incident_escalation_steps')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .orderBy('at')
      .execute();
  },
};
