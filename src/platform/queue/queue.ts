import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, Executor } from '../db/database.js';
import { InputError } from '../errors.js';
import { newId } from '../ids.js';
import type { Metrics } from '../telemetry/metrics.js';
import {
  type EnqueueOptions,
  type FailOutcome,
  type QueueDepth,
  type Task,
  type TaskAdopter,
  TaskDeferred,
} from './queue.model.js';
import { countDepth, deleteFinished, dueCondition, nextDueTime } from './queue.queries.js';
import { type QueueTables, type Row, toTask } from './queue.rows.js';
import { type BackoffOptions, DEFAULT_BACKOFF, describeError, MAX_ERROR_CHARS, retryDelayMs } from './retry.js';

export interface WorkQueueOptions {
  database: Database;
  clock: Clock;
  /** Names this process in leases; must differ between live processes. */
  owner: string;
  /** How long a claim holds a task before another worker may take it over. Default 60 s. */
  leaseMs?: number;
  metrics?: Metrics;
  /** Default 1 s doubling up to 1 h. */
  backoff?: Partial<BackoffOptions>;
  /** For tasks enqueued without `maxAttempts`. Default 10. */
  defaultMaxAttempts?: number;
  /** Jitter source in [0, 1); injected so tests can pin the backoff. */
  random?: () => number;
}

export const DEFAULT_LEASE_MS = 20_000;
export const DEFAULT_MAX_ATTEMPTS = 10;

/**
 * The durable work queue: timers and deliveries as rows in `queue_tasks`.
 *
 * Every write that reports a result (complete, fail, extendLease) is one UPDATE whose WHERE checks
 * the lease — `id`, `lease_owner` and the attempt number the task was claimed with — so a worker
 * whose lease expired and was taken over changes nothing and is told `lost`. The attempt number is
 * part of the check so that an owner that reclaims its own expired task cannot have the stale run
 * report for the fresh one.
 *
 * Done tasks are marked `done`, not deleted: an idempotency key must keep deduplicating after the
 * work ran (a retried API call or a replayed event must not send the page twice), and the row
 * tells an operator who ran what and when. `cleanup` deletes finished rows after a retention
 * period in bounded batches, so the table stays at "pending + one retention window".
 */
export class WorkQueue {
  readonly owner: string;
  readonly leaseMs: number;
  readonly database: Database;
  private readonly clock: Clock;
  private readonly metrics: Metrics | undefined;
  private readonly backoff: BackoffOptions;
  private readonly defaultMaxAttempts: number;
  private readonly random: () => number;
  private readonly listeners = new Set<(runAt: number, kind: string | undefined) => void>();
  private readonly adopters = new Set<TaskAdopter>();

  constructor(options: WorkQueueOptions) {
    this.database = options.database;
    this.clock = options.clock;
    this.owner = options.owner;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.metrics = options.metrics;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.defaultMaxAttempts = options.defaultMaxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.random = options.random ?? Math.random;
    const metrics = this.metrics;
    if (metrics) {
      metrics.onCollect(async () => {
        const depth = await this.depth();
        for (const [state, n] of Object.entries(depth)) metrics.queueDepth.set({ state }, n);
      });
    }
  }

  private get db(): Kysely<QueueTables> {
    return this.database.db as Kysely<QueueTables>;
  }

