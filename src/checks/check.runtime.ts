import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../platform/clock.js';
import { SecretScrubber } from '../platform/outbound/secret-scrubber.js';
import type { CheckKind } from './check.model.js';
import { type CheckState, initialState } from './check.state.js';
import type { CheckRecord } from './check.store.js';
import type { HeartbeatMonitor } from './heartbeat.monitor.js';
import type { Probe, ProbeContext, ProbeResult } from './probes/probe.js';
import { failure } from './probes/probe.js';
import type { ResultSink, SinkCheck } from './result-sink.js';
import { Scheduler } from './scheduler.js';

// biome-ignore lint/suspicious/noExplicitAny: each probe takes its own kind's spec
export type ProbeMap = Partial<Record<CheckKind, Probe<any>>>;

export interface RuntimeOptions {
  clock: Clock;
  logger: Logger;
  sink: ResultSink;
  heartbeats: HeartbeatMonitor;
  probes: ProbeMap;
  secret(name: string): Promise<string>;
  registry?: Registry | undefined;
  maxConcurrency?: number | undefined;
  /** Whether this instance runs the check (it holds the check's cluster shard); all by default. */
  owns?: ((checkId: string) => boolean) | undefined;
}

export function sinkCheck(c: CheckRecord): SinkCheck {
  return {
    id: c.id,
    seq: c.seq,
    name: c.name,
    policy: { retries: c.spec.retries, recoveryThreshold: c.spec.recoveryThreshold, flapping: c.spec.flapping },
  };
}

/**
 * The running side of checks: keeps the scheduler and the heartbeat monitor in step
 * with the stored checks (add, edit, pause take effect at once), runs probes with
 * their timeout, and hands every result to the sink.
 */
export class CheckRuntime {
  private readonly checks = new Map<string, CheckRecord>();
  readonly scheduler: Scheduler;

  constructor(private readonly opts: RuntimeOptions) {
    this.scheduler = new Scheduler({
      clock: opts.clock,
      logger: opts.logger,
      registry: opts.registry,
      maxConcurrency: opts.maxConcurrency,
      run: (c, plannedAt, signal) => this.runScheduled(c.id, plannedAt, signal),
    });
  }

  start(checks: CheckRecord[]): void {
    for (const c of checks) this.apply(c);
    this.scheduler.start();
    this.opts.heartbeats.start();
  }

  get(id: string): CheckRecord | undefined {
    return this.checks.get(id);
  }

  all(): CheckRecord[] {
    return [...this.checks.values()];
  }

  /** Whether this instance runs `id` (holds its shard). */
  owns(id: string): boolean {
    return this.opts.owns ? this.opts.owns(id) : true;
  }

  /** A check was created or changed: (re)schedule or pause it here if this instance runs it. */
  apply(c: CheckRecord): void {
    this.checks.set(c.id, c);
    const owned = this.owns(c.id);
    if (!this.opts.sink.state(c.id)) {
      // The instance that runs the check writes its first state; the others only know it.
      const first = initialState(c.enabled, this.opts.clock.now());
      if (owned) this.opts.sink.setState(c.id, first);
      else this.opts.sink.adopt(c.id, first);
    }
    if (!owned) {
      this.scheduler.remove(c.id);
      this.opts.heartbeats.remove(c.id);
      return;
    }
    if (c.kind === 'heartbeat') {
      this.scheduler.remove(c.id);
      this.opts.heartbeats.apply(c);
      return;
    }
    if (c.enabled) {
      this.scheduler.upsert({
        id: c.id,
        name: c.name,
        kind: c.kind,
        intervalMs: c.spec.intervalSeconds * 1000,
        timeoutMs: c.spec.timeoutSeconds * 1000,
      });
    } else {
      this.scheduler.remove(c.id);
    }
  }

  remove(c: CheckRecord): void {
    this.checks.delete(c.id);
    this.scheduler.remove(c.id);
    this.opts.heartbeats.remove(c.id);
    this.opts.sink.forget(c.id, c.seq);
  }

  /** Marks a check paused or resumed in its live state, with the event. */
  setPaused(c: CheckRecord, paused: boolean, actorName: string): CheckState {
    const now = this.opts.clock.now();
    const prev = this.opts.sink.state(c.id) ?? initialState(!paused, now);
    const next: CheckState = {
      ...prev,
      status: paused ? 'paused' : 'pending',
      since: now,
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
    };
    this.opts.sink.setState(c.id, next, {
      type: paused ? 'paused' : 'resumed',
      at: now,
      from: prev.status,
      to: next.status,
      message: `${paused ? 'paused' : 'resumed'} by ${actorName}`,
      checkName: c.name,
    });
    return next;
  }

  /** Shows a pause or resume in this instance's view without writing it (another instance runs the check). */
  previewPaused(c: CheckRecord, paused: boolean): void {
    const now = this.opts.clock.now();
    const prev = this.opts.sink.state(c.id) ?? initialState(!paused, now);
    this.opts.sink.adopt(c.id, { ...prev, status: paused ? 'paused' : 'pending', since: now });
  }

  private context(signal: AbortSignal, timeoutMs: number, scrubber: SecretScrubber): ProbeContext {
    const secret = async (name: string) => {
      const value = await this.opts.secret(name);
      scrubber.hide(value);
      return value;
    };
    return { signal, timeoutMs, secret, now: () => this.opts.clock.now() };
  }

  /**
   * Runs a check's probe once; never throws. Every secret revealed for the run is scrubbed from
   * what it kept (message, details, the target's answer): a target that quotes the request it
   * refused must not put the bearer token where viewers read results.
   */
  async probe(c: CheckRecord, signal: AbortSignal): Promise<ProbeResult> {
    const probe = this.opts.probes[c.kind];
    if (!probe) return failure('config', 'unsupported_kind', `${c.kind} checks cannot be run by a probe`, 0);
    const timeoutMs = c.spec.timeoutSeconds * 1000;
    const started = this.opts.clock.now();
    const scrubber = new SecretScrubber();
    let result: ProbeResult;
    try {
      result = await probe(c.spec.target, this.context(signal, timeoutMs, scrubber));
    } catch (err) {
      result = failure(
        'config',
        'probe_error',
        `the probe failed: ${(err as Error).message}`,
        this.opts.clock.now() - started,
      );
    }
    if (scrubber.isEmpty()) return result;
    return {
      ...result,
      message: scrubber.scrub(result.message),
      details: JSON.parse(scrubber.scrub(JSON.stringify(result.details))),
      ...(result.error ? { error: JSON.parse(scrubber.scrub(JSON.stringify(result.error))) } : {}),
    };
  }

  private async runScheduled(id: string, plannedAt: number, signal: AbortSignal): Promise<void> {
    const c = this.checks.get(id);
    if (!c) return;
    const result = await this.probe(c, signal);
    if (this.opts.sink.stopped || !this.checks.has(id)) return;
    this.opts.sink.record(sinkCheck(c), plannedAt, result);
  }

  /** Runs once now (the API's "run now"); the result is returned, not stored. */
  async runOnce(c: CheckRecord): Promise<ProbeResult> {
    const controller = new AbortController();
    const cancel = this.opts.clock.setTimeout(
      () => controller.abort(new Error('timeout')),
      c.spec.timeoutSeconds * 1000,
    );
    try {
      return await this.probe(c, controller.signal);
    } finally {
      cancel();
    }
  }

  async stop(): Promise<void> {
    this.opts.heartbeats.stop();
    await this.scheduler.stop({ abort: true });
  }
}
