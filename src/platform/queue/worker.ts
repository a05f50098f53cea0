import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { WorkQueue } from './queue.js';
import { type Task, type TaskAdopter, type TaskContext, TaskDeferred, type TaskHandler } from './queue.model.js';

export interface RetentionOptions {
  /** Keep done tasks this long (their idempotency keys keep deduplicating meanwhile). Default 24 h. */
  doneMs?: number;
  /** Keep dead tasks this long, for someone to look at. Default 7 days. */
  deadMs?: number;
  /** Run cleanup at most this often. Default 1 h. */
  everyMs?: number;
}

export interface WorkerOptions {
  queue: WorkQueue;
  handlers: Readonly<Record<string, TaskHandler>>;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /** Handlers running at once. Default 4. */
  concurrency?: number;
  /** Longest wait between two looks at the queue. Default 1 s. */
  pollMs?: number;
  /** Renew the lease of a task still running at half its lease (default on). */
  renewLeases?: boolean;
  /** Periodic cleanup of finished tasks while started; `false` to leave it to someone else. */
  retention?: RetentionOptions | false;
  /**
   * Claim only tasks of these kinds (default: every kind). Two workers with disjoint kinds share one
   * queue without sharing slots, which is how pages stay clear of slow bulk deliveries.
   */
  kinds?: readonly string[];
  /** At most this many tasks of one kind at once, so one slow kind cannot take every slot. */
  perKindLimit?: number;
}

const HOUR = 3_600_000;

/**
 * Runs queue tasks with a bounded number of handlers at once. `start()` polls with the injected
 * clock and wakes early when this process schedules something sooner; `runOnce()` is the same
 * claim-and-run step without the loop, for tests on a fake clock and for one-shot tools.
 */
export class Worker {
  private readonly queue: WorkQueue;
  private readonly handlers: Readonly<Record<string, TaskHandler>>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly renewLeases: boolean;
  private readonly retention: Required<RetentionOptions> | undefined;
  private readonly kinds: string[] | undefined;
  private readonly perKindLimit: number | undefined;
  private readonly inFlightByKind = new Map<string, number>();
  /** Handlers finished so far (runOnce uses it to tell "nothing due" from "just freed a slot"). */
  private finished = 0;
  /** Handlers started so far (runOnce counts what it ran, including tasks claimed ahead). */
  private started = 0;
  /**
   * The last look may have left due tasks behind (it filled every slot it asked for, or found no
   * room): a finishing handler then looks again. Otherwise it does not, which saves a claim and a
   * next-due query per task; new work announces itself (wake) and the poll timer catches the rest.
   */
  private backlog = false;

  /** Tasks handed over leased at their commit (TaskAdopter) and not started yet: no slot was free. */
  private readonly adopted: Task[] = [];
  /** Slots promised to tasks whose transaction has not ended yet. */
  private reserved = 0;
  private removeAdopter: (() => void) | undefined;
  /** Set while stop() runs: tasks waiting locally are given back, not started. */
  private stopping = false;

  private readonly inFlight = new Set<Promise<void>>();
  /** Claims run one at a time so two of them cannot both fill the same free slots. */
  private claimChain: Promise<unknown> = Promise.resolve();
  private running = false;
  /** The poll pass in progress, if any; at most one runs at a time. */
  private pass: Promise<void> | undefined;
  private tickAgain = false;
  private timer: { at: number; cancel: () => void } | undefined;
  private unsubscribe: (() => void) | undefined;
  private nextCleanupAt = 0;

  constructor(options: WorkerOptions) {
    this.queue = options.queue;
    this.handlers = options.handlers;
    this.clock = options.clock;
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
    this.pollMs = Math.max(1, options.pollMs ?? 1_000);
    this.renewLeases = options.renewLeases ?? true;
    this.retention =
      options.retention === false
        ? undefined
        : { doneMs: 24 * HOUR, deadMs: 7 * 24 * HOUR, everyMs: HOUR, ...options.retention };
    this.kinds = options.kinds ? [...options.kinds] : undefined;
    this.perKindLimit = options.perKindLimit === undefined ? undefined : Math.max(1, Math.floor(options.perKindLimit));
    if (this.perKindLimit !== undefined && !this.kinds) throw new Error('perKindLimit needs the list of kinds');
  }

