import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/database.js';
import { newId } from '../platform/ids.js';
import type { HeartbeatSpec } from './check.model.js';
import { sinkCheck } from './check.runtime.js';
import type { CheckRecord } from './check.store.js';
import type { ChecksTables } from './check.tables.js';
import type { ResultSink } from './result-sink.js';

export type PingType = 'success' | 'start' | 'fail' | 'exit';

export interface PingInput {
  type: PingType;
  exitCode: number | null;
  body: string | null;
  sourceIp: string | null;
  userAgent: string | null;
}

const BODY_LIMIT = 10 * 1024;

interface Watch {
  check: CheckRecord;
  spec: HeartbeatSpec;
  /** When the next ping is late (expected + grace), or null while waiting for the first ping. */
  deadline: number | null;
  /** The expected time that `deadline` belongs to. */
  expected: number | null;
  /** When a started run is overdue (start + maxRunSeconds). */
  runDeadline: number | null;
}

/** The next time a ping is expected after `t`: t + period, or the cron's next slot in its time zone. */
export function expectedAfter(spec: HeartbeatSpec, t: number): number | null {
  if (spec.periodSeconds !== undefined) return t + spec.periodSeconds * 1000;
  const next = new Cron(spec.cron!, { timezone: spec.timeZone, paused: true }).nextRun(new Date(t));
  return next ? next.getTime() : null;
}

/**
 * Heartbeat (push) checks in the healthchecks.io style: pings arrive over HTTP;
 * this watches the deadlines. A check is pending until its first ping; after that
 * a ping is due by the next expected time (period or cron slot) plus the grace,
 * and every missed slot is a failed result. A started run that does not finish
 * within maxRunSeconds fails too; run duration is measured from start to success.
 */
