import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import { newId } from '../platform/ids.js';
import type { TaskContext, WorkQueue } from '../platform/queue/index.js';
import type { Why } from './alert.model.js';
import { alertStore, type HistoryInput } from './alert.store.js';
import type { AlertRow, GroupRow } from './alert.tables.js';
import type { CompiledConfig, ConfigCache } from './alert-config.js';
import { parseDuration, type ReceiverSpec, ROUTE_DEFAULTS } from './config.model.js';
import { commonOf, type GroupNotification, type NotifiedAlert } from './deliver/notification.js';
import { findRoute, groupStore } from './group.store.js';
import { InhibitionIndex } from './inhibit.js';
import { activeOccurrence } from './maintenance-schedule.js';
import { matchesAll } from './matchers.js';
import { notificationStore } from './notification.store.js';
import type { AlertPipeline } from './pipeline.js';
import type { RouteNode } from './routing.js';

export const DELIVER_TASK = 'alerts.deliver';

/** What the dispatcher needs to know about checks (dependencies); the checks module answers. */
export interface CheckLookup {
  /** Current status of the check named `name` ('up', 'down', 'paused', …), if it exists. */
  status(name: string): string | undefined;
  /** Names the check `name` depends on. */
  dependsOn(name: string): readonly string[];
}

export type TargetRef = { type: 'webhook' | 'slack' | 'email'; index: number };

/**
 * A group notification for a receiver with an escalation policy, handed to the incidents module
 * inside the flush transaction, so the incident and its first page commit with the notification.
 */
export interface GroupNotificationEvent {
  groupId: string;
  groupKey: string;
  receiver: string;
  policy: string;
  notification: GroupNotification;
  /** True when this is a repeat_interval re-notification of unchanged alerts. */
  repeat: boolean;
}
export type GroupNotificationHook = (exec: Executor, e: GroupNotificationEvent) => Promise<void>;