  /**
   * Calls `listener(runAt)` whenever this queue object schedules a task (a new task, or a retry),
   * so a worker in this process can wake before its next poll. Returns the unsubscribe function.
   * A task enqueued inside a caller's transaction is announced once that transaction commits (a
   * worker on another connection would not see it before), never if it rolls back.
   */
  onScheduled(listener: (runAt: number, kind: string | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Registers a started worker that takes tasks leased to it at enqueue (see TaskAdopter). */
  addAdopter(adopter: TaskAdopter): () => void {
    this.adopters.add(adopter);
    return () => this.adopters.delete(adopter);
  }

  private reserveAdopter(kind: string): TaskAdopter | undefined {
    for (const a of this.adopters) if (a.reserve(kind)) return a;
    return undefined;
  }

  /** After the commit: the adopter runs the task; one that stopped meanwhile gives the lease back. */
  private handOff(adopter: TaskAdopter, task: Task): void {
    // On the next turn of the event loop: whatever follows the commit (an HTTP answer) goes out first.
    setImmediate(() => {
      if (this.adopters.has(adopter)) {
        adopter.adopt(task);
        return;
      }
      adopter.unreserve(task.kind);
      void this.release(task).catch(() => {});
    });
  }

  /**
   * Gives back the lease of a task this owner holds but did not start (a worker stopping with tasks
   * handed to it): the attempt is not counted and the task is due again at once.
   */
  async release(task: Task): Promise<boolean> {
    const r = await this.leased(task)
      .set({ attempts: task.attempts - 1, lease_owner: null, lease_expires_at: null })
      .executeTakeFirst();
    const ok = Number(r.numUpdatedRows) === 1;
    if (ok) this.announce(task.runAt, task.kind);
    return ok;
  }

  private announce(runAt: number, kind?: string): void {
    for (const listener of this.listeners) listener(runAt, kind);
  }

  async enqueue(kind: string, payload: unknown, opts: EnqueueOptions = {}): Promise<{ id: string; created: boolean }> {
    const invalid = (path: string, message: string) =>
      new InputError(`${path}: ${message}`, { fields: [{ path, message }] });
    if (!kind) throw invalid('kind', 'a task needs a kind');
    if (opts.runAt !== undefined && opts.delayMs !== undefined)
      throw invalid('runAt', 'give runAt or delayMs, not both');
    const maxAttempts = opts.maxAttempts ?? this.defaultMaxAttempts;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw invalid('maxAttempts', 'must be a positive integer');
    const now = this.clock.now();
    const runAt = Math.round(opts.runAt ?? now + (opts.delayMs ?? 0));
    if (!Number.isFinite(runAt)) throw invalid('runAt', 'must be a finite time in epoch milliseconds');
    const db = (opts.exec ?? this.db) as Kysely<QueueTables>;
    // Due now and a local worker has room for it: created leased to this process, handed over at commit.
    const adopter = runAt <= now ? this.reserveAdopter(kind) : undefined;
    const row: Row = {
      id: newId(now),
      kind,
      payload: JSON.stringify(payload === undefined ? null : payload),
      state: 'pending',
      run_at: runAt,
      attempts: adopter ? 1 : 0,
      max_attempts: maxAttempts,
      last_error: null,
      lease_owner: adopter ? this.owner : null,
      lease_expires_at: adopter ? now + this.leaseMs : null,
      idempotency_key: opts.idempotencyKey ?? null,
      created_at: now,
      finished_at: null,
    };
    const key = row.idempotency_key;
    // ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL an error would
    // abort the caller's transaction. Without a key nothing can conflict (NULLs are distinct). The
    // loop covers the key's row being deleted between the two statements (cancel or cleanup).
    let inserted: { id: string } | undefined;
    try {
      inserted = await this.insertOnce(db, row);
    } finally {
      if (adopter && !inserted) adopter.unreserve(kind);
    }
    if (inserted) {
      if (adopter) {
        const task = toTask(row);
        this.database.afterCommit(
          db,
          () => this.handOff(adopter, task),
          () => adopter.unreserve(kind),
        );
      } else this.database.afterCommit(db, () => this.announce(runAt, kind));
      return { id: inserted.id, created: true };
    }
    for (let tries = 0; tries < 3; tries++) {
      if (tries > 0) {
        row.attempts = 0;
        row.lease_owner = null;
        row.lease_expires_at = null;
        const again = await this.insertOnce(db, row);
        if (again) {
          this.database.afterCommit(db, () => this.announce(runAt, kind));
          return { id: again.id, created: true };
        }
      }
      if (key === null) break;
      const existing = await db
        .selectFrom('queue_tasks')
        .select('id')
        .where('idempotency_key', '=', key)
        .executeTakeFirst();
      if (existing) return { id: existing.id, created: false };
    }
    throw new Error(`enqueue of idempotency key ${key} kept conflicting with concurrent deletes`);
  }

  private insertOnce(db: Kysely<QueueTables>, row: Row): Promise<{ id: string } | undefined> {
    return db
      .insertInto('queue_tasks')
      .values(row)
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .executeTakeFirst();
  }

  /**
   * Takes up to `limit` due tasks (oldest run_at first) under a lease for this owner, counting an
   * attempt for each. One UPDATE…RETURNING: on PostgreSQL its sub-select locks with
   * FOR UPDATE SKIP LOCKED so concurrent claimers split the rows instead of queueing behind each
   * other; SQLite has a single writer, so the plain statement is already exclusive.
   */
  async claim(limit: number, kinds?: readonly string[]): Promise<Task[]> {
    if (limit <= 0 || (kinds && kinds.length === 0)) return [];
    const now = this.clock.now();
    // Leases are bookkeeping: a claim lost to a power failure means the task runs again.
    return this.database.relaxedTransaction((trx) =>
      this.claimIn(trx as unknown as Kysely<QueueTables>, now, limit, kinds),
    );
  }

  private async claimIn(
    db: Kysely<QueueTables>,
    now: number,
    limit: number,
    kinds?: readonly string[],
  ): Promise<Task[]> {
    const due = dueCondition(db, this.database.engine, now, Math.floor(limit), kinds);
    const rows = await db
      .updateTable('queue_tasks')
      .set((eb) => ({
        lease_owner: this.owner,
        lease_expires_at: now + this.leaseMs,
        attempts: eb('attempts', '+', 1),
      }))
      .where(due)
      .returningAll()
      .execute();
    const tasks = rows.map(toTask).sort((a, b) => a.runAt - b.runAt || (a.id < b.id ? -1 : 1));
    // A task whose lease expired on its final attempt (its worker crashed or stalled) comes back
    // here with one attempt too many: it is dead, not run again.
    const spent = tasks.filter((t) => t.attempts > t.maxAttempts);
    if (spent.length === 0) return tasks;
    for (const t of spent) {
      const previous = t.lastError ? `; previous error: ${t.lastError}` : '';
      const lastError = `lease expired on the final attempt (no result was reported)${previous}`;
      const result = await db
        .updateTable('queue_tasks')
        .set({
          state: 'dead',
          attempts: t.maxAttempts,
          finished_at: now,
          lease_expires_at: null,
          last_error: lastError.slice(0, MAX_ERROR_CHARS),
        })
        .where('id', '=', t.id)
        .where('lease_owner', '=', this.owner)
        .where('attempts', '=', t.attempts)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) this.metrics?.queueTasks.inc({ kind: t.kind, outcome: 'dead' });
    }
    return tasks.filter((t) => t.attempts <= t.maxAttempts);
  }

  /**
   * Marks a claimed task done. False when this worker no longer holds its lease (taken over or
   * cancelled). An expired lease that nobody has taken over still completes: the work is done and
   * no other result exists.
   */
  async complete(task: Task): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.leased(task)
      .set({ state: 'done', finished_at: now, lease_expires_at: null })
      .executeTakeFirst();
    const ok = Number(result.numUpdatedRows) === 1;
    this.metrics?.queueTasks.inc({ kind: task.kind, outcome: ok ? 'done' : 'lost' });
    return ok;
  }

