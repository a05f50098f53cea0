import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../../test/support/engines.js';
import { FakeClock } from '../../clock.js';
import { migrate } from '../../db/migrations.js';
import { Metrics } from '../../telemetry/metrics.js';
import { queueMigrations, type Task, type TaskHandler, Worker, WorkQueue } from '../index.js';
import { deferred, logger, SECOND } from './support.js';

/**
 * Tasks enqueued due now while a started worker of this process has room are created leased to it
 * and handed over when their transaction commits (no claim, no poll). Everything else about them is
 * an ordinary task: a rollback leaves nothing, a dead process's lease expires and another claims it.
 */
describe.each(engines())('tasks handed to a local worker at commit on %s', (engine) => {
  let tdb: TestDatabase;
  let clock: FakeClock;
  let queue: WorkQueue;
  let metrics: Metrics;
  let claims: number;
  const workers: Worker[] = [];
  const makeWorker = (
    handlers: Record<string, TaskHandler>,
    opts: { concurrency?: number; kinds?: string[]; perKindLimit?: number } = {},
  ) => {
    const w = new Worker({
      queue,
      handlers,
      clock,
      logger,
      metrics,
      retention: false,
      pollMs: 3_600 * SECOND,
      ...opts,
    });
    workers.push(w);
    return w;
  };
  /** Lets the worker's first poll (started by start()) finish. */
  const settle = () => new Promise((r) => setTimeout(r, 30));
  const row = (id: string) =>
    tdb.database.db
      .selectFrom('queue_tasks')
      .select(['state', 'attempts', 'lease_owner'])
      .where('id', '=', id)
      .executeTakeFirst();

  beforeEach(async () => {
    tdb = await openTestDatabase(engine);
    await migrate(tdb.database, [{ module: 'queue', migrations: queueMigrations }]);
    clock = new FakeClock();
    metrics = new Metrics();
    queue = new WorkQueue({ database: tdb.database, clock, owner: 'w1', leaseMs: 30 * SECOND, metrics });
    claims = 0;
    const claim = queue.claim.bind(queue);
    queue.claim = (...args) => {
      claims++;
      return claim(...args);
    };
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    await tdb.close();
  });

  it('a task enqueued in a transaction runs after the commit, leased at creation, without a claim', async () => {
    const ran = deferred<Task>();
    const w = makeWorker({ k: async (task) => ran.resolve(task) });
    w.start();
    await settle();
    const before = claims;
    let id = '';
    let ranInside = false;
    await tdb.database.transaction(async (trx) => {
      id = (await queue.enqueue('k', { n: 1 }, { exec: trx })).id;
      await new Promise((r) => setTimeout(r, 20));
      ranInside = (await Promise.race([ran.promise.then(() => true), Promise.resolve(false)])) as boolean;
    });
    expect(ranInside).toBe(false);
    const task = await ran.promise;
    expect(task).toMatchObject({ id, attempts: 1, leaseOwner: 'w1' });
    await w.stop();
    expect(await row(id)).toMatchObject({ state: 'done', attempts: 1 });
    expect(claims).toBe(before);
  });

  it('a rolled-back transaction leaves no task and gives the reserved slot back', async () => {
    const ran: unknown[] = [];
    const w = makeWorker({ k: async (task) => void ran.push(task.payload) }, { concurrency: 1 });
    w.start();
    await settle();
    await expect(
      tdb.database.transaction(async (trx) => {
        await queue.enqueue('k', { n: 'rolled back' }, { exec: trx });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const done = deferred();
    const { id } = await tdb.database.transaction(async (trx) => {
      const r = await queue.enqueue('k', { n: 'kept' }, { exec: trx });
      return r;
    });
    // The one slot was given back, so the second task was handed over too (created leased).
    expect((await row(id))?.lease_owner).toBe('w1');
    while (!ran.length) await new Promise((r) => setTimeout(r, 5));
    done.resolve();
    expect(ran).toEqual([{ n: 'kept' }]);
    expect(
      Number((await sql<{ n: number }>`select count(*) as n from queue_tasks`.execute(tdb.database.db)).rows[0]?.n),
    ).toBe(1);
  });

  it('completeIn commits the completion with the handler’s own write; a lost lease rolls both back', async () => {
    await sql`create table work (task text primary key)`.execute(tdb.database.db);
    const outcomes: string[] = [];
    const finished = deferred();
    const w = makeWorker({
      k: async (task, ctx) => {
        try {
          await tdb.database.transaction(async (trx) => {
            await trx.insertInto('work').values({ task: task.id }).execute();
            if ((task.payload as { steal?: boolean }).steal)
              await trx
                .updateTable('queue_tasks')
                .set({ lease_owner: 'someone-else' })
                .where('id', '=', task.id)
                .execute();
            if (!(await ctx.completeIn(trx))) throw new Error('lease lost');
          });
          outcomes.push('completed');
        } catch (err) {
          outcomes.push((err as Error).message);
          throw err;
        } finally {
          if (outcomes.length === 2) finished.resolve();
        }
      },
    });
    let complete = 0;
    const completeFn = queue.complete.bind(queue);
    queue.complete = (t) => {
      complete++;
      return completeFn(t);
    };
    w.start();
    await settle();
    const a = await queue.enqueue('k', {});
    const b = await queue.enqueue('k', { steal: true });
    await finished.promise;
    await w.stop();
    expect(outcomes.sort()).toEqual(['completed', 'lease lost']);
    expect(await row(a.id)).toMatchObject({ state: 'done' });
    expect(complete).toBe(0);
    const work = await tdb.database.db.selectFrom('work').select('task').execute();
    expect(work).toEqual([{ task: a.id }]);
    // b's transaction rolled back whole (the simulated takeover with it), so the worker still held the
    // lease when it recorded the failure: b is due again for a retry, with its error kept.
    expect(
      await tdb.database.db
        .selectFrom('queue_tasks')
        .select(['state', 'lease_owner', 'last_error'])
        .where('id', '=', b.id)
        .executeTakeFirst(),
    ).toMatchObject({
      state: 'pending',
      lease_owner: null,
      last_error: expect.stringContaining('lease lost'),
    });
    expect(await metrics.render()).toContain('mainstay_queue_tasks_total{kind="k",outcome="done"} 1');
  });

  it('a full worker is not handed more: the task stays unleased and is claimed when a slot frees', async () => {
    const release = deferred();
    const seen: string[] = [];
    const w = makeWorker(
      {
        k: async (task) => {
          seen.push(task.id);
          if ((task.payload as { block?: boolean }).block) await release.promise;
        },
      },
      { concurrency: 1 },
    );
    w.start();
    await settle();
    const first = await queue.enqueue('k', { block: true });
    while (!seen.length) await new Promise((r) => setTimeout(r, 5));
    const second = await queue.enqueue('k', {});
    expect(await row(second.id)).toMatchObject({ lease_owner: null, attempts: 0 });
    release.resolve();
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([first.id, second.id]);
  });

  it('handed over past a per-kind limit: waits in the worker, runs when its kind has room; stop() gives unstarted leases back', async () => {
    const release = deferred();
    const started: string[] = [];
    const w = makeWorker(
      {
        k: async (task) => {
          started.push((task.payload as { n: string }).n);
          await release.promise;
        },
      },
      { concurrency: 4, kinds: ['k'], perKindLimit: 1 },
    );
    w.start();
    await settle();
    const [a, b] = await tdb.database.transaction(async (trx) => [
      await queue.enqueue('k', { n: 'a' }, { exec: trx }),
      await queue.enqueue('k', { n: 'b' }, { exec: trx }),
    ]);
    while (!started.length) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual(['a']);
    expect(await row(b?.id as string)).toMatchObject({ lease_owner: 'w1', attempts: 1 });
    const stopped = w.stop();
    release.resolve();
    await stopped;
    expect(started).toEqual(['a']);
    expect(await row(a?.id as string)).toMatchObject({ state: 'done' });
    // Given back: not an attempt, due again, free for the next worker at once.
    expect(await row(b?.id as string)).toMatchObject({ state: 'pending', lease_owner: null, attempts: 0 });
  });

  it('with a backlog a worker claims ahead into its local queue: far fewer claims than tasks, all run once, stop() gives the rest back', async () => {
    const ran: number[] = [];
    const w = makeWorker(
      {
        k: async (task) => {
          ran.push((task.payload as { i: number }).i);
          for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
        },
      },
      { concurrency: 2 },
    );
    for (let i = 0; i < 40; i++) await queue.enqueue('k', { i });
    expect(await w.runOnce()).toBe(40);
    expect(ran.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // One claim per task before; now a claim refills up to two slots' worth ahead when half used.
    expect(claims).toBeLessThanOrEqual(22);
    expect(await queue.depth()).toEqual({ ready: 0, scheduled: 0, running: 0, dead: 0 });

    // Stopped while tasks claimed ahead are waiting: they are given back, not left to their lease.
    const release = deferred();
    const w2 = makeWorker({ b: async () => release.promise }, { concurrency: 2 });
    for (let i = 0; i < 10; i++) await queue.enqueue('b', { i });
    const first = w2.runOnce();
    while ((await queue.depth()).running < 2) await new Promise((r) => setTimeout(r, 5));
    // A second look while both slots are busy claims ahead.
    await (w2 as unknown as { claimAndStart(): Promise<number> }).claimAndStart();
    const stopped = w2.stop();
    release.resolve();
    await stopped;
    await first;
    const rows = await tdb.database.db
      .selectFrom('queue_tasks')
      .select(['state', 'lease_owner', 'attempts'])
      .where('kind', '=', 'b')
      .execute();
    expect(rows.filter((r) => r.state === 'done').length).toBeGreaterThanOrEqual(2);
    for (const r of rows.filter((x) => x.state !== 'done')) expect(r).toMatchObject({ lease_owner: null, attempts: 0 });
  });

  it('a process that dies before running a handed-over task loses nothing: its lease expires and another worker runs it', async () => {
    // This queue object's process "dies" right after the commit: its adopter takes the task and never runs it.
    queue.addAdopter({ reserve: () => true, adopt: () => {}, unreserve: () => {} });
    const { id } = await queue.enqueue('k', { n: 1 });
    expect(await row(id)).toMatchObject({ lease_owner: 'w1', attempts: 1 });
    const other = new WorkQueue({ database: tdb.database, clock, owner: 'w2', leaseMs: 30 * SECOND });
    const ran: Task[] = [];
    const w2 = new Worker({
      queue: other,
      handlers: { k: async (t) => void ran.push(t) },
      clock,
      logger,
      retention: false,
    });
    expect(await w2.runOnce()).toBe(0);
    clock.advance(30 * SECOND);
    expect(await w2.runOnce()).toBe(1);
    expect(ran[0]).toMatchObject({ id, attempts: 2, leaseOwner: 'w2' });
    expect(await row(id)).toMatchObject({ state: 'done' });
  });
});
