import type { Task, TaskState } from './queue.model.js';

export interface QueueTables {
  queue_tasks: {
    id: string;
    kind: string;
    payload: string;
    state: TaskState;
    run_at: number;
    attempts: number;
    max_attempts: number;
    last_error: string | null;
    lease_owner: string | null;
    lease_expires_at: number | null;
    idempotency_key: string | null;
    created_at: number;
    finished_at: number | null;
  };
}
export type Row = QueueTables['queue_tasks'];

export function toTask(row: Row): Task {
  return {
    id: row.id,
    kind: row.kind,
    payload: JSON.parse(row.payload),
    state: row.state,
    runAt: Number(row.run_at),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    lastError: row.last_error,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at === null ? null : Number(row.lease_expires_at),
    idempotencyKey: row.idempotency_key,
    createdAt: Number(row.created_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}
