import type { Kysely } from 'kysely';
import type { Actor } from '../platform/audit/audit.model.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/database.js';
import { InputError, NotFoundError } from '../platform/errors.js';
import { type Page, type PageQuery, paginate } from '../platform/http/pagination.js';
import { newId } from '../platform/ids.js';
import type { SecretBox } from '../platform/secrets/secret-box.js';
import type { AlertEvent, AlertView, Severity } from './alert.model.js';
import { type AlertFilter, alertView, listAlerts } from './alert.queries.js';
import { alertStore } from './alert.store.js';
import type { AlertRow, AlertsTables, GroupRow } from './alert.tables.js';
import type { ConfigCache } from './alert-config.js';
import { saveSilence } from './alerts.resources.js';
import type { SilenceSpec } from './config.model.js';
import type { Dispatcher } from './dispatcher.js';
import { groupStore } from './group.store.js';
import type { IntakeService } from './intake.service.js';
import { occurrencesBetween } from './maintenance-schedule.js';
import { type Matcher, matchesAll, parseMatcher } from './matchers.js';
import { notificationStore } from './notification.store.js';
import type { AlertPipeline } from './pipeline.js';
import { groupKeyOf, groupLabelsOf, matchRoutes, type RouteNode } from './routing.js';

function db(exec: unknown): Kysely<AlertsTables> {
  return exec as Kysely<AlertsTables>;
}

