import type { Report } from './invariants.js';
import type { Row, SqlHandle } from './process.js';

const json = (text: unknown) => (typeof text === 'string' ? JSON.parse(text) : text);
const n = (v: unknown) => Number(v);

function examples(what: string, items: readonly string[], max = 5): string[] {
  if (!items.length) return [];
  const more = items.length > max ? ` (and ${items.length - max} more)` : '';
  return [`${what}: ${items.slice(0, max).join('; ')}${more}`];
}

/** A worker looks at the queue at least every second; a task this late was left behind. */
export const OVERDUE_MS = 3_000;

// ------------------------------------------------------------------------------------------------
// Queue snapshots (taken right after each kill) and the queue at the end.

export interface QueueSnapshot {
  at: number;
  /** Pending tasks: scheduled before the kill, they must run after the restart. */
  pending: Array<{ id: string; kind: string; runAt: number; leased: boolean }>;
}

/** The pending tasks right now (call it while no instance runs, right after a kill). */
export async function snapshotQueue(db: SqlHandle, now = Date.now()): Promise<QueueSnapshot> {
  const rows = await db.all(
    "select id, kind, run_at, lease_expires_at from queue_tasks where state = 'pending' order by run_at",
  );
  return {
    at: now,
    pending: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      runAt: n(r.run_at),
      leased: r.lease_expires_at !== null && n(r.lease_expires_at) > now,
    })),
  };
}

/**
 * Every task scheduled before a kill ran after the restart (done), or is not due yet; a flush may
 * also have been replaced by an earlier one (its row deleted). Nothing is dead, nothing due is left
 * unrun.
 */
export async function checkQueue(
  db: SqlHandle,
  snapshots: readonly QueueSnapshot[],
  now = Date.now(),
): Promise<Report> {
  const rows = await db.all(
    'select id, kind, state, run_at, attempts, max_attempts, last_error, lease_expires_at, finished_at from queue_tasks',
  );
  const byId = new Map(rows.map((r) => [r.id as string, r]));
  const dead = rows.filter((r) => r.state === 'dead').map((r) => `${r.kind}: ${r.last_error}`);
  const overdue = rows
    .filter((r) => r.state === 'pending' && n(r.run_at) <= now - OVERDUE_MS)
    .map((r) => `${r.kind} due ${now - n(r.run_at)} ms ago${r.lease_expires_at !== null ? ' (leased)' : ''}`);
  const lost: string[] = [];
  let inFlight = 0;
  let scheduled = 0;
  /** How long after its kill an in-flight task was finished by another process (its lease ran out first). */
  let longestTakeover = 0;
  const inFlightKinds: Record<string, number> = {};
  for (const s of snapshots)
    for (const t of s.pending) {
      if (t.leased) inFlight++;
      else scheduled++;
      const r = byId.get(t.id);
      if (t.leased) {
        const fate = `${t.kind}:${r ? r.state : 'deleted'}`;
        inFlightKinds[fate] = (inFlightKinds[fate] ?? 0) + 1;
        if (r?.state === 'done') longestTakeover = Math.max(longestTakeover, n(r.finished_at) - s.at);
      }
      if (!r) {
        if (t.kind !== 'alerts.flush') lost.push(`${t.kind} ${t.id} vanished`);
        continue;
      }
      if (r.state === 'pending' && n(r.run_at) <= now - OVERDUE_MS) lost.push(`${t.kind} ${t.id} still pending`);
    }
  const takenOver = rows.filter((r) => r.state === 'done' && n(r.attempts) > 1 && r.last_error === null).length;
  return {
    problems: [
      ...examples('dead tasks', dead),
      ...examples('due tasks never run', overdue),
      ...examples('tasks scheduled before a kill that did not run after the restart', [...new Set(lost)]),
    ],
    figures: {
      tasks: rows.length,
      tasksPendingAtKills: scheduled,
      tasksInFlightAtKills: inFlight,
      tasksRerunAfterLeaseExpiry: takenOver,
      tasksStillScheduled: rows.filter((r) => r.state === 'pending').length,
      longestTakeoverMs: longestTakeover,
      ...Object.fromEntries(Object.entries(inFlightKinds).map(([k, v]) => [`inFlight:${k}`, v])),
    },
  };
}

