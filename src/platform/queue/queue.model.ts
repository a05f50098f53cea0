import type { Executor } from '../db/database.js';

/**
 * `pending`: waiting for its run_at, or running under a lease (lease_owner and a lease in the future).
 * `done`: finished successfully, kept until cleanup so its idempotency key keeps deduplicating.
 * `dead`: gave up after max attempts, kept with its last error until cleanup.
 */
export type TaskState = 'pending' | 'done' | 'dead';

/** One unit of durable work: a row in `queue_tasks`. Times are epoch milliseconds. */
export interface Task {
  id: string;
  kind: string;
  payload: unknown;
  state: TaskState;
  /** When the task is (next) due. */
  runAt: number;
  /** Attempts started so far; a claim counts as an attempt, so a crash mid-run uses one up. */
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  idempotencyKey: string | null;
  createdAt: number;
  finishedAt: number | null;
}

export interface EnqueueOptions {
  /** Absolute due time (ms). Give at most one of `runAt` and `delayMs`; neither means now. */
  runAt?: number;
  /** Due this many ms from now. */
  delayMs?: number;
  /** Unique per task: enqueueing an existing key returns that task and creates nothing. */
  idempotencyKey?: string;
  maxAttempts?: number;
  /** Enqueue inside the caller's transaction, so the task exists only if the caller's write commits. */
  exec?: Executor;
}

export interface TaskContext {
  /** Aborted when this worker no longer holds the lease (it expired, or an extension found it taken). */
  signal: AbortSignal;
  /** Heartbeat: pushes the lease to now + `ms` (default: the queue's lease). False when the lease was lost. */
  extendLease(ms?: number): Promise<boolean>;
  /**
   * Marks the task done inside the handler's own transaction, so its work and its completion commit
   * together (one commit instead of two; a crash between them cannot make the work run again). False
   * when the lease was lost: the handler should then throw, so its transaction rolls back and the
   * new holder does the work.
   */
  completeIn(exec: Executor): Promise<boolean>;
}

/**
 * A started worker of this process: tasks it can run that are enqueued due now are created already
 * leased to this process and handed to it once their transaction commits, instead of waiting for it
 * to claim them (a claim, a poll and a wake-up fewer per task). If the process dies first, the lease
 * expires and any worker claims the task as usual.
 */
export interface TaskAdopter {
  /** True when it runs `kind` and has a slot free for one more (it counts the reservation). */
  reserve(kind: string): boolean;
  /** The reserved task, committed and leased to this process: run it. */
  adopt(task: Task): void;
  /** The transaction that would have created the reserved task rolled back. */
  unreserve(kind: string): void;
}

export type TaskHandler = (task: Task, ctx: TaskContext) => Promise<void>;

export interface QueueDepth {
  /** Due and not held by a live lease (includes tasks whose lease expired). */
  ready: number;
  /** Not yet due. */
  scheduled: number;
  /** Held by a live lease. */
  running: number;
  dead: number;
}

export type FailOutcome = 'retry' | 'dead' | 'lost';

/**
 * Thrown by a handler that cannot run yet and wants to come back after `delayMs` without using up
 * an attempt (a delivery waiting for the one before it in its group).
 */
export class TaskDeferred extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'TaskDeferred';
  }
}
