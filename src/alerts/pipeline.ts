import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor, Tx } from '../platform/db/database.js';
import { newId } from '../platform/ids.js';
import type { WorkQueue } from '../platform/queue/index.js';
import { type AlertEvent, EMPTY_WHY, fingerprintOf, type Why } from './alert.model.js';
import { alertStore, type HistoryInput } from './alert.store.js';
import type { AlertRow, AlertsTables, GroupRow } from './alert.tables.js';
import type { CompiledConfig, ConfigCache } from './alert-config.js';
import { findRoute, groupStore } from './group.store.js';
import { groupKeyOf, groupLabelsOf, matchRoutes, type RouteNode } from './routing.js';

export const FLUSH_TASK = 'alerts.flush';

function db(exec: Executor): Kysely<AlertsTables> {
  return exec as unknown as Kysely<AlertsTables>;
}

const MAX_DETAILS_CHARS = 64 * 1024;

function detailsJson(details: unknown): string | null {
  if (details === undefined || details === null) return null;
  const s = JSON.stringify(details);
  return s.length > MAX_DETAILS_CHARS ? JSON.stringify({ truncated: true, bytes: s.length }) : s;
}

/** True when a row changed only by counting repeats (and being seen again). */
function onlyRepeated(was: AlertRow, now: AlertRow): boolean {
  return (
    was.status === now.status &&
    was.active_key === now.active_key &&
    was.acknowledged_at === now.acknowledged_at &&
    was.summary === now.summary &&
    was.annotations_json === now.annotations_json &&
    was.details_json === now.details_json &&
    was.ends_at === now.ends_at &&
    Number(was.expires_at ?? -1) === Number(now.expires_at ?? -1) &&
    was.flapping === now.flapping
  );
}

/** Flushes groups inside the transaction that created them (the dispatcher). */
export type CreatedGroupsFlush = (trx: Tx, groups: GroupRow[], cfg: CompiledConfig) => Promise<void>;

export interface IngestOutcome {
  /** Per event: the alert it landed on (null: an acknowledge/resolve that matched no open alert). */
  alertIds: (string | null)[];
}

/**
 * Turns normalized events into alert rows and group membership, inside the caller's transaction:
 * dedup by fingerprint (repeats count), acknowledge/resolve only an open alert with the same
 * fingerprint, a trigger after a resolve opens a new alert, new alerts are routed into groups, and
 * every group that changed gets its flush scheduled as a durable queue task (Alertmanager's
 * dispatcher timers: group_wait for a new group, group_interval after the last flush).
 */
export class AlertPipeline {
  constructor(
    private readonly clock: Clock,
    private readonly queue: WorkQueue,
    private readonly config: ConfigCache,
    private readonly logger: Logger,
  ) {}

  private flushCreated: { database: Database; fn: CreatedGroupsFlush } | undefined;

  /**
   * New groups whose route has `group_wait: 0s` are flushed by `fn` at the end of the transaction
   * that creates them, instead of by a flush task run after its commit: the notification (and its
   * delivery tasks) commit with the alert, one transaction and one task fewer per new group. A
   * flush that fails there is rolled back alone (a savepoint) and scheduled as a task as before,
   * so it can never cost the intake its alert.
   */
  flushCreatedGroupsWith(database: Database, fn: CreatedGroupsFlush): void {
    this.flushCreated = { database, fn };
  }

