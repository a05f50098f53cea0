import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../platform/clock.js';
import { MinHeap } from './min-heap.js';

/** What the scheduler needs to know about a check. */
export interface ScheduledCheck {
  id: string;
  name: string;
  kind: string;
  intervalMs: number;
  timeoutMs: number;
}

/** Runs one check; must settle soon after `signal` aborts. */
export type RunCheck = (check: ScheduledCheck, plannedAt: number, signal: AbortSignal) => Promise<void>;

export interface SchedulerOptions {
  clock: Clock;
  logger: Logger;
  run: RunCheck;
  registry?: Registry | undefined;
  /** Upper bound of checks running at once. */
  maxConcurrency?: number;
  /** Event-loop delay (p99, ms) above which the concurrency limit backs off. */
  overloadLagMs?: number;
}

interface Entry {
  check: ScheduledCheck;
  offsetMs: number;
  nextDue: number;
  generation: number;
}

/** Stable offset in [0, interval) from the check id, so checks spread evenly over their interval. */
export function offsetFor(id: string, intervalMs: number): number {
  const h = createHash('sha1').update(id).digest();
  return h.readUInt32BE(0) % intervalMs;
}

/** The first slot at or after `now` on the check's grid (offset + k·interval). */
export function nextSlot(now: number, intervalMs: number, offsetMs: number): number {
  const k = Math.ceil((now - offsetMs) / intervalMs);
  return k * intervalMs + offsetMs;
}

