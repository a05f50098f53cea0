import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../../test/support/engines.js';

/** Relaxed commits (bookkeeping): atomic like any transaction, and the connection is durable again afterwards. */
describe.each(engines())('commit durability flavours on %s', (engine) => {
  let tdb: TestDatabase;
  let dir: string;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mainstay-durability-'));
    tdb = await openTestDatabase(engine, { sqliteFile: path.join(dir, 'db.sqlite') });
    await sql`create table t (a integer not null)`.execute(tdb.database.db);
  });
  afterEach(async () => {
    await tdb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const count = async () =>
    Number((await sql<{ n: number }>`select count(*) as n from t`.execute(tdb.database.db)).rows[0]?.n);

  it('a relaxed transaction commits atomically and rolls back on error like any other', async () => {
    await tdb.database.relaxedTransaction((trx) => trx.insertInto('t').values({ a: 1 }).execute());
    await expect(
      tdb.database.relaxedTransaction(async (trx) => {
        await trx.insertInto('t').values({ a: 2 }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await count()).toBe(1);
    // The connection is back to durable commits afterwards (SQLite: synchronous = FULL, 2).
    if (engine === 'sqlite')
      expect(
        (await sql<{ synchronous: number }>`pragma synchronous`.execute(tdb.database.db)).rows[0]?.synchronous,
      ).toBe(2);
  });
});
