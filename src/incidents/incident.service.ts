import type { Logger } from 'pino';
import type { NotifyService } from '../notify/index.js';
import type { OncallService } from '../oncall/index.js';
import type { Actor } from '../platform/audit/audit.model.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import { ConflictError, InputError, NotFoundError } from '../platform/errors.js';
import { type Page, type PageQuery, paginate } from '../platform/http/pagination.js';
import { newId } from '../platform/ids.js';
import type { WorkQueue } from '../platform/queue/index.js';
import type { Escalator } from './escalation.js';
import type { CreateIncident, Incident, LinkedAlert, TimelineEntry, UpdateIncident } from './incident.model.js';
import { type IncidentFilter, type IncidentRow, incidentStore, type TimelineInput } from './incident.store.js';
import { incidentStats, incidentViews, linkView, timelineView } from './incident.views.js';
import type { IncidentNotifications } from './incident-notifications.js';

export interface IncidentsServiceDeps {
  database: Database;
  clock: Clock;
  audit: AuditStore;
  queue: WorkQueue;
  escalator: Escalator;
  oncall: OncallService;
  notify: NotifyService;
  notifications: IncidentNotifications;
  logger: Logger;
}

/** How an actor appears on timelines: `user:<email>`, `token:<name>`, `link:<email or incident>`, `system`. */
export function actorLabel(a: Actor): string {
  if (a.type === 'system') return a.name === 'system' ? 'system' : a.name;
  return `${a.via === 'token' ? 'token' : 'user'}:${a.name}`;
}

/** An actor label as people read it: `user:ann@x` → `ann@x`, `link:acknowledge` → `a signed link`. */
const shown = (by: string) => (by.startsWith('link:') ? 'a signed link' : by.replace(/^(user|token):/, ''));

/**
 * The incident lifecycle: create, update, acknowledge, resolve, reopen, and the reads (incidents,
 * timeline, linked alerts, deliveries, stats). Notes, roles and responders live in
 * incident-people.service.ts; channel posts and delivery outcomes in incident-notifications.ts.
 */
export class IncidentsService {
  constructor(private readonly d: IncidentsServiceDeps) {}

  get db(): Executor {
    return this.d.database.db;
  }

  async row(exec: Executor, ref: string): Promise<IncidentRow> {
    const r = await incidentStore.get(exec, ref);
    if (!r) throw new NotFoundError(`no incident ${ref}`);
    return r;
  }

  async get(ref: string, exec: Executor = this.db): Promise<Incident> {
    const [v] = await incidentViews(exec, [await this.row(exec, ref)]);
    return v as Incident;
  }

  async list(filter: IncidentFilter, page: PageQuery): Promise<Page<Incident>> {
    const p = await paginate(
      incidentStore.query(this.db, filter),
      page,
      { createdAt: 'created_at', number: 'number', severity: 'severity', updatedAt: 'updated_at' },
      '-createdAt',
      (r: IncidentRow) => r,
    );
    return { ...p, items: await incidentViews(this.db, p.items) };
  }

  async timeline(ref: string, page: PageQuery): Promise<Page<TimelineEntry>> {
    const inc = await this.row(this.db, ref);
    return paginate(incidentStore.timelineQuery(this.db, inc.id), page, { at: 'id' }, 'at', timelineView);
  }

  async timelineAll(exec: Executor, ref: string): Promise<TimelineEntry[]> {
    const inc = await this.row(exec, ref);
    const rows = await incidentStore.timelineQuery(exec, inc.id).selectAll().orderBy('id').limit(5000).execute();
    return rows.map(timelineView);
  }

  async alerts(ref: string): Promise<LinkedAlert[]> {
    const inc = await this.row(this.db, ref);
    return (await incidentStore.links(this.db, inc.id)).map(linkView);
  }

  async deliveries(ref: string) {
    const inc = await this.row(this.db, ref);
    return this.d.notify.deliveriesOf(this.db, inc.id);
  }

  stats(range: { from: number; to: number }, by: 'service' | 'team' | undefined) {
    return incidentStats(this.db, range, by);
  }

  async record(exec: Executor, incidentId: string, entries: TimelineInput[]): Promise<void> {
    await incidentStore.record(exec, incidentId, this.d.clock.now(), entries);
  }