export function targetsOf(spec: ReceiverSpec | undefined): TargetRef[] {
  if (!spec) return [];
  return [
    ...spec.webhooks.map((_, index) => ({ type: 'webhook' as const, index })),
    ...spec.slack.map((_, index) => ({ type: 'slack' as const, index })),
    ...spec.email.map((_, index) => ({ type: 'email' as const, index })),
  ];
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const MUTE_RECHECK_MS = 60_000;

interface Verdict {
  alert: AlertRow;
  labels: Record<string, string>;
  why: Why;
  suppressed: boolean;
  /** When the hold ends by itself (silence or window end), if known. */
  heldUntil: number | undefined;
}

/**
 * Flushes one alert group (Alertmanager's aggregation-group flush + its dedup stage), in one
 * transaction: decides each alert's state (silenced, inhibited, in maintenance, held by a dependency,
 * muted), whether a notification is due (new firing alerts, resolutions of alerts that were notified
 * firing, or repeat_interval), records it and enqueues one delivery task per receiver target, and
 * schedules the next flush. Resolutions of alerts that were notified firing are always sent, even when
 * the alert is silenced or inhibited now (unlike Alertmanager #226/#2754).
 */
export class Dispatcher {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly queue: WorkQueue,
    private readonly config: ConfigCache,
    private readonly pipeline: AlertPipeline,
    private readonly checks: CheckLookup,
    private readonly logger: Logger,
    private readonly externalURL: () => string,
  ) {}

  private readonly hooks: GroupNotificationHook[] = [];

  /** Registers a hook for notifications of receivers with an escalation policy (the incidents module). */
  onGroupNotification(fn: GroupNotificationHook): void {
    this.hooks.push(fn);
  }

  /** `task` (the flush task's context): its completion commits with the flush. */
  async flush(groupId: string, taskKey: string | null, task?: Pick<TaskContext, 'completeIn'>): Promise<void> {
    const cfg = await this.config.get();
    await this.database.relaxedTransaction(async (trx) => {
      // Locked first: an intake batch changing this group waits for this flush, or this flush for it.
      const g = await groupStore.get(trx, groupId, this.database.engine === 'postgres');
      if (g) {
        if (taskKey !== null && g.flush_key === taskKey) {
          g.next_flush_at = null;
          g.flush_key = null;
        }
        await this.flushGroup(trx, g, cfg);
        this.logger.trace({ group: g.id }, 'group flushed');
      }
      // With the lease lost, this flush rolls back and the task's new holder flushes.
      if (task && !(await task.completeIn(trx))) throw new Error(`lease of the flush of group ${groupId} was lost`);
    });
  }

  /** Flushes groups created in the caller's transaction (AlertPipeline.flushCreatedGroupsWith). */
  async flushCreated(trx: Executor, groups: readonly GroupRow[], cfg: CompiledConfig): Promise<void> {
    for (const g of groups) await this.flushGroup(trx, g, cfg);
  }

  private async flushGroup(trx: Executor, g: GroupRow, cfg: CompiledConfig): Promise<void> {
    const now = this.clock.now();
    const route = findRoute(cfg.root, g.route_path);
    const repeatMs = route?.repeatIntervalMs ?? parseDuration(ROUTE_DEFAULTS.repeatInterval);
    const alerts = await groupStore.members(trx, g.id);
    const notified = new Set(JSON.parse(g.notified_json) as string[]);
    const firing = alerts.filter((a) => a.active_key !== null);
    const resolved = alerts.filter((a) => a.active_key === null);

    const muted = this.mutedBy(route, cfg, now);
    const index = await this.inhibitionSources(trx, cfg);
    const verdicts = firing.map((a) => this.judge(a, g, route, cfg, index, muted, now));
    const notifiable = verdicts.filter((v) => !v.suppressed);

    const resolvedToSend = resolved.filter((a) => notified.has(a.id));
    const newFiring = notifiable.filter((v) => !notified.has(v.alert.id));
    const repeatDue =
      notifiable.length > 0 &&
      g.last_notified_at !== null &&
      now - Number(g.last_notified_at) >= repeatMs &&
      notifiable.some((v) => v.alert.acknowledged_at === null);
    const send = newFiring.length > 0 || resolvedToSend.length > 0 || repeatDue;

    const history: HistoryInput[] = [];
    let lastNotifiedAt = g.last_notified_at === null ? null : Number(g.last_notified_at);
    // Alerts notified firing stay in the set while they fire (even if suppressed now), so their
    // resolution is delivered later.
    const stillNotified = firing.filter((a) => notified.has(a.id)).map((a) => a.id);
    let nextNotified = new Set(stillNotified);
    if (send) {
      const spec = cfg.receivers.get(g.receiver);
      const targets = targetsOf(spec);
      const payload = this.notification(g, [
        ...notifiable.map((v) => this.notifiedAlert(v.alert, v.labels, 'firing')),
        ...resolvedToSend.map((a) => this.notifiedAlert(a, JSON.parse(a.labels_json), 'resolved')),
      ]);
      const id = newId(now);
      payload.id = id;
      await notificationStore.insert(trx, {
        id,
        group_id: g.id,
        group_key: g.group_key,
        receiver: g.receiver,
        at: now,
        status: targets.length
          ? 'pending'
          : spec?.escalationPolicy
            ? 'escalation'
            : spec
              ? 'no-targets'
              : 'no-receiver',
        firing: notifiable.length,
        resolved: resolvedToSend.length,
        payload_json: JSON.stringify(payload),
        targets: targets.length,
        delivered: 0,
        failed: 0,
        receipts_json: '[]',
        updated_at: now,
      });
      // The group's first notification has no earlier one to wait for: its delivery skips that look.
      const first = g.last_notified_at === null;
      for (const t of targets) {
        await this.queue.enqueue(
          DELIVER_TASK,
          { notificationId: id, target: t, ...(first ? { first } : {}) },
          { idempotencyKey: `${DELIVER_TASK}:${id}:${t.type}:${t.index}`, exec: trx, maxAttempts: 12 },
        );
      }
      if (spec?.escalationPolicy) {
        const e: GroupNotificationEvent = {
          groupId: g.id,
          groupKey: g.group_key,
          receiver: g.receiver,
          policy: spec.escalationPolicy,
          notification: payload,
          repeat: repeatDue && newFiring.length === 0 && resolvedToSend.length === 0,
        };
        for (const hook of this.hooks) await hook(trx, e);
      }
      lastNotifiedAt = now;
      nextNotified = new Set([...stillNotified, ...notifiable.map((v) => v.alert.id)]);
      const note = (type: 'firing' | 'resolved', a: AlertRow) =>
        history.push({
          alertId: a.id,
          at: now,
          type: 'notified',
          message: `notified ${g.receiver} (${type}${repeatDue && type === 'firing' ? ', repeat' : ''})`,
          details: { group: g.id, notification: id, targets: targets.length },
        });
      for (const v of newFiring) note('firing', v.alert);
      for (const a of resolvedToSend) note('resolved', a);
    }

    await this.writeWhys(trx, verdicts, resolved, history, now);

    // Resolved alerts leave the group once their resolution went out (or they were never notified).
    if (resolved.length)
      await groupStore.removeMembers(
        trx,
        g.id,
        resolved.map((a) => a.id),
      );
    if (firing.length === 0) {
      if (g.flush_key) await this.queue.cancel(g.flush_key, { exec: trx });
      await groupStore.delete(trx, g.id);
      return;
    }
    const held = verdicts.some((v) => v.suppressed);
    // Next flush: repeat_interval after the last notification, or when a hold ends by itself.
    const candidates: number[] = [];
    if (notifiable.length && lastNotifiedAt !== null) candidates.push(lastNotifiedAt + repeatMs);
    for (const v of verdicts) if (v.heldUntil !== undefined) candidates.push(v.heldUntil);
    // Mute intervals, dependencies and inhibitions have no end time of their own: look again a minute
    // on (a parent check's recovery, or any resolution while rules exist, also flushes them sooner).
    if (muted.length || verdicts.some((v) => v.why.dependency.length || v.why.inhibitedBy.length))
      candidates.push(now + MUTE_RECHECK_MS);
    // The timer's task is queued first and written with the rest of the group in one update.
    if (candidates.length)
      await this.pipeline.schedule(trx, g, Math.max(now, Math.min(...candidates)), { writeGroup: false });
    await groupStore.update(trx, g.id, {
      last_flush_at: now,
      last_notified_at: lastNotifiedAt,
      notified_json: JSON.stringify([...nextNotified]),
      held: held ? 1 : 0,
      next_flush_at: g.next_flush_at,
      flush_key: g.flush_key,
      updated_at: now,
    });
    g.last_flush_at = now;
  }

  /** Why-trails: writes only what changed, and records suppress/release transitions in the history. */
  private async writeWhys(
    trx: Executor,
    verdicts: Verdict[],
    resolved: AlertRow[],
    history: HistoryInput[],
    now: number,
  ): Promise<void> {
    const whyWrites: Array<{ id: string; why: string }> = [];
    for (const v of verdicts) {
      const prev = JSON.parse(v.alert.why_json) as Why;
      const next: Why = { ...v.why, state: v.suppressed ? 'suppressed' : 'notifying' };
      const text = JSON.stringify(next);
      if (text !== v.alert.why_json) whyWrites.push({ id: v.alert.id, why: text });
      if (v.suppressed && prev.state !== 'suppressed')
        history.push({ alertId: v.alert.id, at: now, type: 'suppressed', message: describeHold(next) });
      if (!v.suppressed && prev.state === 'suppressed')
        history.push({ alertId: v.alert.id, at: now, type: 'released', message: 'no longer held' });
    }
    for (const a of resolved) {
      const why = { ...(JSON.parse(a.why_json) as Why), state: 'resolved' as const };
      const text = JSON.stringify(why);
      if (text !== a.why_json) whyWrites.push({ id: a.id, why: text });
    }
    await alertStore.setWhy(trx, whyWrites, now);
    if (history.length) await alertStore.addHistory(trx, history);
  }

  /**
   * Re-judges the alerts of these groups now (a silence was created) without sending or moving the
   * group's timers: the why-trails and held flags become current, and a hold's end is scheduled.
   */
  async reevaluate(groupIds: readonly string[]): Promise<void> {
    const cfg = await this.config.get();
    for (const id of groupIds) {
      await this.database.transaction(async (trx) => {
        const g = await groupStore.get(trx, id, this.database.engine === 'postgres');
        if (!g || g.last_flush_at === null) return; // still in group_wait: its first flush judges
        const now = this.clock.now();
        const route = findRoute(cfg.root, g.route_path);
        const alerts = await groupStore.members(trx, g.id);
        const firing = alerts.filter((a) => a.active_key !== null);
        const muted = this.mutedBy(route, cfg, now);
        const index = await this.inhibitionSources(trx, cfg);
        const verdicts = firing.map((a) => this.judge(a, g, route, cfg, index, muted, now));
        await this.writeWhys(trx, verdicts, [], [], now);
        const held = verdicts.some((v) => v.suppressed);
        await groupStore.update(trx, g.id, { held: held ? 1 : 0, updated_at: now });
        const ends = verdicts.flatMap((v) => (v.heldUntil === undefined ? [] : [v.heldUntil]));
        if (ends.length) await this.pipeline.schedule(trx, g, Math.max(now, Math.min(...ends)));
      });
    }
  }

  private mutedBy(route: RouteNode | undefined, cfg: CompiledConfig, now: number): string[] {
    if (!route) return [];
    const out = route.muteTimeIntervals.filter((n) => cfg.intervals.get(n)?.(now));
    if (route.activeTimeIntervals.length && !route.activeTimeIntervals.some((n) => cfg.intervals.get(n)?.(now)))
      out.push(...route.activeTimeIntervals.map((n) => `outside ${n}`));
    return out;
  }

  /** Firing alerts that may inhibit others, indexed per rule (only loaded when rules exist). */
  private async inhibitionSources(trx: Executor, cfg: CompiledConfig): Promise<InhibitionIndex | undefined> {
    if (!cfg.inhibit.length) return undefined;
    const index = new InhibitionIndex(cfg.inhibit);
    const seen = new Set<string>();
    for (const rule of cfg.inhibit) {
      const eq = rule.source.find((m) => m.op === '=' && m.value !== '');
      const rows = eq ? await alertStore.firingWithLabel(trx, eq.name, eq.value) : await alertStore.firing(trx);
      for (const r of rows) {
        if (seen.has(r.id)) continue;
        seen.add(r.id);
        index.add({ id: r.id, fingerprint: r.fingerprint, labels: JSON.parse(r.labels_json) });
      }
    }
    return index;
  }

  private judge(
    a: AlertRow,
    g: GroupRow,
    route: RouteNode | undefined,
    cfg: CompiledConfig,
    index: InhibitionIndex | undefined,
    muted: string[],
    now: number,
  ): Verdict {
    const labels = JSON.parse(a.labels_json) as Record<string, string>;
    const prev = JSON.parse(a.why_json) as Why;
    let heldUntil: number | undefined;
    const hold = (until: number) => {
      heldUntil = heldUntil === undefined ? until : Math.min(heldUntil, until);
    };
    const silencedBy: string[] = [];
    for (const s of cfg.silences) {
      if (s.startsAt <= now && now < s.endsAt && matchesAll(s.matchers, labels)) {
        silencedBy.push(s.name);
        hold(s.endsAt);
      }
    }
    const inhibitor = index?.findInhibitor({ id: a.id, fingerprint: a.fingerprint, labels });
    const maintenance: string[] = [];
    for (const w of cfg.windows) {
      const scoped =
        (w.matchers.length > 0 && matchesAll(w.matchers, labels)) ||
        (labels.check !== undefined && w.checks.has(labels.check));
      if (!scoped) continue;
      const occ = activeOccurrence(w.spec, now);
      if (occ) {
        maintenance.push(w.name);
        hold(occ.end);
      }
    }
    const dependency =
      a.source === 'check' && labels.check !== undefined
        ? this.checks.dependsOn(labels.check).filter((p) => this.checks.status(p) === 'down')
        : [];
    const why: Why = {
      state: prev.state,
      routes: prev.routes.length ? prev.routes : [{ route: g.route_path, receiver: g.receiver, group: g.id }],
      silencedBy,
      inhibitedBy: inhibitor ? [inhibitor] : [],
      maintenance,
      dependency,
      muted: route ? muted : [],
      flapping: a.flapping === 1,
      acknowledged: a.acknowledged_at !== null,
    };
    const suppressed =
      silencedBy.length > 0 || !!inhibitor || maintenance.length > 0 || dependency.length > 0 || muted.length > 0;
    return { alert: a, labels, why, suppressed, heldUntil };
  }

  private notifiedAlert(a: AlertRow, labels: Record<string, string>, status: 'firing' | 'resolved'): NotifiedAlert {
    const base = this.externalURL();
    return {
      id: a.id,
      fingerprint: a.fingerprint,
      status,
      labels,
      annotations: JSON.parse(a.annotations_json),
      startsAt: new Date(Number(a.starts_at)).toISOString(),
      endsAt: status === 'resolved' && a.ends_at !== null ? new Date(Number(a.ends_at)).toISOString() : ZERO_TIME,
      generatorURL: a.generator_url ?? '',
      summary: a.summary,
      severity: a.severity,
      url: `${base}/alerts/${a.id}`,
    };
  }

  private notification(g: GroupRow, alerts: NotifiedAlert[]): GroupNotification {
    const { commonLabels, commonAnnotations } = commonOf(alerts);
    return {
      id: '',
      receiver: g.receiver,
      groupKey: g.group_key,
      groupLabels: JSON.parse(g.labels_json),
      commonLabels,
      commonAnnotations,
      status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
      alerts,
      externalURL: this.externalURL(),
      truncatedAlerts: 0,
    };
  }
}

function describeHold(w: Why): string {
  const parts: string[] = [];
  if (w.silencedBy.length) parts.push(`silenced by ${w.silencedBy.join(', ')}`);
  if (w.inhibitedBy.length) parts.push(`inhibited by ${w.inhibitedBy.map((i) => `${i.rule} (${i.alert})`).join(', ')}`);
  if (w.maintenance.length) parts.push(`in maintenance window ${w.maintenance.join(', ')}`);
  if (w.dependency.length) parts.push(`suppressed by dependency ${w.dependency.join(', ')}`);
  if (w.muted.length) parts.push(`muted by ${w.muted.join(', ')}`);
  return parts.join('; ') || 'held';
}
