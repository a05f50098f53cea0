import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import type { Engine } from '../db/database.js';
import type { QueueDepth } from './queue.model.js';
import type { QueueTables } from './queue.rows.js';

/** The queries of the work queue that read or clean up many rows; WorkQueue calls them. */

/**
 * The claim's condition: the first `n` due tasks (of `kinds`) not held by a live lease, oldest run_at
 * first. PostgreSQL: one scan over the kinds with FOR UPDATE SKIP LOCKED (which cannot go with UNION),
 * so concurrent claimers split the rows. SQLite (one writer): the first `n` of each kind by an index
 * seek each, then the first `n` of those.
 */
export function dueCondition(
  db: Kysely<QueueTables>,
  engine: Engine,
  now: number,
  n: number,
  kinds?: readonly string[],
): Expression<SqlBool> {
  const dueOf = (kind: string | undefined) =>
    db
      .selectFrom('queue_tasks')
      .select(['id', 'run_at'])
      .where('state', '=', 'pending')
      .$if(kind !== undefined, (q) => q.where('kind', '=', kind as string))
      .where('run_at', '<=', now)
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<=', now)]))
      .orderBy('run_at')
      .orderBy('id')
      .limit(n);
  if (engine === 'postgres') {
    let q = dueOf(undefined).forUpdate().skipLocked();
    if (kinds) q = q.where('kind', 'in', [...kinds]);
    return sql<SqlBool>`id in (${q.clearSelect().select('id')})`;
  }
  if (kinds && kinds.length > 1) {
    const parts = kinds.map((k, i) => sql`select * from (${dueOf(k)}) as ${sql.ref(`k${i}`)}`);
    return sql<SqlBool>`id in (select id from (${sql.join(parts, sql` union all `)}) as due order by run_at, id limit ${n})`;
  }
  return sql<SqlBool>`id in (${dueOf(kinds?.[0]).clearSelect().select('id')})`;
}

/** Counts by state, in one scan of the unfinished rows (done rows are not counted). */
export async function countDepth(db: Kysely<QueueTables>, now: number): Promise<QueueDepth> {
  const free = sql`(lease_owner is null or lease_expires_at <= ${now})`;
  const count = (condition: ReturnType<typeof sql>) =>
    sql<number>`coalesce(sum(case when ${condition} then 1 else 0 end), 0)`;
  const row = await db
    .selectFrom('queue_tasks')
    .select([
      count(sql`state = 'pending' and run_at <= ${now} and ${free}`).as('ready'),
      count(sql`state = 'pending' and run_at > ${now} and ${free}`).as('scheduled'),
      count(sql`state = 'pending' and not ${free}`).as('running'),
      count(sql`state = 'dead'`).as('dead'),
    ])
    .where('state', 'in', ['pending', 'dead'])
    .executeTakeFirstOrThrow();
  const n = (v: unknown) => Number(v);
  return { ready: n(row.ready), scheduled: n(row.scheduled), running: n(row.running), dead: n(row.dead) };
}

/** WorkQueue.nextDueAt: the earliest time a pending task of `kinds` can next be claimed. */
export async function nextDueTime(
  db: Kysely<QueueTables>,
  now: number,
  kinds?: readonly string[],
): Promise<number | undefined> {
  if (kinds && kinds.length === 0) return undefined;
  const pending = (kind: string | undefined) =>
    db
      .selectFrom('queue_tasks')
      .where('state', '=', 'pending')
      .$if(kind !== undefined, (q) => q.where('kind', '=', kind as string));
  const parts = (kinds ?? [undefined]).flatMap((k) => [
    pending(k).select('run_at as t').where('lease_owner', 'is', null).orderBy('run_at').limit(1),
    pending(k)
      .select((eb) => eb.fn.min('lease_expires_at').as('t'))
      .where('run_at', '<=', now)
      .where('lease_owner', 'is not', null),
  ]);
  const from = parts.map((q, i) => sql`select * from (${q}) as ${sql.ref(`n${i}`)}`);
  const row = (
    await sql<{
      next: number | string | null;
    }>`select min(t) as next from (${sql.join(from, sql` union all `)}) as due`.execute(db)
  ).rows[0];
  return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
}

/** WorkQueue.cleanup: deletes finished tasks past their retention, in bounded batches. */
export async function deleteFinished(
  db: Kysely<QueueTables>,
  now: number,
  olderThanMs: number,
  opts: { deadOlderThanMs?: number; batchSize?: number },
): Promise<number> {
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 1_000));
  let removed = 0;
  for (const [state, age] of [
    ['done', olderThanMs],
    ['dead', opts.deadOlderThanMs ?? olderThanMs],
  ] as const) {
    for (;;) {
      const batch = db
        .selectFrom('queue_tasks')
        .select('id')
        .where('state', '=', state)
        .where('finished_at', '<', now - age)
        .limit(batchSize);
      const result = await db.deleteFrom('queue_tasks').where('id', 'in', batch).executeTakeFirst();
      const n = Number(result.numDeletedRows);
      removed += n;
      if (n < batchSize) break;
    }
  }
  return removed;
}