export class HeartbeatMonitor {
  private readonly watches = new Map<string, Watch>();
  private cancelTimer: (() => void) | undefined;
  private running = false;
  /** Set by the module: re-reads states other instances may have changed; returns the ids that did change. */
  refreshBeforeMiss: ((checkIds: string[]) => Promise<string[]>) | undefined;
  /** Set by the module: refreshes a check's state before a ping when another instance runs it. */
  beforePing: ((checkId: string) => Promise<void>) | undefined;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly sink: ResultSink,
  ) {}

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  apply(c: CheckRecord): void {
    if (c.kind !== 'heartbeat' || !c.enabled) {
      this.watches.delete(c.id);
      this.arm();
      return;
    }
    const w: Watch = {
      check: c,
      spec: c.spec.target as HeartbeatSpec,
      deadline: null,
      expected: null,
      runDeadline: null,
    };
    this.watches.set(c.id, w);
    this.plan(w);
    this.arm();
  }

  remove(id: string): void {
    this.watches.delete(id);
    this.arm();
  }

  private plan(w: Watch, anchor?: number): void {
    const state = this.sink.state(w.check.id);
    const from = anchor ?? state?.lastPingAt ?? null;
    w.expected = from === null ? null : expectedAfter(w.spec, from);
    w.deadline = w.expected === null ? null : w.expected + w.spec.graceSeconds * 1000;
    w.runDeadline =
      state?.runStartedAt && w.spec.maxRunSeconds > 0 ? state.runStartedAt + w.spec.maxRunSeconds * 1000 : null;
  }

  private arm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (!this.running) return;
    let next = Number.POSITIVE_INFINITY;
    for (const w of this.watches.values()) {
      if (w.deadline !== null) next = Math.min(next, w.deadline);
      if (w.runDeadline !== null) next = Math.min(next, w.runDeadline);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    // Timers longer than ~24.8 days overflow; re-arm in steps.
    const delay = Math.min(Math.max(0, next - this.clock.now()), 2 ** 31 - 1);
    this.cancelTimer = this.clock.setTimeout(() => void this.sweepConfirmed(), delay);
  }

  /**
   * The timer's sweep: when other instances may have taken pings for the checks that are due
   * (`refreshBeforeMiss` answers which states it found newer), those are re-planned first, so a
   * ping that reached another instance a moment ago is not recorded as missed here.
   */
  private async sweepConfirmed(): Promise<void> {
    if (this.refreshBeforeMiss) {
      const now = this.clock.now();
      const due = [...this.watches.values()]
        .filter((w) => (w.deadline !== null && w.deadline <= now) || (w.runDeadline !== null && w.runDeadline <= now))
        .map((w) => w.check.id);
      if (due.length) {
        try {
          for (const id of await this.refreshBeforeMiss(due)) {
            const w = this.watches.get(id);
            if (w) this.plan(w);
          }
        } catch (err) {
          this.logger.warn({ err }, 'could not re-read heartbeat states before a sweep');
        }
      }
    }
    if (this.running) this.sweep();
  }

  /** Records every deadline that has passed (exposed for fake-clock tests). */
  sweep(): void {
    const now = this.clock.now();
    for (const w of this.watches.values()) {
      const state = this.sink.state(w.check.id);
      if (w.runDeadline !== null && w.runDeadline <= now && state?.runStartedAt) {
        const started = new Date(state.runStartedAt).toISOString();
        const r = this.sink.record(sinkCheck(w.check), now, {
          ok: false,
          latencyMs: now - state.runStartedAt,
          message: `the run started at ${started} did not finish within ${w.spec.maxRunSeconds} s`,
          error: { phase: 'command', code: 'run_timeout' },
          details: { startedAt: started },
        });
        this.sink.setState(w.check.id, { ...r.state, runStartedAt: null });
        w.runDeadline = null;
      }
      // A missed slot is a failed result; after downtime, the slots missed meanwhile count as one.
      if (w.deadline !== null && w.expected !== null && w.deadline <= now) {
        const firstExpected = w.expected;
        const at = w.deadline;
        let missed = 0;
        while (w.deadline !== null && w.expected !== null && w.deadline <= now && missed < 100_000) {
          missed++;
          this.plan(w, w.expected);
        }
        const last = state?.lastPingAt ? new Date(state.lastPingAt).toISOString() : 'never';
        this.sink.record(sinkCheck(w.check), at, {
          ok: false,
          latencyMs: 0,
          message: `no ping since ${last}; one was expected by ${new Date(firstExpected).toISOString()} (+${w.spec.graceSeconds} s grace)${missed > 1 ? `; ${missed} expected pings missed` : ''}`,
          error: { phase: 'response', code: 'ping_missing' },
          details: { expectedAt: new Date(firstExpected).toISOString(), lastPingAt: state?.lastPingAt ?? null, missed },
        });
      }
    }
    this.arm();
  }

  /** Handles one ping: stores it, then records the result it stands for, durably before returning. */
  async ping(c: CheckRecord, p: PingInput): Promise<void> {
    // A ping that reaches an instance which does not run the check starts from the stored state.
    await this.beforePing?.(c.id);
    const now = this.clock.now();
    const prev = this.sink.state(c.id);
    const body =
      p.body === null ? null : p.body.length > BODY_LIMIT ? `${p.body.slice(0, BODY_LIMIT)}\n… [truncated]` : p.body;
    const ok = p.type === 'success' || (p.type === 'exit' && p.exitCode === 0);
    const duration = p.type !== 'start' && prev?.runStartedAt ? now - prev.runStartedAt : null;
    await (this.database.db as Kysely<ChecksTables>)
      .insertInto('check_pings')
      .values({
        id: newId(now),
        check_id: c.id,
        at: now,
        type: p.type,
        exit_code: p.exitCode,
        duration_ms: duration,
        body,
        source_ip: p.sourceIp,
        user_agent: p.userAgent?.slice(0, 300) ?? null,
      })
      .execute();
    if (p.type === 'start') {
      if (prev) this.sink.setState(c.id, { ...prev, runStartedAt: now });
    } else {
      const firstLine = body
        ?.split('\n')
        .find((l) => l.trim())
        ?.slice(0, 200);
      const message = ok
        ? duration !== null
          ? `ping after a ${(duration / 1000).toFixed(1)} s run`
          : 'ping'
        : p.type === 'exit'
          ? `exited with code ${p.exitCode}${firstLine ? `: ${firstLine}` : ''}`
          : `reported failure${firstLine ? `: ${firstLine}` : ''}`;
      const r = this.sink.record(sinkCheck(c), now, {
        ok,
        latencyMs: duration ?? 0,
        message,
        ...(ok
          ? {}
          : { error: { phase: 'command' as const, code: p.type === 'exit' ? 'exit_code' : 'reported_failure' } }),
        details: {
          ping: p.type,
          ...(p.exitCode !== null ? { exitCode: p.exitCode } : {}),
          ...(duration !== null ? { durationMs: duration } : {}),
        },
      });
      this.sink.setState(c.id, { ...r.state, lastPingAt: now, runStartedAt: null });
    }
    await this.sink.flush();
    const w = this.watches.get(c.id);
    if (w) {
      this.plan(w);
      this.arm();
    }
    this.logger.debug({ check: c.name, type: p.type }, 'heartbeat ping');
  }
}