  /** Starts polling. Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.queue.onScheduled((runAt, kind) => {
      // Another worker's kind (bulk work for the page worker, pages for the main one): not ours to look at.
      if (kind !== undefined && this.kinds && !this.kinds.includes(kind)) return;
      this.wakeAt(runAt);
    });
    this.removeAdopter = this.queue.addAdopter(this.adopter);
    this.tick();
  }

  /** Takes tasks enqueued due now by this process straight after their commit (see TaskAdopter). */
  private readonly adopter: TaskAdopter = {
    reserve: (kind) => {
      if (!this.running || !this.runs(kind)) return false;
      if (this.inFlight.size + this.adopted.length + this.reserved >= this.concurrency) return false;
      if (this.perKindLimit !== undefined && (this.inFlightByKind.get(kind) ?? 0) >= this.perKindLimit) return false;
      this.reserved++;
      return true;
    },
    unreserve: () => {
      this.reserved = Math.max(0, this.reserved - 1);
    },
    adopt: (task) => {
      this.reserved = Math.max(0, this.reserved - 1);
      this.adopted.push(task);
      this.startAdopted();
    },
  };

  private runs(kind: string): boolean {
    return !this.kinds || this.kinds.includes(kind);
  }

  /** Starts handed-over tasks while slots are free (oldest first); the rest wait for a slot. */
  private startAdopted(): void {
    if (this.stopping) return;
    while (this.adopted.length && this.inFlight.size < this.concurrency) {
      const i =
        this.perKindLimit === undefined
          ? 0
          : this.adopted.findIndex((t) => (this.inFlightByKind.get(t.kind) ?? 0) < (this.perKindLimit as number));
      if (i < 0) return;
      const [task] = this.adopted.splice(i, 1) as [Task];
      // Waited long enough for a slot that its lease is half gone: renew it first (or drop it if lost).
      const now = this.clock.now();
      if ((task.leaseExpiresAt ?? now) - now < this.queue.leaseMs / 2) {
        this.startTask(task, async () => {
          if (!(await this.queue.extendLease(task))) return false;
          task.leaseExpiresAt = this.clock.now() + this.queue.leaseMs;
          return true;
        });
      } else this.startTask(task);
    }
  }

