import type { Logger } from 'pino';
import type { ActionLinks, ContactsService, DeliveryRequest, NotifyService } from '../notify/index.js';
import type { EscalationPolicySpec, OncallPaging, OncallService } from '../oncall/index.js';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import type { Task, TaskContext, WorkQueue } from '../platform/queue/index.js';
import { type IncidentRow, incidentStore, type TimelineInput } from './incident.store.js';
import { incidentMessage } from './messages.js';

export const ESCALATE_TASK = 'incidents.escalate';
export const ACK_TIMEOUT_TASK = 'incidents.ack-timeout';

export interface EscalatorDeps {
  database: Database;
  clock: Clock;
  queue: WorkQueue;
  oncall: OncallService;
  paging: OncallPaging;
  notify: NotifyService;
  contacts: ContactsService;
  links: ActionLinks;
  externalUrl: () => string;
  logger: Logger;
}

interface StepRef {
  incidentId: string;
  run: number;
  cycle: number;
  level: number;
}

const POLICY = (name: string | null) => `policy:${name ?? '?'}`;

/**
 * Runs escalation policies as durable steps. Each step (run, cycle, level) is one queue task; its
 * effects — the pages it schedules, the timeline entries, the next step's task — commit in one
 * transaction together with a row in incident_escalation_steps, so a task re-run after a crash finds
 * its row and does nothing, and a step scheduled before a restart runs after it with the delay left.
 * A step of an old run (the incident was acknowledged, resolved or restarted since) does nothing.
 */
export class Escalator {
  /** Called when an ack timeout puts an incident back to triggered (the service tells the policy's channels). */
  onRetrigger: ((exec: Executor, inc: IncidentRow) => Promise<void>) | undefined;

  constructor(private readonly d: EscalatorDeps) {}

  private ctx(now: number) {
    return { links: this.d.links, externalUrl: this.d.externalUrl, now };
  }

  /** Starts run `inc.escalation_run` at level 0, inline (the first page commits with the incident). */
  async start(exec: Executor, inc: IncidentRow): Promise<void> {
    if (!inc.policy) return;
    await this.step(exec, { incidentId: inc.id, run: Number(inc.escalation_run), cycle: 0, level: 0 });
  }

  async onTask(task: Task, ctx?: Pick<TaskContext, 'completeIn'>): Promise<void> {
    const ref = task.payload as StepRef;
    await this.d.database.relaxedTransaction(async (trx) => {
      await this.step(trx, ref);
      // The step and the task's completion commit together; with the lease lost, the new holder runs it.
      if (ctx && !(await ctx.completeIn(trx))) throw new Error(`lease of escalation task ${task.id} was lost`);
    });
  }