  /** Creates an incident row (and its first timeline entry) in the caller's transaction. */
  async insert(
    exec: Executor,
    input: CreateIncident & { groupKey?: string; receiver?: string; openKey?: string },
    createdBy: string,
  ): Promise<IncidentRow> {
    const now = this.d.clock.now();
    const policy = input.policy ? await this.d.oncall.policy(exec, input.policy) : undefined;
    if (input.policy && !policy)
      throw new InputError(`policy: no escalation policy ${input.policy}`, {
        fields: [{ path: 'policy', message: 'no such escalation policy' }],
      });
    const row: IncidentRow = {
      id: newId(now),
      number: await incidentStore.nextNumber(exec),
      title: input.title,
      description: input.description,
      severity: input.severity,
      urgency: input.urgency,
      status: 'triggered',
      service: input.service ?? null,
      team: input.team ?? policy?.team ?? null,
      labels_json: JSON.stringify(input.labels),
      policy: input.policy ?? null,
      group_key: input.groupKey ?? null,
      receiver: input.receiver ?? null,
      open_key: input.openKey ?? null,
      created_at: now,
      created_by: createdBy,
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      resolved_by: null,
      updated_at: now,
      escalation_run: 0,
      escalation_cycle: 0,
      escalation_level: 0,
      escalation_next_at: null,
      ack_seq: 0,
    };
    await incidentStore.insert(exec, row);
    await incidentStore.record(exec, row.id, now, [
      {
        type: 'created',
        actor: createdBy,
        message: `${row.severity} ${row.urgency} urgency incident opened${row.policy ? `; paging through ${row.policy}` : ''}`,
        details: { severity: row.severity, urgency: row.urgency, policy: row.policy, groupKey: row.group_key },
      },
    ]);
    return row;
  }

  async create(actor: Actor, input: CreateIncident): Promise<Incident> {
    const id = await this.d.database.transaction(async (trx) => {
      const row = await this.insert(trx, input, actorLabel(actor));
      await this.d.audit.record(trx, actor, {
        action: 'incidents.create',
        resourceType: 'Incident',
        resourceId: row.id,
        resourceName: `#${row.number} ${row.title}`,
        after: input,
      });
      await this.d.notifications.tellChannels(trx, row, 'incident.triggered');
      await this.d.escalator.start(trx, row);
      return row.id;
    });
    return this.get(id);
  }

  async update(actor: Actor, ref: string, patch: UpdateIncident): Promise<Incident> {
    const id = await this.d.database.transaction(async (trx) => {
      const inc = await this.row(trx, ref);
      const now = this.d.clock.now();
      const changes: Partial<IncidentRow> = { updated_at: now };
      const log: TimelineInput[] = [];
      const fields: Array<[keyof UpdateIncident, keyof IncidentRow, (v: never) => unknown]> = [
        ['title', 'title', (v) => v],
        ['description', 'description', (v) => v],
        ['severity', 'severity', (v) => v],
        ['urgency', 'urgency', (v) => v],
        ['service', 'service', (v) => v],
        ['labels', 'labels_json', (v) => JSON.stringify(v)],
      ];
      for (const [field, column, store] of fields) {
        const value = patch[field];
        if (value === undefined) continue;
        const next = store(value as never);
        const before = inc[column];
        if (next === before) continue;
        (changes as Record<string, unknown>)[column] = next;
        const shown = field === 'description' || field === 'labels';
        log.push({
          type: 'field.changed',
          actor: actorLabel(actor),
          message: shown ? `${field} changed` : `${field}: ${String(before)} → ${String(next)}`,
          details: { field, ...(shown ? {} : { from: before, to: next }) },
        });
      }
      await incidentStore.update(trx, inc.id, changes);
      await incidentStore.record(trx, inc.id, now, log);
      if (inc.urgency === 'low' && changes.urgency === 'high')
        await this.d.escalator.urgencyRaised(trx, { ...inc, ...changes } as IncidentRow);
      await this.d.audit.record(trx, actor, {
        action: 'incidents.update',
        resourceType: 'Incident',
        resourceId: inc.id,
        resourceName: `#${inc.number}`,
        after: patch,
      });
      return inc.id;
    });
    return this.get(id);
  }