  async ingest(exec: Executor, events: readonly AlertEvent[]): Promise<IngestOutcome> {
    const now = this.clock.now();
    const cfg = await this.config.get(exec);
    const fps = events.map(fingerprintOf);
    const open = await alertStore.openByFingerprint(exec, [...new Set(fps)]);
    // What each loaded row looked like, so rows that only counted repeats can be written in bulk.
    const loaded = new Map([...open.values()].map((r) => [r.id, { ...r }] as const));
    const inserted = new Map<string, AlertRow>();
    const updated = new Map<string, AlertRow>();
    const history: HistoryInput[] = [];
    const changed = new Set<string>(); // existing alerts whose groups must re-evaluate
    const alertIds: (string | null)[] = [];

    events.forEach((e, i) => {
      const fp = fps[i] as string;
      const cur = open.get(fp);
      const touch = (row: AlertRow) => {
        if (!inserted.has(row.id)) updated.set(row.id, row);
      };
      if (e.action === 'trigger') {
        if (cur) {
          cur.repeats += 1;
          cur.last_seen_at = now;
          cur.updated_at = now;
          if (Object.keys(e.annotations).length) cur.annotations_json = JSON.stringify(e.annotations);
          if (e.summary) cur.summary = e.summary.slice(0, 1024);
          cur.expires_at = e.endsAt !== undefined && e.endsAt > now ? e.endsAt : null;
          if (e.details !== undefined) cur.details_json = detailsJson(e.details);
          if (e.flapping !== undefined && (cur.flapping === 1) !== e.flapping) {
            cur.flapping = e.flapping ? 1 : 0;
            history.push({
              alertId: cur.id,
              at: now,
              type: e.flapping ? 'flapping_start' : 'flapping_end',
              message: e.flapping ? 'started flapping' : 'stopped flapping',
            });
            changed.add(cur.id);
          }
          touch(cur);
          alertIds.push(cur.id);
          return;
        }
        const row: AlertRow = {
          id: newId(now),
          fingerprint: fp,
          active_key: fp,
          integration_id: e.integrationId,
          source: e.source,
          dedup_key: e.dedupKey,
          status: 'firing',
          acknowledged_at: null,
          summary: (e.summary || 'alert').slice(0, 1024),
          severity: e.severity,
          labels_json: JSON.stringify(e.labels),
          annotations_json: JSON.stringify(e.annotations),
          details_json: detailsJson(e.details),
          generator_url: e.generatorURL ?? null,
          starts_at: e.startsAt ?? now,
          ends_at: null,
          expires_at: e.endsAt !== undefined && e.endsAt > now ? e.endsAt : null,
          first_seen_at: now,
          last_seen_at: now,
          repeats: 0,
          flapping: e.flapping ? 1 : 0,
          why_json: JSON.stringify(EMPTY_WHY),
          updated_at: now,
        };
        inserted.set(row.id, row);
        open.set(fp, row);
        history.push({ alertId: row.id, at: now, type: 'triggered', message: row.summary });
        alertIds.push(row.id);
        return;
      }
      if (!cur) {
        alertIds.push(null);
        return;
      }
      alertIds.push(cur.id);
      if (e.action === 'acknowledge') {
        if (cur.acknowledged_at === null) {
          cur.acknowledged_at = now;
          cur.updated_at = now;
          history.push({
            alertId: cur.id,
            at: now,
            type: 'acknowledged',
            message: e.by ? `acknowledged by ${e.by}` : `acknowledged via ${e.source}`,
          });
          touch(cur);
        }
        return;
      }
      // resolve
      if (e.unlessFlapping && cur.flapping === 1) return;
      cur.status = 'resolved';
      cur.active_key = null;
      cur.ends_at = e.endsAt !== undefined && e.endsAt <= now ? e.endsAt : now;
      cur.last_seen_at = now;
      cur.updated_at = now;
      cur.expires_at = null;
      open.delete(fp);
      history.push({
        alertId: cur.id,
        at: now,
        type: 'resolved',
        message: e.by ? `resolved by ${e.by}` : `resolved via ${e.source}`,
      });
      touch(cur);
      if (!inserted.has(cur.id)) changed.add(cur.id);
    });

    // The groups this batch changes are locked before any alert is (see groupStore.lock): the same
    // order as a flush (group, then its alerts), so the two never wait for each other in a cycle.
    if (this.config.locksRows && (inserted.size || changed.size)) {
      const keys: string[] = [];
      if (cfg.root)
        for (const row of inserted.values()) {
          if (row.status === 'resolved') continue;
          const labels = JSON.parse(row.labels_json) as Record<string, string>;
          for (const route of matchRoutes(cfg.root, labels)) keys.push(groupKeyOf(route, labels));
        }
      await groupStore.lock(exec, keys, [...changed], { held: changed.size > 0 && cfg.inhibit.length > 0 });
    }

    // Updates first: a resolve frees the fingerprint's open slot before a trigger in the same batch takes it.
    // Rows that only counted repeats (the common case under load) are written with one statement per
    // distinct increment; the increment (not the total) keeps concurrent instances from losing counts.
    const repeatsOnly = new Map<number, string[]>();
    for (const row of updated.values()) {
      const was = loaded.get(row.id);
      if (was && onlyRepeated(was, row)) {
        const delta = row.repeats - was.repeats;
        repeatsOnly.set(delta, [...(repeatsOnly.get(delta) ?? []), row.id]);
        continue;
      }
      await db(exec)
        .updateTable('alerts')
        .set({
          status: row.status,
          active_key: row.active_key,
          acknowledged_at: row.acknowledged_at,
          summary: row.summary,
          annotations_json: row.annotations_json,
          details_json: row.details_json,
          ends_at: row.ends_at,
          expires_at: row.expires_at,
          last_seen_at: row.last_seen_at,
          repeats: row.repeats,
          flapping: row.flapping,
          updated_at: row.updated_at,
        })
        .where('id', '=', row.id)
        .execute();
    }
    const nowResolved = [...updated.values()].filter(
      (r) => r.active_key === null && loaded.get(r.id)?.active_key !== null,
    );
    if (nowResolved.length)
      await alertStore.markResolved(
        exec,
        nowResolved.map((r) => r.id),
      );
    for (const [delta, ids] of repeatsOnly) {
      for (let i = 0; i < ids.length; i += 500) {
        await db(exec)
          .updateTable('alerts')
          .set((eb) => ({ repeats: eb('repeats', '+', delta), last_seen_at: now, updated_at: now }))
          .where('id', 'in', ids.slice(i, i + 500))
          .execute();
      }
    }
    const fresh = [...inserted.values()];
    const flushHere: GroupRow[] = [];
    if (fresh.length) {
      const members = await this.join(exec, fresh, cfg.root, now, exec.isTransaction ? flushHere : undefined);
      await alertStore.insert(exec, fresh);
      await groupStore.addMembers(exec, members);
    }
    if (changed.size) await this.touchGroupsOf(exec, [...changed], cfg.root, now);
    // A resolution may end an inhibition: groups holding alerts look again at their next tick.
    if (changed.size && cfg.inhibit.length)
      for (const g of await groupStore.held(exec))
        await this.scheduleChange(exec, g, findRoute(cfg.root, g.route_path), now);
    if (history.length) await alertStore.addHistory(exec, history);
    if (flushHere.length) await this.flushCreatedGroups(exec as Tx, flushHere, cfg, now);
    return { alertIds };
  }