/**
 * One timer over a min-heap of due times. Checks start on a fixed grid (they never
 * drift: the next slot is the planned one plus the interval), never overlap
 * themselves (a slot whose previous run is still going is skipped), never wait on
 * each other beyond the concurrency limit, and a slot that could not start within
 * its own interval is dropped rather than piling up. The limit backs off while the
 * event loop is saturated (AIMD on its p99 delay) and recovers when it is not.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly heap = new MinHeap<{ id: string; generation: number }>();
  /** FIFO of slots waiting for a free run (an array with a moving head: no O(n) shift). */
  private waiting: Array<{ entry: Entry; plannedAt: number; generation: number }> = [];
  private waitingHead = 0;
  /** Checks with a run in progress, by id, so an edit during a run cannot lose the flag. */
  private readonly runningIds = new Set<string>();
  private cancelTimer: (() => void) | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private inFlight = 0;
  private readonly maxConcurrency: number;
  private limit: number;
  private readonly inFlightDone = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private running = false;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  private adaptTimer: NodeJS.Timeout | undefined;
  private readonly overloadLagMs: number;
  private readonly minLimit: number;

  readonly lag: Histogram;
  readonly runs: Counter;
  readonly skipped: Counter;
  private readonly inFlightGauge: Gauge;
  private readonly limitGauge: Gauge;

  constructor(private readonly opts: SchedulerOptions) {
    this.maxConcurrency = opts.maxConcurrency ?? 2000;
    this.minLimit = Math.min(this.maxConcurrency, 256);
    this.limit = this.maxConcurrency;
    this.overloadLagMs = opts.overloadLagMs ?? 100;
    const registers = opts.registry ? [opts.registry] : [];
    this.lag = new Histogram({
      name: 'mainstay_check_schedule_lag_seconds',
      help: 'Actual start minus planned start of check runs',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.runs = new Counter({
      name: 'mainstay_check_runs_total',
      help: 'Check runs started',
      labelNames: ['kind'],
      registers,
    });
    this.skipped = new Counter({
      name: 'mainstay_check_runs_skipped_total',
      help: 'Check slots skipped: overlap (previous run still going) or overload (could not start within the interval)',
      labelNames: ['reason'],
      registers,
    });
    this.inFlightGauge = new Gauge({
      name: 'mainstay_check_runs_in_flight',
      help: 'Check runs in progress',
      registers,
    });
    this.limitGauge = new Gauge({
      name: 'mainstay_check_concurrency_limit',
      help: 'Current adaptive concurrency limit',
      registers,
    });
    this.limitGauge.set(this.limit);
  }

  get size(): number {
    return this.entries.size;
  }

  get concurrencyLimit(): number {
    return this.limit;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDelay.enable();
    this.adaptTimer = setInterval(() => this.adapt(), 1000);
    this.adaptTimer.unref();
    this.arm();
  }

  /** Adds or replaces a check; takes effect at its next slot, without a restart. */
  upsert(check: ScheduledCheck): void {
    const prev = this.entries.get(check.id);
    const offsetMs = offsetFor(check.id, check.intervalMs);
    const entry: Entry = {
      check,
      offsetMs,
      nextDue: nextSlot(this.opts.clock.now(), check.intervalMs, offsetMs),
      generation: (prev?.generation ?? 0) + 1,
    };
    this.entries.set(check.id, entry);
    this.heap.push(entry.nextDue, { id: check.id, generation: entry.generation });
    this.arm();
  }

  remove(id: string): void {
    this.entries.delete(id);
  }

  private arm(): void {
    if (!this.running) return;
    const next = this.heap.peekKey();
    if (next === undefined || next >= this.timerAt) return;
    this.cancelTimer?.();
    this.timerAt = next;
    this.cancelTimer = this.opts.clock.setTimeout(
      () => {
        this.cancelTimer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.tick();
      },
      Math.max(0, next - this.opts.clock.now()),
    );
  }

  /** Starts everything due now (exposed for fake-clock tests). */
  tick(): void {
    const now = this.opts.clock.now();
    for (;;) {
      const key = this.heap.peekKey();
      if (key === undefined || key > now) break;
      const item = this.heap.pop()!;
      const entry = this.entries.get(item.value.id);
      if (!entry || entry.generation !== item.value.generation) continue;
      const plannedAt = entry.nextDue;
      entry.nextDue += entry.check.intervalMs;
      if (entry.nextDue <= now) entry.nextDue = nextSlot(now + 1, entry.check.intervalMs, entry.offsetMs);
      this.heap.push(entry.nextDue, { id: entry.check.id, generation: entry.generation });
      if (this.runningIds.has(entry.check.id)) {
        this.skipped.labels('overlap').inc();
        continue;
      }
      if (this.inFlight < this.limit) this.begin(entry, plannedAt);
      else this.waiting.push({ entry, plannedAt, generation: entry.generation });
    }
    this.arm();
  }

  private begin(entry: Entry, plannedAt: number): void {
    const now = this.opts.clock.now();
    this.lag.observe(Math.max(0, now - plannedAt) / 1000);
    this.runs.labels(entry.check.kind).inc();
    const id = entry.check.id;
    this.runningIds.add(id);
    this.inFlight++;
    this.inFlightGauge.set(this.inFlight);
    const controller = new AbortController();
    this.controllers.add(controller);
    const cancel = this.opts.clock.setTimeout(() => controller.abort(new Error('timeout')), entry.check.timeoutMs);
    const done = this.opts
      .run(entry.check, plannedAt, controller.signal)
      .catch((err) => this.opts.logger.error({ err, check: entry.check.name }, 'check run failed unexpectedly'))
      .finally(() => {
        cancel();
        this.controllers.delete(controller);
        this.runningIds.delete(id);
        this.inFlight--;
        this.inFlightGauge.set(this.inFlight);
        this.inFlightDone.delete(done);
        this.drainWaiting();
      });
    this.inFlightDone.add(done);
  }

  private drainWaiting(): void {
    const now = this.opts.clock.now();
    while (this.waitingHead < this.waiting.length && this.inFlight < this.limit) {
      const w = this.waiting[this.waitingHead++]!;
      const current = this.entries.get(w.entry.check.id);
      if (!current || current.generation !== w.generation || this.runningIds.has(current.check.id)) continue;
      if (now - w.plannedAt >= current.check.intervalMs) {
        this.skipped.labels('overload').inc();
        continue;
      }
      this.begin(current, w.plannedAt);
    }
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }

  private adapt(): void {
    const p99 = this.loopDelay.percentile(99) / 1e6;
    this.loopDelay.reset();
    const before = this.limit;
    // Back off gently and never below a floor: too low a limit turns a stall into seconds of lag.
    if (p99 > this.overloadLagMs) this.limit = Math.max(this.minLimit, Math.floor(this.limit * 0.9));
    else this.limit = Math.min(this.maxConcurrency, this.limit + 64);
    if (this.limit !== before) {
      this.limitGauge.set(this.limit);
      if (this.limit < before)
        this.opts.logger.warn(
          { limit: this.limit, loopDelayP99Ms: Math.round(p99) },
          'checks: event loop saturated, lowering concurrency',
        );
    }
    this.drainWaiting();
  }

  /** Stops starting checks, aborts none, and waits for running ones (bounded by their timeouts). */
  async stop(opts: { abort?: boolean } = {}): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.adaptTimer) clearInterval(this.adaptTimer);
    this.loopDelay.disable();
    this.waiting = [];
    this.waitingHead = 0;
    if (opts.abort) for (const c of this.controllers) c.abort(new Error('shutting down'));
    await Promise.all([...this.inFlightDone]);
  }
}