  private async step(exec: Executor, ref: StepRef): Promise<void> {
    const now = this.d.clock.now();
    const inc = await incidentStore.getForUpdate(exec, ref.incidentId, this.d.database.engine);
    if (inc?.status !== 'triggered' || Number(inc.escalation_run) !== ref.run || !inc.policy) return;
    const spec = await this.d.oncall.policy(exec, inc.policy);
    const log: TimelineInput[] = [];
    if (!spec) {
      await incidentStore.record(exec, inc.id, now, [
        {
          type: 'escalation.exhausted',
          actor: POLICY(inc.policy),
          message: `escalation policy ${inc.policy} does not exist; nobody was paged`,
        },
      ]);
      return;
    }
    // Low urgency waits for support hours (PagerDuty's "low urgency outside support hours").
    if (inc.urgency === 'low' && spec.supportHours) {
      const w = this.d.paging.supportWindow(spec.supportHours, now);
      if (!w.inside && w.nextStart !== undefined) {
        const key = `${ESCALATE_TASK}:${inc.id}:${ref.run}:${ref.cycle}:${ref.level}:wait:${w.nextStart}`;
        const { created } = await this.d.queue.enqueue(ESCALATE_TASK, ref, {
          exec,
          runAt: w.nextStart,
          idempotencyKey: key,
        });
        if (created)
          await incidentStore.record(exec, inc.id, now, [
            {
              type: 'escalation.waiting',
              actor: POLICY(inc.policy),
              message: `low urgency: waiting for support hours (${new Date(w.nextStart).toISOString()})`,
              details: { until: new Date(w.nextStart).toISOString(), level: ref.level },
            },
          ]);
        await incidentStore.update(exec, inc.id, { escalation_next_at: w.nextStart });
        return;
      }
    }
    if (!(await incidentStore.claimStep(exec, inc.id, ref.run, ref.cycle, ref.level, now))) return;

    const targets = await this.d.paging.resolveLevel(exec, inc.policy, spec, ref.level, now);
    const counts = (await incidentStore.linkCounts(exec, [inc.id])).get(inc.id) ?? { total: 0, firing: 0 };
    const summaries = (await incidentStore.links(exec, inc.id))
      .filter((l) => l.status === 'firing')
      .map((l) => l.summary);
    const event = ref.level === 0 && ref.cycle === 0 ? 'incident.triggered' : 'incident.escalated';
    const urgency = inc.urgency as 'high' | 'low';
    const requests: DeliveryRequest[] = [];
    for (const u of targets.users) {
      const plan = await this.d.contacts.planFor(exec, u.userId, urgency);
      if (!plan.length)
        log.push({
          type: 'notification.failed',
          actor: POLICY(inc.policy),
          message: `${u.email} has no contact methods; nobody could reach them`,
          details: { user: u.email, via: u.via },
        });
      for (const p of plan) {
        const id = `inc-${inc.id}-r${ref.run}c${ref.cycle}l${ref.level}-${u.userId}-${p.contactMethodId}-${p.delayMs}`;
        requests.push({
          id,
          incidentId: inc.id,
          userId: u.userId,
          contactMethodId: p.contactMethodId,
          channel: p.channel,
          address: p.address ?? undefined,
          urgency,
          page: true,
          runAt: now + p.delayMs,
          message: incidentMessage(this.ctx(now), inc, event, {
            id,
            alerts: counts,
            summaries,
            recipient: { user: u.email, name: u.name },
          }),
        });
      }
    }
    for (const channel of targets.channels) {
      const id = `inc-${inc.id}-r${ref.run}c${ref.cycle}l${ref.level}-ch-${channel}`;
      requests.push({
        id,
        incidentId: inc.id,
        channel,
        urgency,
        page: false,
        runAt: now,
        message: incidentMessage(this.ctx(now), inc, event, { id, alerts: counts, summaries }),
      });
    }
    await this.d.notify.schedule(exec, requests);

    log.unshift({
      type: 'escalation.step',
      actor: POLICY(inc.policy),
      message: `level ${ref.level + 1}${ref.cycle ? ` (repeat ${ref.cycle})` : ''}: paging ${
        targets.users.map((u) => u.email).join(', ') || 'nobody'
      }${targets.channels.length ? `; telling ${targets.channels.join(', ')}` : ''}`,
      details: {
        run: ref.run,
        cycle: ref.cycle,
        level: ref.level,
        users: targets.users.map((u) => ({ email: u.email, via: u.via })),
        channels: targets.channels,
        unreached: targets.unreached,
      },
    });
    for (const r of requests)
      log.push({
        type: 'notification.scheduled',
        actor: POLICY(inc.policy),
        message: `${r.userId ? (r.message.recipient?.user ?? r.userId) : r.channel} via ${r.channel}${
          r.runAt > now ? ` in ${Math.round((r.runAt - now) / 60_000)} min` : ''
        }`,
        details: { delivery: r.id, channel: r.channel, runAt: new Date(r.runAt).toISOString(), page: r.page },
      });
    for (const u of targets.unreached)
      log.push({
        type: 'escalation.step',
        actor: POLICY(inc.policy),
        message: `unreached: ${u}`,
        details: { unreached: u },
      });

    const next = nextStep(spec, ref);
    const delay = (spec.levels[ref.level]?.escalateAfterMinutes ?? 30) * 60_000;
    if (next) {
      await this.d.queue.enqueue(
        ESCALATE_TASK,
        { incidentId: inc.id, ...next },
        {
          exec,
          runAt: now + delay,
          idempotencyKey: `${ESCALATE_TASK}:${inc.id}:${next.run}:${next.cycle}:${next.level}`,
        },
      );
      if (next.cycle !== ref.cycle)
        log.push({
          type: 'escalation.repeat',
          actor: POLICY(inc.policy),
          message: `policy will repeat (${next.cycle} of ${spec.repeat}) if nobody acknowledges`,
          details: { cycle: next.cycle },
        });
    } else {
      log.push({
        type: 'escalation.exhausted',
        actor: POLICY(inc.policy),
        message: 'this was the last level; the incident stays triggered until someone acknowledges',
      });
    }
    await incidentStore.update(exec, inc.id, {
      escalation_cycle: ref.cycle,
      escalation_level: ref.level,
      escalation_next_at: next ? now + delay : null,
      updated_at: now,
    });
    await incidentStore.record(exec, inc.id, now, log);
  }

