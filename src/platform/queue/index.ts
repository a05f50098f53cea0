/** The durable work queue: timers and deliveries as database rows, run by a leased worker. */

export { DEFAULT_LEASE_MS, DEFAULT_MAX_ATTEMPTS, WorkQueue, type WorkQueueOptions } from './queue.js';
export { queueMigrations } from './queue.migrations.js';
export type {
  EnqueueOptions,
  FailOutcome,
  QueueDepth,
  Task,
  TaskContext,
  TaskHandler,
  TaskState,
} from './queue.model.js';
export { TaskDeferred } from './queue.model.js';
export { type BackoffOptions, describeError, retryDelayMs } from './retry.js';
export { type RetentionOptions, Worker, type WorkerOptions } from './worker.js';