  /**
   * Records a failed attempt: attempts, last_error and the next run_at (or `dead` after max
   * attempts) in the one statement that checks the lease. `lost` means nothing was written.
   */
  async fail(task: Task, error: unknown): Promise<FailOutcome> {
    const now = this.clock.now();
    if (error instanceof TaskDeferred) {
      // Not a failure: the attempt is given back and the task comes back after the delay.
      const runAt = now + Math.max(1, error.delayMs);
      const r = await this.leased(task)
        .set({ attempts: task.attempts - 1, run_at: runAt, lease_owner: null, lease_expires_at: null })
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return 'lost';
      this.announce(runAt, task.kind);
      return 'retry';
    }
    const lastError = describeError(error);
    // attempts is part of the lease check and max_attempts never changes, so deciding here is the
    // same as deciding in SQL.
    const dead = task.attempts >= task.maxAttempts;
    // A failure may say when to come back (a channel's Retry-After): never sooner than that.
    const after = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
    const backoff = retryDelayMs(task.attempts, this.backoff, this.random);
    const runAt = now + (typeof after === 'number' && after > backoff ? Math.min(after, this.backoff.maxMs) : backoff);
    const result = await this.leased(task)
      .set(
        dead
          ? { state: 'dead', last_error: lastError, finished_at: now, lease_expires_at: null }
          : { last_error: lastError, run_at: runAt, lease_owner: null, lease_expires_at: null },
      )
      .executeTakeFirst();
    const outcome: FailOutcome = Number(result.numUpdatedRows) !== 1 ? 'lost' : dead ? 'dead' : 'retry';
    this.metrics?.queueTasks.inc({ kind: task.kind, outcome });
    if (outcome === 'retry') this.announce(runAt, task.kind);
    return outcome;
  }

