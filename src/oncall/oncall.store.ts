import type { Kysely } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { OncallTables } from './oncall.tables.js';
import type { Override, Swap } from './schedule/index.js';

export type OverrideRow = OncallTables['oncall_overrides'];
export type SwapRow = OncallTables['oncall_swaps'];

function db(exec: Executor): Kysely<OncallTables> {
  return exec as unknown as Kysely<OncallTables>;
}

export const toOverride = (r: OverrideRow): Override => ({
  id: r.id,
  user: r.user_email,
  start: Number(r.start_at),
  end: Number(r.end_at),
});
export const toSwap = (r: SwapRow): Swap => ({
  id: r.id,
  from: r.from_user,
  to: r.to_user,
  start: Number(r.start_at),
  end: Number(r.end_at),
});

export const overrideStore = {
  async overlapping(exec: Executor, schedule: string, from: number, to: number): Promise<OverrideRow[]> {
    return db(exec)
      .selectFrom('oncall_overrides')
      .selectAll()
      .where('schedule', '=', schedule)
      .where('end_at', '>', from)
      .where('start_at', '<', to)
      .orderBy('start_at')
      .limit(5000)
      .execute();
  },
  async get(exec: Executor, id: string): Promise<OverrideRow | undefined> {
    return db(exec).selectFrom('oncall_overrides').selectAll().where('id', '=', id).executeTakeFirst();
  },
  async insert(exec: Executor, row: OverrideRow): Promise<void> {
    await db(exec).insertInto('oncall_overrides').values(row).execute();
  },
  async delete(exec: Executor, id: string): Promise<void> {
    await db(exec).deleteFrom('oncall_overrides').where('id', '=', id).execute();
  },
  async deleteSchedule(exec: Executor, schedule: string): Promise<void> {
    await db(exec).deleteFrom('oncall_overrides').where('schedule', '=', schedule).execute();
    await db(exec).deleteFrom('oncall_swaps').where('schedule', '=', schedule).execute();
    // Its feed URL dies with it: a schedule created later under the same name must not revive it.
    await db(exec).deleteFrom('oncall_feeds').where('scope', '=', `schedule:${schedule}`).execute();
  },
};

export const swapStore = {
  async overlapping(exec: Executor, schedule: string, from: number, to: number): Promise<SwapRow[]> {
    return db(exec)
      .selectFrom('oncall_swaps')
      .selectAll()
      .where('schedule', '=', schedule)
      .where('end_at', '>', from)
      .where('start_at', '<', to)
      .orderBy('start_at')
      .limit(5000)
      .execute();
  },
  async get(exec: Executor, id: string): Promise<SwapRow | undefined> {
    return db(exec).selectFrom('oncall_swaps').selectAll().where('id', '=', id).executeTakeFirst();
  },
  async insert(exec: Executor, rows: SwapRow[]): Promise<void> {
    await db(exec).insertInto('oncall_swaps').values(rows).execute();
  },
  async delete(exec: Executor, id: string): Promise<void> {
    await db(exec).deleteFrom('oncall_swaps').where('id', '=', id).execute();
  },
};

export const feedStore = {
  async byHash(exec: Executor, hash: string) {
    return db(exec).selectFrom('oncall_feeds').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  },
  async byScope(exec: Executor, scope: string) {
    return db(exec).selectFrom('oncall_feeds').selectAll().where('scope', '=', scope).executeTakeFirst();
  },
  async put(exec: Executor, row: OncallTables['oncall_feeds']): Promise<void> {
    // One upsert: two rotations of one scope at once (two tabs, two tokens of one person) on
    // PostgreSQL must not both insert after both deleted nothing.
    await db(exec)
      .insertInto('oncall_feeds')
      .values(row)
      .onConflict((oc) =>
        oc.column('scope').doUpdateSet({
          token_hash: row.token_hash,
          token_sealed: row.token_sealed,
          created_at: row.created_at,
        }),
      )
      .execute();
  },
};

export const roundRobinStore = {
  /** Returns the current index for `key` and advances it, in the caller's transaction. */
  async take(exec: Executor, key: string, size: number): Promise<number> {
    // One atomic upsert: two incidents opening at once on PostgreSQL get successive members.
    const row = await db(exec)
      .insertInto('oncall_round_robin')
      .values({ key, next: 1 })
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ next: eb('oncall_round_robin.next', '+', 1) })))
      .returning('next')
      .executeTakeFirstOrThrow();
    return (Number(row.next) - 1) % size;
  },
};