  /**
   * A low-urgency incident raised to high urgency stops waiting for support hours: the step it waits
   * for (already due) runs now. A step not yet due runs at its time anyway, now at high urgency.
   */
  async urgencyRaised(exec: Executor, inc: IncidentRow): Promise<void> {
    if (!inc.policy || inc.status !== 'triggered') return;
    const spec = await this.d.oncall.policy(exec, inc.policy);
    if (!spec?.supportHours) return;
    const run = Number(inc.escalation_run);
    const last = (await incidentStore.steps(exec, inc.id)).filter((s) => Number(s.run) === run).at(-1);
    const ref = last
      ? nextStep(spec, { run, cycle: Number(last.cycle), level: Number(last.level) })
      : { run, cycle: 0, level: 0 };
    const now = this.d.clock.now();
    const due = last ? Number(last.at) + (spec.levels[Number(last.level)]?.escalateAfterMinutes ?? 30) * 60_000 : now;
    if (!ref || due > now) return;
    await this.d.queue.enqueue(
      ESCALATE_TASK,
      { incidentId: inc.id, ...ref },
      {
        exec,
        runAt: now,
        idempotencyKey: `${ESCALATE_TASK}:${inc.id}:${ref.run}:${ref.cycle}:${ref.level}:raised:${now}`,
      },
    );
  }

  /** After an acknowledgement: re-escalate if it is not resolved within the policy's ack timeout. */
  async armAckTimeout(exec: Executor, inc: IncidentRow, spec: EscalationPolicySpec | undefined): Promise<void> {
    if (!spec?.ackTimeoutMinutes) return;
    const ackSeq = Number(inc.ack_seq);
    await this.d.queue.enqueue(
      ACK_TIMEOUT_TASK,
      { incidentId: inc.id, ackSeq },
      {
        exec,
        runAt: this.d.clock.now() + spec.ackTimeoutMinutes * 60_000,
        idempotencyKey: `${ACK_TIMEOUT_TASK}:${inc.id}:${ackSeq}`,
      },
    );
  }

  async onAckTimeout(task: Task): Promise<void> {
    const { incidentId, ackSeq } = task.payload as { incidentId: string; ackSeq: number };
    await this.d.database.relaxedTransaction(async (trx) => {
      const inc = await incidentStore.getForUpdate(trx, incidentId, this.d.database.engine);
      if (inc?.status !== 'acknowledged' || Number(inc.ack_seq) !== ackSeq) return;
      const now = this.d.clock.now();
      const run = Number(inc.escalation_run) + 1;
      await incidentStore.update(trx, inc.id, {
        status: 'triggered',
        escalation_run: run,
        escalation_cycle: 0,
        escalation_level: 0,
        updated_at: now,
      });
      await incidentStore.record(trx, inc.id, now, [
        {
          type: 'ack.timeout',
          actor: POLICY(inc.policy),
          message: `acknowledged by ${inc.acknowledged_by ?? '?'} but not resolved in time: escalating again`,
        },
        {
          type: 'status.changed',
          actor: POLICY(inc.policy),
          message: 'acknowledged → triggered',
          details: { from: 'acknowledged', to: 'triggered' },
        },
      ]);
      const retriggered = { ...inc, status: 'triggered', escalation_run: run };
      await this.start(trx, retriggered);
      await this.onRetrigger?.(trx, retriggered);
    });
  }
}

/** The step after `ref`: the next level, the first level of the next repeat, or none. */
export function nextStep(spec: EscalationPolicySpec, ref: { run: number; cycle: number; level: number }) {
  if (ref.level + 1 < spec.levels.length) return { run: ref.run, cycle: ref.cycle, level: ref.level + 1 };
  if (ref.cycle < spec.repeat) return { run: ref.run, cycle: ref.cycle + 1, level: 0 };
  return undefined;
}