  /** Counts a task's outcome in the metrics (for a completion recorded by completeIn). */
  countOutcome(task: Task, outcome: 'done' | 'lost'): void {
    this.metrics?.queueTasks.inc({ kind: task.kind, outcome });
  }

  /** complete() inside the caller's transaction (TaskContext.completeIn). */
  async completeIn(exec: Executor, task: Task): Promise<boolean> {
    const result = await (exec as Kysely<QueueTables>)
      .updateTable('queue_tasks')
      .set({ state: 'done', finished_at: this.clock.now(), lease_expires_at: null })
      .where('id', '=', task.id)
      .where('state', '=', 'pending')
      .where('lease_owner', '=', this.owner)
      .where('attempts', '=', task.attempts)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Heartbeat for long tasks: the lease now ends `ms` from now. False when the lease was lost. */
  async extendLease(task: Task, ms: number = this.leaseMs): Promise<boolean> {
    const result = await this.leased(task)
      .set({ lease_expires_at: this.clock.now() + ms })
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** An UPDATE of `task` that matches only while this owner still holds the lease of that attempt. */
  private leased(task: Task) {
    return {
      set: (values: Partial<Row>) => ({
        // Results of attempts are bookkeeping too: one lost to a power failure means a re-run.
        executeTakeFirst: () =>
          this.database.relaxedTransaction((trx) =>
            (trx as unknown as Kysely<QueueTables>)
              .updateTable('queue_tasks')
              .set(values)
              .where('id', '=', task.id)
              .where('state', '=', 'pending')
              .where('lease_owner', '=', this.owner)
              .where('attempts', '=', task.attempts)
              .executeTakeFirst(),
          ),
      }),
    };
  }

  /**
   * Removes a pending task by its idempotency key (e.g. the next escalation step once an incident
   * is acknowledged). The row is deleted, not marked, so the key is free to be scheduled again; a
   * run in progress is not interrupted, but its result is discarded (complete/fail report `lost`).
   * Done and dead tasks are left alone. Pass `exec` to cancel inside the caller's transaction.
   */
  async cancel(idempotencyKey: string, opts: { exec?: Executor } = {}): Promise<boolean> {
    const db = (opts.exec ?? this.db) as Kysely<QueueTables>;
    const result = await db
      .deleteFrom('queue_tasks')
      .where('idempotency_key', '=', idempotencyKey)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async get(id: string): Promise<Task | undefined> {
    const row = await this.db.selectFrom('queue_tasks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toTask(row) : undefined;
  }

  /** Counts by state, in one scan of the unfinished rows (done rows are not counted). */
  async depth(): Promise<QueueDepth> {
    return countDepth(this.db, this.clock.now());
  }

  /**
   * When the next pending task of these kinds can next be claimed: the earliest run_at among unleased
   * ones, or the earliest end of a lease now held (leased tasks are always due already). Undefined
   * when there is neither. A worker sleeps until then when that beats its poll. Two index seeks per
   * kind (the second walks only that kind's due rows, i.e. the ones running), so it stays cheap with
   * many tasks scheduled for later; the worker does not ask while it knows of a backlog.
   */
  nextDueAt(kinds?: readonly string[]): Promise<number | undefined> {
    return nextDueTime(this.db, this.clock.now(), kinds);
  }

  /**
   * Deletes done tasks finished more than `olderThanMs` ago, and dead ones finished more than
   * `deadOlderThanMs` ago (default: the same). Each statement deletes at most `batchSize` rows, so
   * a large backlog never holds a long lock (SQLite has one writer); returns how many were removed.
   */
  cleanup(olderThanMs: number, opts: { deadOlderThanMs?: number; batchSize?: number } = {}): Promise<number> {
    return deleteFinished(this.db, this.clock.now(), olderThanMs, opts);
  }
}