  private async flushCreatedGroups(trx: Tx, groups: GroupRow[], cfg: CompiledConfig, now: number): Promise<void> {
    const here = this.flushCreated;
    if (!here) return;
    try {
      // Copies: a flush that rolls back must not leave its timers on the rows scheduled below.
      await here.database.savepoint(trx, () =>
        here.fn(
          trx,
          groups.map((g) => ({ ...g })),
          cfg,
        ),
      );
    } catch (err) {
      this.logger.warn({ err, groups: groups.length }, 'flushing new groups in their transaction failed; queued');
      for (const g of groups) await this.schedule(trx, g, now);
    }
  }

  /**
   * Finds (or creates) the groups of new alerts, schedules their flushes (or lists the new groups
   * to flush in this transaction in `flushHere`) and fills each alert's why-trail with its routes;
   * returns the memberships to write once the alerts exist.
   */
  private async join(
    exec: Executor,
    rows: AlertRow[],
    root: RouteNode | undefined,
    now: number,
    flushHere?: GroupRow[],
  ): Promise<Array<{ group_id: string; alert_id: string }>> {
    for (const row of rows) {
      const why: Why = { ...EMPTY_WHY, flapping: row.flapping === 1 };
      why.state = row.status === 'resolved' ? 'resolved' : root ? 'pending' : 'unrouted';
      row.why_json = JSON.stringify(why);
    }
    if (!root) return [];
    const wanted = new Map<string, { route: RouteNode; labels: Record<string, string>; alerts: AlertRow[] }>();
    for (const row of rows) {
      if (row.status === 'resolved') continue; // opened and closed in one batch: nothing to tell
      const labels = JSON.parse(row.labels_json) as Record<string, string>;
      for (const route of matchRoutes(root, labels)) {
        const key = groupKeyOf(route, labels);
        let g = wanted.get(key);
        if (!g) {
          g = { route, labels: groupLabelsOf(route, labels), alerts: [] };
          wanted.set(key, g);
        }
        g.alerts.push(row);
      }
    }
    if (!wanted.size) return [];
    const existing = await groupStore.byKeys(exec, [...wanted.keys()]);
    const members: Array<{ group_id: string; alert_id: string }> = [];
    const whyRoutes = new Map<string, Why['routes']>();
    for (const [key, w] of wanted) {
      let g = existing.get(key);
      if (!g) {
        g = {
          id: newId(now),
          group_key: key,
          route_path: w.route.path,
          receiver: w.route.receiver,
          labels_json: JSON.stringify(w.labels),
          created_at: now,
          next_flush_at: null,
          flush_key: null,
          last_flush_at: null,
          last_notified_at: null,
          notified_json: '[]',
          held: 0,
          updated_at: now,
        };
        await groupStore.insert(exec, g);
        if (w.route.groupWaitMs === 0 && flushHere && this.flushCreated) flushHere.push(g);
        else await this.schedule(exec, g, now + w.route.groupWaitMs);
      } else {
        await this.scheduleChange(exec, g, w.route, now);
      }
      for (const a of w.alerts) {
        members.push({ group_id: g.id, alert_id: a.id });
        const list = whyRoutes.get(a.id) ?? [];
        list.push({ route: w.route.path, receiver: w.route.receiver, group: g.id });
        whyRoutes.set(a.id, list);
      }
    }
    for (const row of rows) {
      const routes = whyRoutes.get(row.id);
      if (!routes) continue;
      const why = JSON.parse(row.why_json) as Why;
      why.routes = routes;
      row.why_json = JSON.stringify(why);
    }
    return members;
  }