export interface SilenceView {
  name: string;
  matchers: string[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  state: 'active' | 'pending' | 'expired';
}

export interface SilenceInput {
  name?: string | undefined;
  matchers: string[];
  startsAt?: string | undefined;
  endsAt?: string | undefined;
  /** Duration in ms from startsAt (or now). */
  durationMs?: number | undefined;
  comment: string;
}

/** Reads and actions on alerts, silences, groups and the route tree, for the API and the UI. */
export class AlertsService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly audit: AuditStore,
    private readonly box: SecretBox,
    private readonly cache: ConfigCache,
    private readonly intake: IntakeService,
    private readonly pipeline: AlertPipeline,
    private readonly dispatcher: Pick<Dispatcher, 'reevaluate'>,
  ) {}

  private async integrationNames(): Promise<Map<string, string>> {
    const cfg = await this.cache.get();
    return new Map([...cfg.integrationsByHash.values()].map((i) => [i.id, i.name]));
  }

  async list(filter: AlertFilter, page: PageQuery): Promise<Page<AlertView> & { partial: boolean }> {
    return listAlerts(this.database.db, filter, page, await this.integrationNames(), this.database.engine);
  }

  private async row(id: string): Promise<AlertRow> {
    const r = await alertStore.get(this.database.db, id);
    if (!r) throw new NotFoundError(`no alert ${id}`);
    return r;
  }

  async get(id: string): Promise<AlertView> {
    const r = await this.row(id);
    const names = await this.integrationNames();
    return alertView(r, r.integration_id ? (names.get(r.integration_id) ?? null) : null, true);
  }

  async history(id: string, page: PageQuery) {
    await this.row(id);
    const q = db(this.database.db).selectFrom('alert_history').where('alert_id', '=', id);
    return paginate(q, page, { at: 'at' }, '-at', (r: AlertsTables['alert_history']) => ({
      id: r.id,
      at: new Date(Number(r.at)).toISOString(),
      type: r.type as never,
      message: r.message,
      details: r.details_json ? JSON.parse(r.details_json) : null,
    }));
  }

  /** Acknowledge or resolve through the same pipeline as the intake (same dedup rules, same history). */
  async act(actor: Actor, id: string, action: 'acknowledge' | 'resolve'): Promise<AlertView> {
    const r = await this.row(id);
    if (r.active_key === null) throw new InputError(`alert ${id} is already resolved`, { code: 'already_resolved' });
    const e: AlertEvent = {
      action,
      source: r.source as AlertEvent['source'],
      integrationId: r.integration_id,
      dedupKey: r.dedup_key,
      labels: JSON.parse(r.labels_json),
      annotations: {},
      summary: r.summary,
      severity: r.severity as Severity,
      by: actor.name,
    };
    await this.intake.submit([e]);
    await this.audit.record(this.database.db, actor, {
      action: `alerts.${action}`,
      resourceType: 'Alert',
      resourceId: id,
      resourceName: r.summary.slice(0, 200),
    });
    return this.get(id);
  }

  async groups(page: PageQuery) {
    const q = db(this.database.db).selectFrom('alert_groups');
    const result = await paginate(q, page, { createdAt: 'created_at' }, '-createdAt', (g: GroupRow) => g);
    const rows = result.items;
    const counts = rows.length
      ? await db(this.database.db)
          .selectFrom('alert_group_members')
          .select(['group_id', (eb) => eb.fn.countAll().as('n')])
          .where(
            'group_id',
            'in',
            rows.map((r) => r.id),
          )
          .groupBy('group_id')
          .execute()
      : [];
    const n = new Map(counts.map((c) => [c.group_id, Number(c.n)]));
    const iso = (v: number | null) => (v === null ? null : new Date(Number(v)).toISOString());
    return {
      items: rows.map((g) => ({
        id: g.id,
        route: g.route_path,
        receiver: g.receiver,
        labels: JSON.parse(g.labels_json) as Record<string, string>,
        alerts: n.get(g.id) ?? 0,
        createdAt: iso(g.created_at) as string,
        nextFlushAt: iso(g.next_flush_at),
        lastNotifiedAt: iso(g.last_notified_at),
        held: g.held === 1,
      })),
      total: result.total,
      limit: result.limit,
      offset: result.offset,
    };
  }

  async notifications(groupId: string, limit: number) {
    const rows = await notificationStore.ofGroup(this.database.db, groupId, limit);
    return rows.map((r) => ({
      id: r.id,
      at: new Date(Number(r.at)).toISOString(),
      receiver: r.receiver,
      status: r.status,
      firing: Number(r.firing),
      resolved: Number(r.resolved),
      targets: Number(r.targets),
      delivered: Number(r.delivered),
      failed: Number(r.failed),
      receipts: JSON.parse(r.receipts_json) as unknown[],
    }));
  }

  // ---- routing tree

  async tree(): Promise<{ root: RouteNode | null; error: string | null }> {
    const cfg = await this.cache.get();
    return { root: cfg.root ?? null, error: cfg.rootError ?? null };
  }

  /** Which routes, receivers and groups a label set reaches, and what would hold it right now. */
  async testLabels(labels: Record<string, string>) {
    const cfg = await this.cache.get();
    const now = this.clock.now();
    const routes = cfg.root ? matchRoutes(cfg.root, labels) : [];
    return {
      routes: routes.map((r) => ({
        route: r.path,
        receiver: r.receiver,
        groupBy: r.groupBy === 'all' ? ['...'] : r.groupBy,
        groupLabels: groupLabelsOf(r, labels),
        groupKey: groupKeyOf(r, labels),
        groupWaitMs: r.groupWaitMs,
        groupIntervalMs: r.groupIntervalMs,
        repeatIntervalMs: r.repeatIntervalMs,
        mutedNow: r.muteTimeIntervals.filter((n) => cfg.intervals.get(n)?.(now)),
      })),
      silencedBy: cfg.silences
        .filter((s) => s.startsAt <= now && now < s.endsAt && matchesAll(s.matchers, labels))
        .map((s) => s.name),
      unrouted: !cfg.root,
    };
  }

  // ---- silences

  private silenceView(r: AlertsTables['alert_silences'], now: number): SilenceView {
    const starts = Number(r.starts_at);
    const ends = Number(r.ends_at);
    return {
      name: r.name,
      matchers: JSON.parse(r.matchers_json),
      startsAt: new Date(starts).toISOString(),
      endsAt: new Date(ends).toISOString(),
      createdBy: r.created_by,
      comment: r.comment,
      state: now >= ends ? 'expired' : now < starts ? 'pending' : 'active',
    };
  }

  async silences(state: 'active' | 'pending' | 'expired' | 'all', page: PageQuery) {
    const now = this.clock.now();
    let q = db(this.database.db).selectFrom('alert_silences');
    if (state === 'active') q = q.where('starts_at', '<=', now).where('ends_at', '>', now);
    if (state === 'pending') q = q.where('starts_at', '>', now);
    if (state === 'expired') q = q.where('ends_at', '<=', now);
    return paginate(
      q,
      page,
      { endsAt: 'ends_at', startsAt: 'starts_at', name: 'name' },
      '-endsAt',
      (r: AlertsTables['alert_silences']) => this.silenceView(r, now),
    );
  }

  async silence(name: string): Promise<SilenceView> {
    const r = await db(this.database.db)
      .selectFrom('alert_silences')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    if (!r) throw new NotFoundError(`no silence named ${name}`);
    return this.silenceView(r, this.clock.now());
  }

  async createSilence(actor: Actor, input: SilenceInput): Promise<SilenceView> {
    const now = this.clock.now();
    const starts = input.startsAt ? Date.parse(input.startsAt) : now;
    const ends = input.endsAt
      ? Date.parse(input.endsAt)
      : input.durationMs !== undefined
        ? starts + input.durationMs
        : NaN;
    if (!Number.isFinite(ends))
      throw new InputError('a silence needs endsAt or a duration', {
        fields: [{ path: 'endsAt', message: 'required without duration' }],
      });
    if (ends <= starts)
      throw new InputError('endsAt must be after startsAt', {
        fields: [{ path: 'endsAt', message: 'must be after startsAt' }],
      });
    const spec: SilenceSpec = {
      matchers: input.matchers,
      startsAt: new Date(starts).toISOString(),
      endsAt: new Date(ends).toISOString(),
      createdBy: actor.name,
      comment: input.comment,
    };
    const name = input.name ?? `silence-${newId(now).slice(-12)}`;
    await this.database.transaction((trx) =>
      saveSilence(trx, { clock: this.clock, audit: this.audit }, actor, name, {}, spec),
    );
    this.cache.invalidate();
    // The alerts it silences show it at once (their groups' timers are left alone).
    if (starts <= now) {
      const matched = await this.list(
        { status: 'firing', matchers: spec.matchers.map((m) => parseMatcher(m)) },
        { limit: 500, offset: 0, sort: '-lastSeenAt' },
      );
      const groups = new Set(matched.items.flatMap((a) => a.why.routes.map((r) => r.group)));
      await this.dispatcher.reevaluate([...groups]);
    }
    return this.silence(name);
  }

  /** Ends a silence now; groups holding alerts re-evaluate at once (released alerts notify). */
  async expireSilence(actor: Actor, name: string): Promise<SilenceView> {
    const now = this.clock.now();
    await this.database.transaction(async (trx) => {
      const r = await db(trx).selectFrom('alert_silences').selectAll().where('name', '=', name).executeTakeFirst();
      if (!r) throw new NotFoundError(`no silence named ${name}`);
      if (Number(r.ends_at) <= now) return;
      await db(trx)
        .updateTable('alert_silences')
        .set({ ends_at: now, starts_at: Math.min(Number(r.starts_at), now), updated_at: now })
        .where('name', '=', name)
        .execute();
      await db(trx)
        .updateTable('alert_meta')
        .set((eb) => ({ value: eb('value', '+', 1) }))
        .where('key', '=', 'config_version')
        .execute();
      await this.audit.record(trx, actor, {
        action: 'silences.expire',
        resourceType: 'Silence',
        resourceId: name,
        resourceName: name,
      });
      await this.pipeline.flushNow(trx, await groupStore.held(trx), now);
    });
    this.cache.invalidate();
    return this.silence(name);
  }

  /** Firing alerts a set of matchers would silence (first `limit`, and how many in all). */
  async preview(matcherTexts: string[], limit: number): Promise<{ total: number; items: AlertView[] }> {
    const matchers: Matcher[] = matcherTexts.map((m, i) => {
      try {
        return parseMatcher(m);
      } catch (err) {
        throw new InputError(`matchers[${i}]: ${(err as Error).message}`, {
          fields: [{ path: `matchers.${i}`, message: (err as Error).message }],
        });
      }
    });
    const page = await this.list({ status: 'firing', matchers }, { limit, offset: 0, sort: '-lastSeenAt' });
    return { total: page.total, items: page.items };
  }

  // ---- maintenance calendar

  async calendar(from: number, to: number) {
    const cfg = await this.cache.get();
    return cfg.windows.flatMap((w) =>
      occurrencesBetween(w.spec, from, to, 500).map((o) => ({
        window: w.name,
        start: new Date(o.start).toISOString(),
        end: new Date(o.end).toISOString(),
        matchers: w.spec.matchers,
        checks: w.spec.checks,
        comment: w.spec.comment ?? null,
      })),
    );
  }

  // ---- integrations

  async integrations() {
    const rows = await db(this.database.db).selectFrom('alert_integrations').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      name: r.name,
      type: r.type,
      labels: JSON.parse(r.labels_json) as Record<string, string>,
      createdAt: new Date(Number(r.created_at)).toISOString(),
    }));
  }

  async integrationKey(actor: Actor, name: string): Promise<string> {
    const r = await db(this.database.db)
      .selectFrom('alert_integrations')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    if (!r) throw new NotFoundError(`no integration named ${name}`);
    await this.audit.record(this.database.db, actor, {
      action: 'integrations.reveal_key',
      resourceType: 'Integration',
      resourceId: r.id,
      resourceName: name,
    });
    return this.box.open(r.key_sealed);
  }
}