// ------------------------------------------------------------------------------------------------

interface StatusChange {
  at: number;
  id: string;
  to?: string;
  /** An ack timeout starts a new escalation run. */
  newRun?: boolean;
}

/** The incident's status and escalation run at `t`, from its timeline. */
function stateAt(changes: readonly StatusChange[], t: number): { status: string; run: number } {
  let status = 'triggered';
  let run = 0;
  for (const c of changes) {
    if (c.at > t) break;
    if (c.newRun) run++;
    if (c.to) status = c.to;
  }
  return { status, run };
}

/** True when nothing changed the status or the run in (from, to]. */
function unchangedBetween(changes: readonly StatusChange[], from: number, to: number): boolean {
  return !changes.some((c) => c.at > from && c.at <= to);
}

/**
 * Every escalation step ran once: each step has one guard row and one timeline entry (and the
 * other way round), every run starts with its level-0 step, each step scheduled its successor in
 * the queue, and each successor that came due while the incident stayed triggered in the same run
 * did run (its guard row exists); each ack timeout that came due while the incident stayed
 * acknowledged re-triggered it once. The pages of each step were scheduled.
 */
export async function checkEscalations(
  db: SqlHandle,
  /** Escalation policies by name: how many levels, how many repeats. */
  policies: Record<string, { levels: number; repeat: number }>,
  now = Date.now(),
): Promise<Report> {
  const bad: string[] = [];
  const incidents = await db.all('select * from incidents');
  const guards = await db.all('select incident_id, run, cycle, level, at from incident_escalation_steps');
  const timeline = await db.all(
    "select id, incident_id, at, type, details_json from incident_timeline where type in ('created', 'escalation.step', 'status.changed', 'ack.timeout', 'acknowledged', 'resolved') order by id",
  );
  const tasks = await db.all(
    "select kind, idempotency_key, state, run_at, finished_at from queue_tasks where kind in ('incidents.escalate', 'incidents.ack-timeout')",
  );
  const taskByKey = new Map(tasks.map((t) => [t.idempotency_key as string, t]));
  const deliveryIds = (await db.all('select id from notify_deliveries')).map((r) => r.id as string);
  const per = <T extends Row>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) m.set(r.incident_id, [...(m.get(r.incident_id) ?? []), r]);
    return m;
  };
  const guardsOf = per(guards);
  const timelineOf = per(timeline);
  let steps = 0;
  let escalated = 0;
  let ackTimeouts = 0;

  for (const inc of incidents) {
    const id = inc.id as string;
    const entries = timelineOf.get(id) ?? [];
    const count = (type: string) => entries.filter((e) => e.type === type).length;
    if (count('created') !== 1) bad.push(`#${inc.number}: ${count('created')} 'created' entries`);
    if (count('resolved') > 1) bad.push(`#${inc.number}: resolved ${count('resolved')} times`);
    if (count('acknowledged') !== n(inc.ack_seq))
      bad.push(`#${inc.number}: ${count('acknowledged')} acknowledgements recorded, ack_seq ${inc.ack_seq}`);
    if (count('ack.timeout') !== n(inc.escalation_run))
      bad.push(`#${inc.number}: ${count('ack.timeout')} ack timeouts, escalation run ${inc.escalation_run}`);
    ackTimeouts += count('ack.timeout');
    if (!inc.policy) continue;

    const stepEntries = entries
      .filter((e) => e.type === 'escalation.step')
      .map((e) => json(e.details_json))
      .filter((d) => typeof d.unreached !== 'string');
    const key = (r: Row) => `${n(r.run)}:${n(r.cycle)}:${n(r.level)}`;
    const entryCount = new Map<string, number>();
    for (const d of stepEntries) entryCount.set(key(d), (entryCount.get(key(d)) ?? 0) + 1);
    const mine = guardsOf.get(id) ?? [];
    const guardKeys = new Set(mine.map(key));
    for (const [k, c] of entryCount) {
      if (c > 1) bad.push(`#${inc.number}: step ${k} on the timeline ${c} times`);
      if (!guardKeys.has(k)) bad.push(`#${inc.number}: step ${k} on the timeline without its guard row`);
    }
    for (const k of guardKeys)
      if (!entryCount.has(k)) bad.push(`#${inc.number}: step ${k} guarded but not on the timeline`);
    for (let r = 0; r <= n(inc.escalation_run); r++)
      if (!guardKeys.has(`${r}:0:0`)) bad.push(`#${inc.number}: run ${r} never paged its first level`);
    steps += mine.length;
    escalated += mine.filter((g) => n(g.level) > 0).length;

    const changes: StatusChange[] = entries
      .filter((e) => e.type === 'status.changed' || e.type === 'ack.timeout')
      .map((e) =>
        e.type === 'ack.timeout'
          ? { at: n(e.at), id: e.id, newRun: true }
          : { at: n(e.at), id: e.id, to: json(e.details_json).to },
      );
    const policy = policies[inc.policy] ?? { levels: 1, repeat: 0 };
    for (const g of mine) {
      const prefix = `inc-${id}-r${g.run}c${g.cycle}l${g.level}-`;
      const d = stepEntries.find((s) => key(s) === key(g));
      if (d && (d.users?.length ?? 0) > 0 && !deliveryIds.some((x) => x.startsWith(prefix)))
        bad.push(`#${inc.number}: step ${key(g)} paged ${d.users.length} people but scheduled no delivery`);
      // The successor, as the escalator's nextStep: the next level, or level 0 of the next repeat.
      const after =
        n(g.level) + 1 < policy.levels
          ? { cycle: n(g.cycle), level: n(g.level) + 1 }
          : n(g.cycle) < policy.repeat
            ? { cycle: n(g.cycle) + 1, level: 0 }
            : undefined;
      if (!after) continue;
      const nextKey = `${g.run}:${after.cycle}:${after.level}`;
      const next = `incidents.escalate:${id}:${nextKey}`;
      const t = taskByKey.get(next);
      if (!t) {
        bad.push(`#${inc.number}: step ${key(g)} did not schedule its next level`);
        continue;
      }
      if (t.state === 'pending') {
        if (n(t.run_at) <= now - OVERDUE_MS) bad.push(`#${inc.number}: next level ${next} overdue`);
        continue;
      }
      const s = stateAt(changes, n(t.run_at));
      const stayed =
        s.status === 'triggered' && s.run === n(g.run) && unchangedBetween(changes, n(t.run_at), n(t.finished_at));
      if (stayed && !guardKeys.has(nextKey))
        bad.push(`#${inc.number}: next level ${next} came due while triggered but never ran`);
    }
    for (const t of tasks) {
      if (t.kind !== 'incidents.ack-timeout' || !String(t.idempotency_key).startsWith(`incidents.ack-timeout:${id}:`))
        continue;
      if (t.state === 'pending') {
        if (n(t.run_at) <= now - OVERDUE_MS) bad.push(`#${inc.number}: ack timeout overdue`);
        continue;
      }
      const s = stateAt(changes, n(t.run_at));
      const stayed = s.status === 'acknowledged' && unchangedBetween(changes, n(t.run_at), n(t.finished_at));
      const fired = changes.some((c) => c.newRun && c.at >= n(t.run_at) && c.at <= n(t.finished_at));
      if (stayed && !fired) bad.push(`#${inc.number}: ack timeout came due while acknowledged but did not re-trigger`);
    }
  }
  return {
    problems: examples('escalation', bad, 8),
    figures: { escalationSteps: steps, escalatedToNextLevel: escalated, ackTimeouts },
  };
}
