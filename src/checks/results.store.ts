import type { Kysely } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { Page } from '../platform/http/pagination.js';
import type { ChecksTables, Resolution, ResultRow, RollupRow } from './check.tables.js';

const db = (exec: Executor) => exec as Kysely<ChecksTables>;
const table = (res: Resolution) => `check_rollup_${res}` as const;

/** Raw results, rollups, events and pings: the append-heavy side of the checks module. */
export const resultsStore = {
  /** One multi-row insert per 500 results; a duplicate (same check, same ms) is dropped. */
  async insertResults(exec: Executor, rows: ResultRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      await db(exec)
        .insertInto('check_results')
        .values(rows.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['check_seq', 'at']).doNothing())
        .execute();
    }
  },

  /** Writes whole buckets (replacing any earlier write of the same bucket). */
  async upsertRollups(exec: Executor, res: Resolution, rows: RollupRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      await db(exec)
        .insertInto(table(res))
        .values(rows.slice(i, i + 500))
        .onConflict((oc) =>
          oc.columns(['check_seq', 'bucket']).doUpdateSet((eb) => ({
            count: eb.ref('excluded.count'),
            failures: eb.ref('excluded.failures'),
            min_ms: eb.ref('excluded.min_ms'),
            max_ms: eb.ref('excluded.max_ms'),
            sum_ms: eb.ref('excluded.sum_ms'),
            hist: eb.ref('excluded.hist'),
          })),
        )
        .execute();
    }
  },

  async rollups(exec: Executor, res: Resolution, seqs: number[], from: number, to: number): Promise<RollupRow[]> {
    if (seqs.length === 0) return [];
    return db(exec)
      .selectFrom(table(res))
      .selectAll()
      .where('check_seq', 'in', seqs)
      .where('bucket', '>=', from)
      .where('bucket', '<', to)
      .orderBy('check_seq')
      .orderBy('bucket')
      .execute();
  },

  /** Buckets of every check in [from, to) — to build the next coarser resolution. */
  async rollupsBetween(exec: Executor, res: Resolution, from: number, to: number): Promise<RollupRow[]> {
    return db(exec).selectFrom(table(res)).selectAll().where('bucket', '>=', from).where('bucket', '<', to).execute();
  },

  async latestRollupBucket(exec: Executor, res: Resolution): Promise<number | null> {
    const r = await db(exec)
      .selectFrom(table(res))
      .select((eb) => eb.fn.max('bucket').as('m'))
      .executeTakeFirst();
    return r?.m === null || r?.m === undefined ? null : Number(r.m);
  },

  async earliestRollupBucket(exec: Executor, res: Resolution): Promise<number | null> {
    const r = await db(exec)
      .selectFrom(table(res))
      .select((eb) => eb.fn.min('bucket').as('m'))
      .executeTakeFirst();
    return r?.m === null || r?.m === undefined ? null : Number(r.m);
  },

  async resultsSince(exec: Executor, from: number): Promise<ResultRow[]> {
    return db(exec).selectFrom('check_results').selectAll().where('at', '>=', from).execute();
  },

  async resultsPage(
    exec: Executor,
    seq: number,
    f: { ok?: boolean | undefined; from?: number | undefined; to?: number | undefined },
    page: { limit: number; offset: number },
  ): Promise<Page<ResultRow>> {
    let q = db(exec).selectFrom('check_results').where('check_seq', '=', seq);
    if (f.ok !== undefined) q = q.where('ok', '=', f.ok ? 1 : 0);
    if (f.from !== undefined) q = q.where('at', '>=', f.from);
    if (f.to !== undefined) q = q.where('at', '<', f.to);
    const count = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const items = await q.selectAll().orderBy('at', 'desc').limit(page.limit).offset(page.offset).execute();
    return { items, total: Number(count?.n ?? 0), limit: page.limit, offset: page.offset };
  },

  async rawBetween(exec: Executor, seq: number, from: number, to: number, limit: number): Promise<ResultRow[]> {
    return db(exec)
      .selectFrom('check_results')
      .selectAll()
      .where('check_seq', '=', seq)
      .where('at', '>=', from)
      .where('at', '<', to)
      .orderBy('at')
      .limit(limit)
      .execute();
  },

  /** Deletes raw results and rollups past their retention, in bounded batches. */
  async prune(exec: Executor, cutoffs: { raw: number } & Record<Resolution, number>): Promise<number> {
    let n = 0;
    const r = await db(exec).deleteFrom('check_results').where('at', '<', cutoffs.raw).executeTakeFirst();
    n += Number(r.numDeletedRows);
    for (const res of ['1m', '1h', '1d'] as const) {
      const d = await db(exec).deleteFrom(table(res)).where('bucket', '<', cutoffs[res]).executeTakeFirst();
      n += Number(d.numDeletedRows);
    }
    const e = await db(exec).deleteFrom('check_pings').where('at', '<', cutoffs.raw).executeTakeFirst();
    return n + Number(e.numDeletedRows);
  },
};
