import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../../test/support/engines.js';
import { FakeClock } from '../../clock.js';
import { type Database, type Engine, openDatabase } from '../../db/database.js';
import { migrate } from '../../db/migrations.js';
import { Metrics } from '../../telemetry/metrics.js';
import { queueMigrations, retryDelayMs, WorkQueue } from '../index.js';

const SETS = [{ module: 'queue', migrations: queueMigrations }];
const SECOND = 1_000;

async function openFresh(engine: Engine, sqliteFile?: string): Promise<TestDatabase> {
  const tdb = await openTestDatabase(engine, sqliteFile ? { sqliteFile } : {});
  await migrate(tdb.database, SETS);
  return tdb;
}

/** A second, independent handle on the same data: a separate pool on PostgreSQL, a second connection on SQLite. */
function reopen(tdb: TestDatabase): Database {
  return tdb.url
    ? openDatabase({ url: tdb.url, schema: tdb.schema as string, poolSize: 5 })
    : openDatabase({ sqlitePath: tdb.sqlitePath });
}

describe.each(engines())('work queue on %s', (engine) => {
  let tdb: TestDatabase;
  let clock: FakeClock;
  let queue: WorkQueue;
  const queueAs = (owner: string, database: Database = tdb.database) =>
    new WorkQueue({ database, clock, owner, leaseMs: 30 * SECOND, random: () => 1 });

  beforeEach(async () => {
    tdb = await openFresh(engine);
    clock = new FakeClock();
    queue = queueAs('worker-a');
  });
  afterEach(async () => {
    await tdb.close();
  });

  it('an enqueued task is claimed with its payload under a lease and completed', async () => {
    const { id, created } = await queue.enqueue('notify.send', { to: 'ops', n: 1 });
    expect(created).toBe(true);
    const [task, ...rest] = await queue.claim(10);
    expect(rest).toEqual([]);
    expect(task).toMatchObject({
      id,
      kind: 'notify.send',
      payload: { to: 'ops', n: 1 },
      state: 'pending',
      attempts: 1,
      leaseOwner: 'worker-a',
      leaseExpiresAt: clock.now() + 30 * SECOND,
    });
    expect(await queue.claim(10)).toEqual([]);
    expect(await queue.complete(task!)).toBe(true);
    expect(await queue.get(id)).toMatchObject({ state: 'done', finishedAt: clock.now() });
    expect(await queue.claim(10)).toEqual([]);
  });

  it('claims due tasks oldest first, up to the limit, only of the kinds asked for', async () => {
    const late = await queue.enqueue('a', 1, { runAt: clock.now() - 1 * SECOND });
    const early = await queue.enqueue('a', 2, { runAt: clock.now() - 5 * SECOND });
    const other = await queue.enqueue('b', 3, { runAt: clock.now() - 9 * SECOND });
    expect((await queue.claim(1, ['a'])).map((t) => t.id)).toEqual([early.id]);
    expect((await queue.claim(5, ['a'])).map((t) => t.id)).toEqual([late.id]);
    expect(await queue.claim(5, [])).toEqual([]);
    expect((await queue.claim(5)).map((t) => t.id)).toEqual([other.id]);
  });

  it('a task is not claimed before its run_at and is claimed at it', async () => {
    const { id } = await queue.enqueue('escalation.step', { step: 2 }, { delayMs: 5 * 60 * SECOND });
    clock.advance(5 * 60 * SECOND - 1);
    expect(await queue.claim(10)).toEqual([]);
    expect(await queue.depth()).toEqual({ ready: 0, scheduled: 1, running: 0, dead: 0 });
    clock.advance(1);
    expect((await queue.claim(10)).map((t) => t.id)).toEqual([id]);
    expect(await queue.depth()).toEqual({ ready: 0, scheduled: 0, running: 1, dead: 0 });
  });

  it('enqueueing an existing idempotency key returns that task and creates nothing', async () => {
    const first = await queue.enqueue(
      'notify.send',
      { v: 1 },
      { idempotencyKey: 'incident-7:page-1', delayMs: SECOND },
    );
    const again = await queue.enqueue('notify.send', { v: 2 }, { idempotencyKey: 'incident-7:page-1' });
    expect(again).toEqual({ id: first.id, created: false });
    clock.advance(SECOND);
    const [task] = await queue.claim(10);
    expect(task?.payload).toEqual({ v: 1 });
    await queue.complete(task!);
    // Still deduplicated once done: a replayed request must not send the page twice.
    expect(await queue.enqueue('notify.send', { v: 3 }, { idempotencyKey: 'incident-7:page-1' })).toEqual({
      id: first.id,
      created: false,
    });
    expect((await queue.enqueue('notify.send', { v: 4 }, { idempotencyKey: 'incident-7:page-2' })).created).toBe(true);
  });

  it('a task enqueued inside a rolled-back transaction does not exist', async () => {
    await expect(
      tdb.database.transaction(async (trx) => {
        await queue.enqueue('x', {}, { exec: trx, idempotencyKey: 'k' });
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    expect(await queue.claim(10)).toEqual([]);
    expect((await queue.enqueue('x', {}, { idempotencyKey: 'k' })).created).toBe(true);
  });

  it('cancel removes a pending task by key and frees the key; a run in progress then reports lost', async () => {
    await queue.enqueue('escalation.step', {}, { idempotencyKey: 'esc-1', delayMs: 60 * SECOND });
    expect(await queue.cancel('esc-1')).toBe(true);
    expect(await queue.cancel('esc-1')).toBe(false);
    clock.advance(60 * SECOND);
    expect(await queue.claim(10)).toEqual([]);
    await queue.enqueue('escalation.step', {}, { idempotencyKey: 'esc-1' });
    const [task] = await queue.claim(1);
    expect(await queue.cancel('esc-1')).toBe(true);
    expect(await queue.complete(task!)).toBe(false);
  });

  it('a task whose lease expired is claimed by another worker, and the old owner can no longer report', async () => {
    const { id } = await queue.enqueue('job.run', {});
    const [mine] = await queue.claim(1);
    const other = queueAs('worker-b');
    clock.advance(30 * SECOND - 1);
    expect(await other.claim(1)).toEqual([]);
    clock.advance(1);
    const [theirs] = await other.claim(1);
    expect(theirs).toMatchObject({ id, leaseOwner: 'worker-b', attempts: 2 });

    expect(await queue.complete(mine!)).toBe(false);
    expect(await queue.fail(mine!, new Error('stale failure'))).toBe('lost');
    expect(await queue.extendLease(mine!)).toBe(false);
    expect(await queue.get(id)).toMatchObject({
      state: 'pending',
      leaseOwner: 'worker-b',
      attempts: 2,
      lastError: null,
    });

    expect(await other.complete(theirs!)).toBe(true);
    expect((await queue.get(id))?.state).toBe('done');
  });

  it('an owner that reclaims its own expired task cannot report the stale attempt', async () => {
    await queue.enqueue('job.run', {});
    const [stale] = await queue.claim(1);
    clock.advance(30 * SECOND);
    const [fresh] = await queue.claim(1);
    expect(await queue.fail(stale!, new Error('old run'))).toBe('lost');
    expect(await queue.complete(fresh!)).toBe(true);
  });

  it('a heartbeat keeps the lease past its first expiry', async () => {
    await queue.enqueue('job.long', {});
    const [task] = await queue.claim(1);
    const other = queueAs('worker-b');
    clock.advance(20 * SECOND);
    expect(await queue.extendLease(task!, 60 * SECOND)).toBe(true);
    clock.advance(50 * SECOND);
    expect(await other.claim(1)).toEqual([]);
    clock.advance(10 * SECOND);
    expect(await other.claim(1)).toHaveLength(1);
  });

  it('a failed task retries with growing backoff and is dead after max attempts, keeping its last error', async () => {
    const { id } = await queue.enqueue('notify.send', {}, { maxAttempts: 3 });
    const outcomes: string[] = [];
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [task] = await queue.claim(1);
      expect(task?.attempts).toBe(attempt);
      const failedAt = clock.now();
      outcomes.push(await queue.fail(task!, new Error(`smtp refused #${attempt}`)));
      const after = (await queue.get(id))!;
      if (after.state === 'pending') {
        delays.push(after.runAt - failedAt);
        clock.advance(after.runAt - failedAt - 1);
        expect(await queue.claim(1)).toEqual([]);
        clock.advance(1);
      }
    }
    expect(outcomes).toEqual(['retry', 'retry', 'dead']);
    expect(delays).toEqual([SECOND, 2 * SECOND]);
    const dead = (await queue.get(id))!;
    expect(dead).toMatchObject({ state: 'dead', attempts: 3, finishedAt: clock.now() });
    expect(dead.lastError).toContain('smtp refused #3');
    clock.advance(3_600 * SECOND);
    expect(await queue.claim(10)).toEqual([]);
    expect(await queue.depth()).toEqual({ ready: 0, scheduled: 0, running: 0, dead: 1 });
  });

  it('backoff is capped and jittered within [d/2, d]', () => {
    const backoff = { baseMs: SECOND, maxMs: 60 * SECOND };
    expect(retryDelayMs(1, backoff, () => 0)).toBe(500);
    expect(retryDelayMs(3, backoff, () => 0.5)).toBe(3_000);
    expect(retryDelayMs(30, backoff, () => 0.999_999)).toBe(60 * SECOND);
    expect(retryDelayMs(30, backoff, () => 0)).toBe(30 * SECOND);
  });

  it('a task whose lease expired on its last attempt becomes dead instead of running again', async () => {
    const { id } = await queue.enqueue('job.run', {}, { maxAttempts: 1 });
    await queue.claim(1);
    clock.advance(30 * SECOND);
    expect(await queueAs('worker-b').claim(1)).toEqual([]);
    const dead = (await queue.get(id))!;
    expect(dead).toMatchObject({ state: 'dead', attempts: 1 });
    expect(dead.lastError).toContain('lease expired on the final attempt');
  });

  it('a task scheduled before a restart runs after it at its due time', async () => {
    const file = path.join(os.tmpdir(), `mainstay-queue-${randomBytes(6).toString('hex')}.db`);
    const durable = engine === 'sqlite' ? await openFresh(engine, file) : tdb;
    try {
      const before = new WorkQueue({ database: durable.database, clock, owner: 'process-1' });
      const { id } = await before.enqueue('escalation.step', { step: 3 }, { delayMs: 10 * 60 * SECOND });
      // The process goes away; a new one starts later, with its own connection and queue object.
      if (engine === 'sqlite') await durable.database.close();
      clock.advance(5 * 60 * SECOND);
      const database = reopen(durable);
      try {
        const after = new WorkQueue({ database, clock, owner: 'process-2' });
        expect(await after.claim(10)).toEqual([]);
        expect(await after.nextDueAt()).toBe(clock.now() + 5 * 60 * SECOND);
        clock.advance(5 * 60 * SECOND);
        const [task] = await after.claim(10);
        expect(task).toMatchObject({ id, payload: { step: 3 }, leaseOwner: 'process-2' });
        expect(await after.complete(task!)).toBe(true);
      } finally {
        await database.close();
      }
    } finally {
      if (engine === 'sqlite') for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    }
  });

  it('cleanup deletes finished tasks past their retention in batches and leaves the rest', async () => {
    const finish = async (n: number, how: 'done' | 'dead') => {
      for (let i = 0; i < n; i++) await queue.enqueue('k', { i }, { maxAttempts: 1 });
      for (const task of await queue.claim(n)) {
        if (how === 'done') await queue.complete(task);
        else await queue.fail(task, new Error('boom'));
      }
    };
    await finish(25, 'done');
    await finish(3, 'dead');
    clock.advance(2 * 3_600 * SECOND);
    await finish(4, 'done');
    const pending = await queue.enqueue('k', {}, { delayMs: 10 * SECOND });

    expect(await queue.cleanup(3_600 * SECOND, { deadOlderThanMs: 7 * 24 * 3_600 * SECOND, batchSize: 10 })).toBe(25);
    expect(await queue.depth()).toEqual({ ready: 0, scheduled: 1, running: 0, dead: 3 });
    expect(await queue.cleanup(3_600 * SECOND, { batchSize: 2 })).toBe(3);
    const left = await tdb.database.db.selectFrom('queue_tasks').select(['id', 'state']).execute();
    expect(left.filter((r) => r.state === 'done')).toHaveLength(4);
    expect(left.filter((r) => r.state === 'pending').map((r) => r.id)).toEqual([pending.id]);
    expect(left).toHaveLength(5);
  });

  it('depth is reported to /metrics through the collector', async () => {
    const metrics = new Metrics();
    const observed = new WorkQueue({ database: tdb.database, clock, owner: 'm', metrics });
    await observed.enqueue('k', {});
    await observed.enqueue('k', {}, { delayMs: SECOND });
    await observed.enqueue('k', {});
    await observed.claim(1);
    const text = await metrics.render();
    expect(text).toContain('mainstay_queue_depth{state="ready"} 1');
    expect(text).toContain('mainstay_queue_depth{state="scheduled"} 1');
    expect(text).toContain('mainstay_queue_depth{state="running"} 1');
    expect(text).toContain('mainstay_queue_depth{state="dead"} 0');
  });

  // PostgreSQL only: SQLite has one writer per file, and this suite's SQLite is in memory.
  (engine === 'postgres' ? it : () => {})(
    'two workers claiming concurrently from 200 tasks never claim the same task and together claim all',
    async () => {
      for (let i = 0; i < 200; i++) await queue.enqueue('bulk', { i });
      const databases = [reopen(tdb), reopen(tdb)];
      try {
        const queues = databases.map((database, n) => new WorkQueue({ database, clock, owner: `proc-${n}` }));
        const claimed = new Map<string, string[]>(queues.map((q) => [q.owner, []]));
        const drain = async (q: WorkQueue) => {
          for (;;) {
            const tasks = await q.claim(7);
            if (tasks.length === 0) return;
            claimed.get(q.owner)!.push(...tasks.map((t) => t.id));
          }
        };
        // Several claim loops per instance, so claims overlap both within a pool and across pools.
        await Promise.all(queues.flatMap((q) => [drain(q), drain(q), drain(q), drain(q)]));
        const all = [...claimed.values()].flat();
        expect(all).toHaveLength(200);
        expect(new Set(all).size).toBe(200);
        for (const ids of claimed.values()) expect(ids.length).toBeGreaterThan(0);
        const rows = await tdb.database.db
          .selectFrom('queue_tasks')
          .select(['id', 'lease_owner', 'attempts'])
          .execute();
        for (const row of rows) {
          expect(row.attempts).toBe(1);
          expect(claimed.get(row.lease_owner)).toContain(row.id);
        }
      } finally {
        await Promise.all(databases.map((d) => d.close()));
      }
    },
  );
});
