import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../../test/support/engines.js';
import { FakeClock } from '../../clock.js';
import { migrate } from '../../db/migrations.js';
import { Metrics } from '../../telemetry/metrics.js';
import { queueMigrations, type Task, TaskDeferred, type TaskHandler, Worker, WorkQueue } from '../index.js';
import { deferred, logger, SECOND, until } from './support.js';

describe.each(engines())('queue worker on %s', (engine) => {
  let tdb: TestDatabase;
  let clock: FakeClock;
  let queue: WorkQueue;
  let metrics: Metrics;
  let worker: Worker | undefined;
  const makeWorker = (
    handlers: Record<string, TaskHandler>,
    opts: {
      concurrency?: number;
      pollMs?: number;
      kinds?: string[];
      perKindLimit?: number;
      renewLeases?: boolean;
    } = {},
  ) => {
    worker = new Worker({ queue, handlers, clock, logger, metrics, retention: false, ...opts });
    return worker;
  };

  beforeEach(async () => {
    tdb = await openTestDatabase(engine);
    await migrate(tdb.database, [{ module: 'queue', migrations: queueMigrations }]);
    clock = new FakeClock();
    metrics = new Metrics();
    queue = new WorkQueue({
      database: tdb.database,
      clock,
      owner: 'w1',
      leaseMs: 30 * SECOND,
      metrics,
      random: () => 1,
    });
    worker = undefined;
  });
  afterEach(async () => {
    await worker?.stop();
    await tdb.close();
  });

  it('runOnce runs the tasks that are due, marks them done and leaves future ones', async () => {
    const seen: unknown[] = [];
    const w = makeWorker({ 'notify.send': async (task) => void seen.push(task.payload) });
    const a = await queue.enqueue('notify.send', { n: 1 });
    const b = await queue.enqueue('notify.send', { n: 2 });
    const later = await queue.enqueue('notify.send', { n: 3 }, { delayMs: 10 * SECOND });
    clock.advance(2 * SECOND);

    expect(await w.runOnce()).toBe(2);
    expect(seen).toHaveLength(2);
    expect(seen).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }]));
    expect((await queue.get(a.id))?.state).toBe('done');
    expect((await queue.get(b.id))?.state).toBe('done');
    expect((await queue.get(later.id))?.state).toBe('pending');
    expect(await w.runOnce()).toBe(0);

    const text = await metrics.render();
    expect(text).toContain('mainstay_queue_tasks_total{kind="notify.send",outcome="done"} 2');
    // Both started 2 s after they fell due.
    expect(text).toContain('mainstay_queue_task_latency_seconds_sum{kind="notify.send"} 4');
    expect(text).toContain('mainstay_queue_task_duration_seconds_count{kind="notify.send",outcome="done"} 2');
  });

  it('a worker with kinds claims only those; a per-kind limit keeps one slow kind from taking every slot', async () => {
    const gates = { slow: deferred(), fast: deferred() };
    const started: string[] = [];
    const w = makeWorker(
      {
        'page.slow': async (t) => {
          started.push(`slow${(t.payload as { n: number }).n}`);
          await gates.slow.promise;
        },
        'page.fast': async (t) => {
          started.push(`fast${(t.payload as { n: number }).n}`);
          await gates.fast.promise;
        },
      },
      { concurrency: 10, kinds: ['page.slow', 'page.fast'], perKindLimit: 2 },
    );
    for (let n = 0; n < 5; n++) await queue.enqueue('page.slow', { n });
    await queue.enqueue('page.fast', { n: 0 });
    const other = await queue.enqueue('bulk', {});
    const done = w.runOnce();
    try {
      // Two slow ones hold their share; the fast page still got a slot although five slow ones were due
      // first. (Waited for, not slept on: two claims in a row took over 50 ms on PostgreSQL under CI load.)
      await until(() => started.includes('fast0'));
      expect(started.filter((s) => s.startsWith('slow'))).toHaveLength(2);
    } finally {
      gates.fast.resolve();
      gates.slow.resolve();
      await done;
    }
    expect(started.filter((s) => s.startsWith('slow'))).toHaveLength(5);
    expect((await queue.get(other.id))?.state).toBe('pending');
  });

  it('a failure that says when to come back (Retry-After) is not retried sooner', async () => {
    const w = makeWorker({
      limited: async () => {
        throw Object.assign(new Error('429'), { retryAfterMs: 120 * SECOND });
      },
    });
    const t = await queue.enqueue('limited', {});
    await w.runOnce();
    expect((await queue.get(t.id))?.runAt).toBe(clock.now() + 120 * SECOND);
  });

  it('a throwing handler is retried with backoff and ends dead with its error kept', async () => {
    let calls = 0;
    const w = makeWorker({
      flaky: async () => {
        calls++;
        throw new Error(`upstream 503 (call ${calls})`);
      },
    });
    const { id } = await queue.enqueue('flaky', {}, { maxAttempts: 3 });
    expect(await w.runOnce()).toBe(1);
    let task = (await queue.get(id))!;
    expect(task).toMatchObject({ state: 'pending', attempts: 1, runAt: clock.now() + SECOND });
    expect(task.lastError).toContain('upstream 503 (call 1)');

    clock.advance(SECOND - 1);
    expect(await w.runOnce()).toBe(0);
    clock.advance(1);
    expect(await w.runOnce()).toBe(1);
    expect((await queue.get(id))?.runAt).toBe(clock.now() + 2 * SECOND);
    clock.advance(2 * SECOND);
    expect(await w.runOnce()).toBe(1);

    task = (await queue.get(id))!;
    expect(task).toMatchObject({ state: 'dead', attempts: 3 });
    expect(task.lastError).toContain('upstream 503 (call 3)');
    expect(calls).toBe(3);
  });

  it('a task whose kind has no handler fails with an error that names the kind', async () => {
    const w = makeWorker({});
    const { id } = await queue.enqueue('nobody.handles.this', {}, { maxAttempts: 1 });
    expect(await w.runOnce()).toBe(1);
    const task = (await queue.get(id))!;
    expect(task.state).toBe('dead');
    expect(task.lastError).toContain('no handler is registered for task kind "nobody.handles.this"');
  });

  it('no more handlers run at once than the concurrency allows, and all tasks still run', async () => {
    let current = 0;
    let most = 0;
    const w = makeWorker(
      {
        k: async () => {
          current++;
          most = Math.max(most, current);
          for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
          current--;
        },
      },
      { concurrency: 3 },
    );
    for (let i = 0; i < 10; i++) await queue.enqueue('k', { i });
    expect(await w.runOnce()).toBe(10);
    expect(most).toBe(3);
    expect(await queue.depth()).toEqual({ ready: 0, scheduled: 0, running: 0, dead: 0 });
  });

  it('a started worker runs a task due now without waiting for its poll', async () => {
    const ran = deferred<Task>();
    const w = makeWorker({ k: async (task) => ran.resolve(task) }, { pollMs: 3_600 * SECOND });
    w.start();
    const { id } = await queue.enqueue('k', { now: true });
    expect((await ran.promise).id).toBe(id);
  });

  it('a started worker wakes at the due time of a task enqueued for later, before its next poll', async () => {
    const ran = deferred<number>();
    const w = makeWorker({ k: async () => ran.resolve(clock.now()) }, { pollMs: 3_600 * SECOND });
    w.start();
    const due = clock.now() + 5 * SECOND;
    await queue.enqueue('k', {}, { runAt: due });
    clock.advance(5 * SECOND);
    expect(await ran.promise).toBe(due);
  });

  it('a started worker runs a retry when its backoff has passed', async () => {
    const retryScheduled = deferred<number>();
    const succeeded = deferred<number>();
    let calls = 0;
    const w = makeWorker(
      {
        k: async () => {
          if (++calls === 1) throw new Error('first try fails');
          succeeded.resolve(clock.now());
        },
      },
      { pollMs: 3_600 * SECOND },
    );
    w.start();
    // Subscribed after the worker, so when this fires the worker has already armed its timer.
    queue.onScheduled((runAt) => runAt > clock.now() && retryScheduled.resolve(runAt));
    await queue.enqueue('k', {});
    const retryAt = await retryScheduled.promise;
    clock.set(retryAt);
    expect(await succeeded.promise).toBe(retryAt);
  });

  it('stop() stops claiming and resolves only after in-flight handlers finish', async () => {
    const events: string[] = [];
    const started = deferred();
    const release = deferred();
    const w = makeWorker(
      {
        k: async () => {
          started.resolve();
          await release.promise;
          events.push('handler finished');
        },
      },
      { concurrency: 1 },
    );
    const first = await queue.enqueue('k', { n: 1 }, { runAt: clock.now() - 1 });
    const second = await queue.enqueue('k', { n: 2 });
    w.start();
    await started.promise;
    const stopped = w.stop().then(() => events.push('stopped'));
    release.resolve();
    await stopped;
    expect(events).toEqual(['handler finished', 'stopped']);
    expect((await queue.get(first.id))?.state).toBe('done');
    expect(await queue.get(second.id)).toMatchObject({ state: 'pending', attempts: 0 });
  });

  it('a handler can extend its lease, and its signal aborts when the extended lease runs out', async () => {
    const extended = deferred<boolean>();
    let signal: AbortSignal | undefined;
    const w = makeWorker(
      {
        long: async (_task, ctx) => {
          signal = ctx.signal;
          extended.resolve(await ctx.extendLease(90 * SECOND));
          await new Promise((r) => ctx.signal.addEventListener('abort', r));
        },
      },
      { renewLeases: false },
    );
    const { id } = await queue.enqueue('long', {});
    const ran = w.runOnce();
    expect(await extended.promise).toBe(true);
    clock.advance(90 * SECOND - 1);
    expect(signal?.aborted).toBe(false);
    expect(await new WorkQueue({ database: tdb.database, clock, owner: 'w2' }).claim(1)).toEqual([]);
    clock.advance(1);
    expect(signal?.aborted).toBe(true);
    expect(await ran).toBe(1);
    // Nobody took the task over, so its result still counts.
    expect((await queue.get(id))?.state).toBe('done');
  });

  it('a task that runs past half its lease has it renewed, so nobody else claims it while it runs', async () => {
    const started = deferred<void>();
    const release = deferred<void>();
    const w = makeWorker({
      long: async () => {
        started.resolve();
        await release.promise;
      },
    });
    const { id } = await queue.enqueue('long', {});
    const ran = w.runOnce();
    await started.promise;
    const other = new WorkQueue({ database: tdb.database, clock, owner: 'w2', leaseMs: queue.leaseMs });
    try {
      for (let i = 0; i < 6; i++) {
        clock.advance(queue.leaseMs / 2);
        // Let this half-period's renewal land (the lease then ends a full lease from now) before time moves on.
        for (let t = 0; t < 2000 && (await queue.get(id))!.leaseExpiresAt! < clock.now() + queue.leaseMs; t++)
          await new Promise((r) => setTimeout(r, 5));
        expect(await other.claim(1)).toEqual([]);
      }
    } finally {
      release.resolve();
    }
    expect(await ran).toBe(1);
    expect((await queue.get(id))?.state).toBe('done');
  });

  it('a deferred task comes back after its delay without using up an attempt', async () => {
    let runs = 0;
    const w = makeWorker({
      wait: async () => {
        runs++;
        if (runs <= 15) throw new TaskDeferred('not yet', 100);
      },
    });
    const { id } = await queue.enqueue('wait', {}, { maxAttempts: 2 });
    for (let i = 0; i < 16; i++) {
      await w.runOnce();
      clock.advance(100);
    }
    expect(runs).toBe(16);
    expect(await queue.get(id)).toMatchObject({ state: 'done', attempts: 1, lastError: null });
  });
});
