import { type Kysely, sql } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { Incident, LinkedAlert, TimelineEntry } from './incident.model.js';
import { type IncidentRow, incidentStore, type LinkRow, type TimelineRow } from './incident.store.js';
import type { IncidentsTables } from './incident.tables.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(Number(ms)));

/** Incident rows → API views, with counts, roles and responders fetched for the whole page at once. */
export async function incidentViews(exec: Executor, rows: IncidentRow[]): Promise<Incident[]> {
  const ids = rows.map((r) => r.id);
  const [counts, roles, responders] = await Promise.all([
    incidentStore.linkCounts(exec, ids),
    incidentStore.roles(exec, ids),
    incidentStore.responders(exec, ids),
  ]);
  return rows.map((r) => {
    const created = Number(r.created_at);
    const acked = r.acknowledged_at === null ? null : Number(r.acknowledged_at);
    const resolved = r.resolved_at === null ? null : Number(r.resolved_at);
    return {
      id: r.id,
      number: Number(r.number),
      title: r.title,
      description: r.description,
      severity: r.severity as Incident['severity'],
      urgency: r.urgency as Incident['urgency'],
      status: r.status as Incident['status'],
      service: r.service,
      team: r.team,
      labels: JSON.parse(r.labels_json),
      policy: r.policy,
      groupKey: r.group_key,
      receiver: r.receiver,
      createdAt: iso(created),
      createdBy: r.created_by,
      acknowledgedAt: isoOrNull(acked),
      acknowledgedBy: r.acknowledged_by,
      resolvedAt: isoOrNull(resolved),
      resolvedBy: r.resolved_by,
      updatedAt: iso(Number(r.updated_at)),
      ttaSeconds: acked === null ? null : Math.round((acked - created) / 1000),
      ttrSeconds: resolved === null ? null : Math.round((resolved - created) / 1000),
      alerts: counts.get(r.id) ?? { total: 0, firing: 0 },
      roles: roles
        .filter((x) => x.incident_id === r.id)
        .map((x) => ({ role: x.role, user: x.user_email, assignedAt: iso(Number(x.assigned_at)) })),
      responders: responders
        .filter((x) => x.incident_id === r.id)
        .map((x) => ({ user: x.user_email, addedAt: iso(Number(x.added_at)) })),
      escalation: r.policy
        ? {
            run: Number(r.escalation_run),
            cycle: Number(r.escalation_cycle),
            level: Number(r.escalation_level),
            nextAt: r.status === 'triggered' ? isoOrNull(r.escalation_next_at) : null,
          }
        : null,
    };
  });
}

export function timelineView(r: TimelineRow): TimelineEntry {
  return {
    id: r.id,
    incidentId: r.incident_id,
    at: iso(Number(r.at)),
    type: r.type as TimelineEntry['type'],
    actor: r.actor,
    message: r.message,
    details: JSON.parse(r.details_json),
  };
}

export function linkView(r: LinkRow): LinkedAlert {
  return {
    alertId: r.alert_id,
    fingerprint: r.fingerprint,
    status: r.status as LinkedAlert['status'],
    summary: r.summary,
    labels: JSON.parse(r.labels_json),
    attachedAt: iso(Number(r.attached_at)),
    resolvedAt: isoOrNull(r.resolved_at),
  };
}

export interface StatsRow {
  key: string | null;
  incidents: number;
  acknowledged: number;
  resolved: number;
  /** Mean time to acknowledge, seconds, over acknowledged incidents. */
  mttaSeconds: number | null;
  /** Mean time to resolve, seconds, over resolved incidents. */
  mttrSeconds: number | null;
}

/** MTTA and MTTR over incidents created in [from, to), overall or per service or team. */
export async function incidentStats(
  exec: Executor,
  range: { from: number; to: number },
  by: 'service' | 'team' | undefined,
): Promise<StatsRow[]> {
  const db = exec as unknown as Kysely<IncidentsTables>;
  let q = db
    .selectFrom('incidents')
    .where('created_at', '>=', range.from)
    .where('created_at', '<', range.to)
    .select([
      (eb) => eb.fn.countAll<number>().as('incidents'),
      (eb) => eb.fn.count<number>('acknowledged_at').as('acknowledged'),
      (eb) => eb.fn.count<number>('resolved_at').as('resolved'),
      sql<number | null>`avg(acknowledged_at - created_at)`.as('tta'),
      sql<number | null>`avg(resolved_at - created_at)`.as('ttr'),
    ]);
  if (by) q = q.select(sql<string | null>`${sql.ref(by)}`.as('key')).groupBy(by);
  const rows = (await q.execute()) as Array<{
    key?: string | null;
    incidents: number;
    acknowledged: number;
    resolved: number;
    tta: number | null;
    ttr: number | null;
  }>;
  return rows.map((r) => ({
    key: r.key ?? null,
    incidents: Number(r.incidents),
    acknowledged: Number(r.acknowledged),
    resolved: Number(r.resolved),
    mttaSeconds: r.tta === null ? null : Math.round(Number(r.tta) / 1000),
    mttrSeconds: r.ttr === null ? null : Math.round(Number(r.ttr) / 1000),
  }));
}