  /**
   * Acknowledge, resolve or reopen. Idempotent: acknowledging an acknowledged incident or resolving a
   * resolved one changes nothing. `by` is the timeline actor (`user:…`, `link:…`, `system`).
   */
  async transition(
    ref: string,
    action: 'acknowledge' | 'resolve' | 'reopen',
    by: string,
    audit: Actor | undefined,
    exec?: Executor,
    reason?: string,
  ): Promise<Incident> {
    const run = async (trx: Executor) => {
      const found = await this.row(trx, ref);
      const inc = (await incidentStore.getForUpdate(trx, found.id, this.d.database.engine)) as IncidentRow;
      const now = this.d.clock.now();
      const from = inc.status;
      const log: TimelineInput[] = [];
      let next: IncidentRow = inc;
      if (action === 'acknowledge') {
        if (from === 'resolved')
          throw new ConflictError(`incident #${inc.number} is resolved`, {
            code: 'already_resolved',
            hint: 'reopen it first',
          });
        if (from === 'acknowledged') return inc.id;
        next = {
          ...inc,
          status: 'acknowledged',
          acknowledged_at: inc.acknowledged_at ?? now,
          acknowledged_by: inc.acknowledged_by ?? by,
          ack_seq: Number(inc.ack_seq) + 1,
          updated_at: now,
        };
        await incidentStore.update(trx, inc.id, {
          status: next.status,
          acknowledged_at: next.acknowledged_at,
          acknowledged_by: next.acknowledged_by,
          ack_seq: next.ack_seq,
          escalation_next_at: null,
          updated_at: now,
        });
        log.push({ type: 'acknowledged', actor: by, message: `acknowledged by ${shown(by)}` });
        await this.d.escalator.armAckTimeout(
          trx,
          next,
          next.policy ? await this.d.oncall.policy(trx, next.policy) : undefined,
        );
      } else if (action === 'resolve') {
        if (from === 'resolved') return inc.id;
        next = { ...inc, status: 'resolved', resolved_at: now, resolved_by: by, open_key: null, updated_at: now };
        await incidentStore.update(trx, inc.id, {
          status: 'resolved',
          resolved_at: now,
          resolved_by: by,
          open_key: null,
          escalation_next_at: null,
          updated_at: now,
        });
        log.push({ type: 'resolved', actor: by, message: reason ?? `resolved by ${shown(by)}` });
      } else {
        if (from !== 'resolved') return inc.id;
        const key = inc.group_key && inc.receiver ? `${inc.receiver}|${inc.group_key}` : null;
        const taken = key ? await incidentStore.byOpenKey(trx, key, this.d.database.engine) : undefined;
        next = {
          ...inc,
          status: 'triggered',
          resolved_at: null,
          resolved_by: null,
          open_key: taken ? null : key,
          escalation_run: Number(inc.escalation_run) + 1,
          updated_at: now,
        };
        await incidentStore.update(trx, inc.id, {
          status: 'triggered',
          resolved_at: null,
          resolved_by: null,
          open_key: next.open_key,
          escalation_run: next.escalation_run,
          escalation_cycle: 0,
          escalation_level: 0,
          updated_at: now,
        });
        log.push({ type: 'reopened', actor: by, message: `reopened by ${shown(by)}` });
      }
      log.push({
        type: 'status.changed',
        actor: by,
        message: `${from} → ${next.status}`,
        details: { from, to: next.status },
      });
      if (action !== 'reopen') {
        const cancelled = await this.d.notify.cancelPending(trx, inc.id);
        if (cancelled)
          log.push({ type: 'notification.cancelled', actor: by, message: `${cancelled} pending page(s) not sent` });
      }
      await incidentStore.record(trx, inc.id, now, log);
      if (audit)
        await this.d.audit.record(trx, audit, {
          action: `incidents.${action}`,
          resourceType: 'Incident',
          resourceId: inc.id,
          resourceName: `#${inc.number}`,
        });
      if (action === 'reopen') {
        // The policy's channels heard it resolved; they hear it is open again.
        await this.d.notifications.tellChannels(trx, next, 'incident.triggered');
        await this.d.escalator.start(trx, next);
      } else
        await this.d.notifications.tellChannels(
          trx,
          next,
          action === 'acknowledge' ? 'incident.acknowledged' : 'incident.resolved',
        );
      return inc.id;
    };
    const id = exec ? await run(exec) : await this.d.database.transaction(run);
    return this.get(id, exec ?? this.db);
  }
}
