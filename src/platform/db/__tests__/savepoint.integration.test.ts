import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../../test/support/engines.js';

// biome-ignore lint/suspicious/noExplicitAny: an ad-hoc table
type Any = any;

describe.each(engines())('Database.savepoint on %s', (engine) => {
  let tdb: TestDatabase;
  beforeEach(async () => {
    tdb = await openTestDatabase(engine);
    await sql`create table t (k text primary key)`.execute(tdb.database.db);
  });
  afterEach(async () => {
    await tdb.close();
  });

  const keys = async () =>
    ((await (tdb.database.db as Any).selectFrom('t').select('k').orderBy('k').execute()) as Array<{ k: string }>).map(
      (r) => r.k,
    );

  it('a failure inside rolls back only its own writes and after-commit callbacks; the transaction goes on', async () => {
    const events: string[] = [];
    await tdb.database.transaction(async (trx) => {
      await (trx as Any).insertInto('t').values({ k: 'before' }).execute();
      tdb.database.afterCommit(trx, () => events.push('outer committed'));
      await expect(
        tdb.database.savepoint(trx, async () => {
          await (trx as Any).insertInto('t').values({ k: 'inside' }).execute();
          tdb.database.afterCommit(
            trx,
            () => events.push('inner committed'),
            () => events.push('inner rolled back'),
          );
          // A failing statement: on PostgreSQL it aborts the transaction unless rolled back to the savepoint.
          await (trx as Any).insertInto('t').values({ k: 'before' }).execute();
        }),
      ).rejects.toThrow();
      expect(events).toEqual(['inner rolled back']);
      await (trx as Any).insertInto('t').values({ k: 'after' }).execute();
    });
    expect(events).toEqual(['inner rolled back', 'outer committed']);
    expect(await keys()).toEqual(['after', 'before']);
  });

  it('commits with the transaction when it succeeds, nests, and returns its value', async () => {
    const events: string[] = [];
    const v = await tdb.database.transaction(async (trx) =>
      tdb.database.savepoint(trx, async () => {
        await (trx as Any).insertInto('t').values({ k: 'a' }).execute();
        tdb.database.afterCommit(trx, () => events.push('a committed'));
        await tdb.database
          .savepoint(trx, async () => {
            await (trx as Any).insertInto('t').values({ k: 'b' }).execute();
            throw new Error('inner fails');
          })
          .catch(() => {});
        return 42;
      }),
    );
    expect(v).toBe(42);
    expect(events).toEqual(['a committed']);
    expect(await keys()).toEqual(['a']);
  });

  it('is undone with the transaction when the transaction rolls back', async () => {
    await expect(
      tdb.database.transaction(async (trx) => {
        await tdb.database.savepoint(trx, () => (trx as Any).insertInto('t').values({ k: 'a' }).execute());
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await keys()).toEqual([]);
  });

  it('refuses to run outside a transaction', async () => {
    await expect(tdb.database.savepoint(tdb.database.db as Any, async () => 1)).rejects.toThrow(/transaction/);
  });
});