  /** Stops claiming and waits for the handlers already running to finish; aborts nothing. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.removeAdopter?.();
    this.removeAdopter = undefined;
    this.timer?.cancel();
    this.timer = undefined;
    await this.pass;
    await this.claimChain.catch(() => {});
    // Handed over or claimed ahead but never started (a claim in flight has added its share by now):
    // give the leases back so the next worker need not wait them out.
    const unstarted = this.adopted.splice(0);
    await Promise.allSettled(unstarted.map((t) => this.queue.release(t)));
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.stopping = false;
  }

  /**
   * Claims and runs everything due now, at most `concurrency` at a time, and returns how many
   * tasks ran. Tasks that fail are rescheduled in the future, so this ends.
   */
  async runOnce(): Promise<number> {
    const startedBefore = this.started;
    for (;;) {
      const finishedBefore = this.finished;
      const started = await this.claimAndStart();
      // With a per-kind limit, a claim that found its kinds full may race their handlers finishing:
      // only stop when nothing finished while we looked (and nothing claimed ahead is waiting).
      if (started === 0 && this.inFlight.size === 0 && this.adopted.length === 0 && this.finished === finishedBefore)
        return this.started - startedBefore;
      // Stopping with nothing running: the tasks waiting locally are being given back, not run.
      if (this.stopping && this.inFlight.size === 0) return this.started - startedBefore;
      if (started === 0 && this.inFlight.size === 0) {
        // A look that needed no query settles in microtasks: yield, or this loop could starve the
        // event loop (stop()'s own I/O, timers) and spin.
        await new Promise((r) => setImmediate(r));
        continue;
      }
      // Nothing due right now, or every slot busy: wait for a handler, then look again.
      if (started === 0 || this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    }
  }

  private claimAndStart(fromLoop = false): Promise<number> {
    const next = this.claimChain.then(async () => {
      // Nothing new is claimed while stopping: stop() gives back what waits locally, and a later claim would keep its leases.
      if (this.stopping || (fromLoop && !this.running)) return 0;
      const before = this.inFlight.size;
      this.startAdopted();
      const adoptedStarted = this.inFlight.size - before;
      const free = Math.max(0, this.concurrency - this.inFlight.size - this.adopted.length);
      // With work known to be waiting (the last look filled every slot), claim up to another
      // `concurrency` ahead and keep it leased in the local backlog: finishing handlers then start the
      // next task without a claim each (a burst made one claim per task). Refilled when half used. Not
      // for a worker with a per-kind limit, whose room differs by kind.
      const ahead =
        this.backlog && this.perKindLimit === undefined && this.adopted.length < this.concurrency / 2
          ? this.concurrency - this.adopted.length
          : 0;
      if (free + ahead === 0) {
        this.backlog = true;
        return adoptedStarted;
      }
      const tasks = await this.claimFor(free + ahead);
      let started = 0;
      for (const task of tasks) {
        if (started < free) {
          this.startTask(task);
          started++;
        } else this.adopted.push(task);
      }
      // Slots may have freed while the claim ran.
      if (this.adopted.length) this.startAdopted();
      return adoptedStarted + started;
    });
    this.claimChain = next.catch(() => {});
    return next;
  }

  /** Runs `task` in a slot; `prepare` (a lease renewal) may decide first that it is not ours to run. */
  private startTask(task: Task, prepare?: () => Promise<boolean>): void {
    this.started++;
    this.inFlightByKind.set(task.kind, (this.inFlightByKind.get(task.kind) ?? 0) + 1);
    const go = prepare
      ? prepare().then(
          (ok) => (ok ? this.run(task) : undefined),
          (err) => this.logger.warn({ err, taskId: task.id }, 'renewing the lease of a handed-over task failed'),
        )
      : this.run(task);
    const run: Promise<void> = go
      .catch((err) => this.logger.error({ err, taskId: task.id }, 'task runner failed'))
      .finally(() => {
        this.inFlight.delete(run);
        this.finished++;
        this.inFlightByKind.set(task.kind, (this.inFlightByKind.get(task.kind) ?? 1) - 1);
        if (this.adopted.length) this.startAdopted();
        if (this.running && this.backlog) this.tick();
      });
    this.inFlight.add(run);
  }

  /** Claims up to `free` tasks within this worker's kinds and per-kind limit. */
  private async claimFor(free: number): Promise<Task[]> {
    if (this.perKindLimit === undefined || !this.kinds) {
      const tasks = await this.queue.claim(free, this.kinds);
      this.backlog = tasks.length >= free;
      return tasks;
    }
    // One claim over the kinds that have room, at most as many as the fullest of them can still take:
    // one query in the common case, and never over a kind's limit.
    const limit = this.perKindLimit;
    const open = this.kinds.filter((k) => (this.inFlightByKind.get(k) ?? 0) < limit);
    if (!open.length) {
      this.backlog = true;
      return [];
    }
    const room = Math.min(free, ...open.map((k) => limit - (this.inFlightByKind.get(k) ?? 0)));
    const tasks = await this.queue.claim(room, open);
    // A kind at its limit may have tasks waiting that this claim could not see.
    this.backlog = tasks.length >= room || open.length < this.kinds.length;
    return tasks;
  }

  /** Looks at the queue now, or right after the pass in progress. */
  private tick(): void {
    if (!this.running) return;
    if (this.pass) {
      this.tickAgain = true;
      return;
    }
    this.pass = this.poll().finally(() => {
      this.pass = undefined;
      // A wake-up that arrived while the pass was finishing must not wait for the next poll.
      if (this.tickAgain) this.tick();
    });
  }

  private async poll(): Promise<void> {
    let at = this.clock.now() + this.pollMs;
    try {
      do {
        this.tickAgain = false;
        const started = await this.claimAndStart(true);
        // Claimed as many as there was room for: more may be due. A full worker looks again when a
        // handler finishes.
        if (started > 0 && this.backlog && this.inFlight.size < this.concurrency) this.tickAgain = true;
      } while (this.tickAgain && this.running);
      await this.maybeCleanup();
      // Sleep until the next known task (or lease expiry) when that is sooner than a poll. Something
      // already due but not claimed (slots full, rows locked by another process) waits for a handler
      // to finish or for the poll, rather than spinning.
      // With work left behind (every slot full), a finishing handler looks again: no need to look ahead.
      const next = this.backlog ? undefined : await this.queue.nextDueAt(this.kinds);
      at = this.clock.now() + this.pollMs;
      if (next !== undefined && next > this.clock.now()) at = Math.min(at, next);
    } catch (err) {
      this.logger.error({ err }, 'work queue poll failed');
    }
    if (!this.tickAgain) this.wakeAt(at);
  }

  /** Makes sure the loop looks at the queue no later than `at`. */
  private wakeAt(at: number): void {
    if (!this.running) return;
    const now = this.clock.now();
    if (at <= now) {
      this.tick();
      return;
    }
    if (this.timer && this.timer.at <= at) return;
    this.timer?.cancel();
    const cancel = this.clock.setTimeout(() => {
      if (this.timer?.cancel === cancel) this.timer = undefined;
      this.tick();
    }, at - now);
    this.timer = { at, cancel };
  }

  private async maybeCleanup(): Promise<void> {
    if (!this.retention || this.clock.now() < this.nextCleanupAt) return;
    this.nextCleanupAt = this.clock.now() + this.retention.everyMs;
    const removed = await this.queue.cleanup(this.retention.doneMs, { deadOlderThanMs: this.retention.deadMs });
    if (removed > 0) this.logger.debug({ removed }, 'work queue cleanup');
  }

  private async run(task: Task): Promise<void> {
    const log = this.logger.child({ taskId: task.id, kind: task.kind, attempt: task.attempts });
    const startedAt = this.clock.now();
    this.metrics?.queueTaskLatency.observe({ kind: task.kind }, Math.max(0, startedAt - task.runAt) / 1000);

    const controller = new AbortController();
    let cancelExpiry = () => {};
    let cancelRenewal = () => {};
    const extend = async (ms: number) => {
      const ok = await this.queue.extendLease(task, ms);
      if (ok) armExpiry(this.clock.now() + ms);
      else controller.abort(new Error(`lease of task ${task.id} was lost`));
      return ok;
    };
    // A task that runs past half its lease renews it while it runs, so leases can stay short (a
    // killed instance's tasks move on quickly) without cutting long deliveries off.
    const armExpiry = (at: number) => {
      cancelExpiry();
      cancelRenewal();
      const now = this.clock.now();
      cancelExpiry = this.clock.setTimeout(
        () => controller.abort(new Error(`lease of task ${task.id} expired`)),
        Math.max(0, at - now),
      );
      if (this.renewLeases && at - now > 1)
        cancelRenewal = this.clock.setTimeout(
          () => {
            if (!controller.signal.aborted)
              void extend(this.queue.leaseMs).catch((err) => log.warn({ err }, 'renewing a task lease failed'));
          },
          Math.max(0, (at - now) / 2),
        );
    };
    armExpiry(task.leaseExpiresAt ?? startedAt + this.queue.leaseMs);
    // Set once a completion made inside the handler's transaction has committed.
    let completedInHandler = false;
    const ctx: TaskContext = {
      signal: controller.signal,
      extendLease: (ms = this.queue.leaseMs) => extend(ms),
      completeIn: async (exec) => {
        const ok = await this.queue.completeIn(exec, task);
        if (ok)
          this.queue.database.afterCommit(exec, () => {
            completedInHandler = true;
          });
        return ok;
      },
    };

    let outcome = 'done';
    let failure: { error: unknown } | undefined;
    try {
      const handler = Object.hasOwn(this.handlers, task.kind) ? this.handlers[task.kind] : undefined;
      if (!handler) throw new Error(`no handler is registered for task kind "${task.kind}"`);
      await handler(task, ctx);
    } catch (error) {
      failure = { error };
    }
    try {
      if (!failure && completedInHandler) {
        this.queue.countOutcome(task, 'done');
      } else if (!failure) {
        outcome = (await this.queue.complete(task)) ? 'done' : 'lost';
        if (outcome === 'lost') log.warn('task finished after its lease was taken over; its result was discarded');
      } else {
        const err = failure.error;
        outcome = await this.queue.fail(task, err);
        if (outcome === 'dead') log.error({ err }, 'task failed on its last attempt and is dead');
        else if (outcome === 'retry' && err instanceof TaskDeferred)
          log.debug({ reason: err.message }, 'task deferred');
        else if (outcome === 'retry') log.warn({ err }, 'task failed; will retry');
        else log.warn({ err }, 'task failed after its lease was taken over; the failure was discarded');
      }
    } catch (recordErr) {
      // The lease will expire and another attempt will run (at-least-once); nothing else to do here.
      outcome = 'error';
      log.error({ err: recordErr, taskErr: failure?.error }, 'could not record a task result');
    } finally {
      cancelExpiry();
      cancelRenewal();
      this.metrics?.queueTaskDuration.observe({ kind: task.kind, outcome }, (this.clock.now() - startedAt) / 1000);
    }
  }
}
