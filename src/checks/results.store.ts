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

  /**
   * Counts only (no histograms to parse) of the buckets in [from, to), per check and bucket; with
   * `perCheck` one row per check summed over the range (bucket = from).
   */
  async counts(
    exec: Executor,
    res: Resolution,
    seqs: number[],
    from: number,
    to: number,
    perCheck = false,
  ): Promise<Array<{ check_seq: number; bucket: number; count: number; failures: number }>> {
    if (seqs.length === 0) return [];
    const q = db(exec)
      .selectFrom(table(res))
      .where('check_seq', 'in', seqs)
      .where('bucket', '>=', from)
      .where('bucket', '<', to);
    const rows = perCheck
      ? await q
          .select((eb) => [
            'check_seq',
            eb.fn.sum<number | string>('count').as('count'),
            eb.fn.sum<number | string>('failures').as('failures'),
          ])
          .groupBy('check_seq')
          .execute()
      : await q.select(['check_seq', 'bucket', 'count', 'failures']).execute();
    return rows.map((r) => ({
      check_seq: Number(r.check_seq),
      bucket: 'bucket' in r ? Number(r.bucket) : from,
      count: Number(r.count),
      failures: Number(r.failures),
    }));
  },

  /** Buckets in [from, to) of checks with seq in [seqFrom, seqTo) — to build the next coarser resolution. */
  async rollupsBetween(
    exec: Executor,
    res: Resolution,
    from: number,
    to: number,
    seqFrom: number,
    seqTo: number,
  ): Promise<RollupRow[]> {
    return db(exec)
      .selectFrom(table(res))
      .selectAll()
      .where('bucket', '>=', from)
      .where('bucket', '<', to)
      .where('check_seq', '>=', seqFrom)
      .where('check_seq', '<', seqTo)
      .execute();
  },

  async maxSeqBetween(exec: Executor, res: Resolution, from: number, to: number): Promise<number | null> {
    const r = await db(exec)
      .selectFrom(table(res))
      .select((eb) => eb.fn.max('check_seq').as('m'))
      .where('bucket', '>=', from)
      .where('bucket', '<', to)
      .executeTakeFirst();
    return r?.m === null || r?.m === undefined ? null : Number(r.m);
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

  /**
   * Deletes raw results, rollups and pings past their retention in time slices
   * (one statement per slice, yielding between them), so a large prune never holds
   * the event loop or a lock for long.
   */
  async prune(
    exec: Executor,
    cutoffs: { raw: number } & Record<Resolution, number>,
    sliceMs = 5 * 60_000,
  ): Promise<number> {
    const sliced = async (
      tableName: 'check_results' | 'check_rollup_1m' | 'check_rollup_1h' | 'check_rollup_1d' | 'check_pings',
      column: 'at' | 'bucket',
      cutoff: number,
      step: number,
    ) => {
      const t = db(exec) as unknown as Kysely<Record<string, Record<string, number>>>;
      const first = await t
        .selectFrom(tableName)
        .select((eb) => eb.fn.min(column).as('m'))
        .executeTakeFirst();
      if (first?.m === null || first?.m === undefined) return 0;
      let n = 0;
      for (let from = Number(first.m); from < cutoff; from += step) {
        const r = await t
          .deleteFrom(tableName)
          .where(column, '>=', from)
          .where(column, '<', Math.min(cutoff, from + step))
          .executeTakeFirst();
        n += Number(r.numDeletedRows);
        await new Promise((resolve) => setImmediate(resolve));
      }
      return n;
    };
    let n = await sliced('check_results', 'at', cutoffs.raw, sliceMs);
    n += await sliced('check_pings', 'at', cutoffs.raw, 86_400_000);
    n += await sliced('check_rollup_1m', 'bucket', cutoffs['1m'], sliceMs * 12);
    n += await sliced('check_rollup_1h', 'bucket', cutoffs['1h'], 86_400_000);
    n += await sliced('check_rollup_1d', 'bucket', cutoffs['1d'], 30 * 86_400_000);
    return n;
  },
};