  /** Groups holding these alerts re-evaluate at their next group_interval tick. */
  async touchGroupsOf(exec: Executor, alertIds: string[], root: RouteNode | undefined, now: number): Promise<void> {
    const groups = await groupStore.ofAlerts(exec, alertIds);
    for (const g of groups) await this.scheduleChange(exec, g, findRoute(root, g.route_path), now);
  }

  /** Flush these groups now (a dependency recovered, a silence expired early…). */
  async flushNow(exec: Executor, groups: readonly GroupRow[], now: number): Promise<void> {
    for (const g of groups) await this.schedule(exec, g, now);
  }

  /** A change in a group that may already have flushed: next flush at last flush + group_interval. */
  private async scheduleChange(exec: Executor, g: GroupRow, route: RouteNode | undefined, now: number): Promise<void> {
    // Not flushed yet: the group is still in group_wait, which a change does not shorten.
    const at =
      g.last_flush_at === null
        ? Math.max(now, Number(g.created_at) + (route?.groupWaitMs ?? 30_000))
        : Math.max(now, Number(g.last_flush_at) + (route?.groupIntervalMs ?? 300_000));
    await this.schedule(exec, g, at);
  }

  /**
   * Makes sure a flush task is due no later than `at` (moves an existing later one earlier). `g` is
   * updated in memory; `writeGroup: false` leaves writing its next_flush_at and flush_key to the caller.
   */
  async schedule(exec: Executor, g: GroupRow, at: number, opts: { writeGroup?: boolean } = {}): Promise<void> {
    if (g.next_flush_at !== null && Number(g.next_flush_at) <= at) return;
    if (g.flush_key) await this.queue.cancel(g.flush_key, { exec });
    const key = `${FLUSH_TASK}:${g.id}:${at}`;
    await this.queue.enqueue(FLUSH_TASK, { groupId: g.id }, { runAt: at, idempotencyKey: key, exec, maxAttempts: 50 });
    g.next_flush_at = at;
    g.flush_key = key;
    if (opts.writeGroup !== false) await groupStore.setFlush(exec, g.id, at, key, this.clock.now());
    this.logger.trace({ group: g.id, at }, 'group flush scheduled');
  }
}
