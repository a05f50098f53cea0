import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../../test/support/engines.js';
import { BatchedTransactions } from '../batched-transactions.js';
import type { Database, Tx } from '../database.js';

// biome-ignore lint/suspicious/noExplicitAny: an ad-hoc table
type Any = any;

describe.each(engines())('BatchedTransactions on %s', (engine) => {
  let tdb: TestDatabase;
  let transactions: number;
  let counted: Database;
  beforeEach(async () => {
    tdb = await openTestDatabase(engine);
    await sql`create table t (k text primary key)`.execute(tdb.database.db);
    transactions = 0;
    // The same database, counting the transactions the batcher opens.
    counted = {
      ...tdb.database,
      relaxedTransaction: (fn) => {
        transactions++;
        return tdb.database.relaxedTransaction(fn);
      },
    };
  });
  afterEach(async () => {
    await tdb.close();
  });

  const insert = (k: string) => async (trx: Tx) => {
    await (trx as Any).insertInto('t').values({ k }).execute();
    return k;
  };
  const keys = async () =>
    ((await (tdb.database.db as Any).selectFrom('t').select('k').orderBy('k').execute()) as Array<{ k: string }>).map(
      (r) => r.k,
    );

  it('commits calls made together in one transaction and answers each with its own result', async () => {
    const b = new BatchedTransactions(counted);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((k) => b.run(insert(k))));
    expect(results).toEqual(['a', 'b', 'c', 'd']);
    expect(transactions).toBe(1);
    expect(await keys()).toEqual(['a', 'b', 'c', 'd']);
    // Later calls open a new batch; at most maxBatch calls share one.
    const small = new BatchedTransactions(counted, 2);
    await Promise.all(['e', 'f', 'g'].map((k) => small.run(insert(k))));
    expect(transactions).toBe(3);
    expect(await keys()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('runs a batch in key order (two instances locking the same rows take them in one order)', async () => {
    const b = new BatchedTransactions(counted);
    const order: string[] = [];
    const call = (k: string) => async (trx: Tx) => {
      order.push(k);
      return insert(k)(trx);
    };
    const results = await Promise.all([b.run(call('n3'), 'n3'), b.run(call('n1'), 'n1'), b.run(call('n2'), 'n2')]);
    expect(results).toEqual(['n3', 'n1', 'n2']); // each caller still gets its own answer
    expect(order).toEqual(['n1', 'n2', 'n3']);
    expect(transactions).toBe(1);
  });

  it('a failing call fails alone: the others are retried each in its own transaction and commit', async () => {
    const b = new BatchedTransactions(counted);
    await b.run(insert('taken'));
    transactions = 0;
    const committed: string[] = [];
    const withHook = (k: string) => async (trx: Tx) => {
      await (trx as Any).insertInto('t').values({ k }).execute();
      tdb.database.afterCommit(trx, () => committed.push(k));
    };
    const outcomes = await Promise.allSettled([b.run(withHook('x')), b.run(withHook('taken')), b.run(withHook('y'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(transactions).toBe(4); // the shared one (rolled back), then one each
    expect(committed).toEqual(['x', 'y']); // the rolled-back run's callbacks never fired
    expect(await keys()).toEqual(['taken', 'x', 'y']);
  });
});
