import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../../test/support/engines.js';
import { withoutNul } from '../nul-text.js';

describe('withoutNul', () => {
  it('replaces U+0000 in strings only and returns the same array when there is none', () => {
    const clean = ['a', 1, null, Buffer.from([0])];
    expect(withoutNul(clean)).toBe(clean);
    const dirty = ['a\u0000b', 2, '\u0000'];
    expect(withoutNul(dirty)).toEqual(['a\uFFFDb', 2, '\uFFFD']);
    expect(dirty[0]).toBe('a\u0000b');
  });
});

/** PostgreSQL refuses U+0000 in text; both engines store U+FFFD instead, and find it by the same text. */
describe.each(engines())('text with U+0000 on %s', (engine) => {
  let tdb: TestDatabase;
  beforeEach(async () => {
    tdb = await openTestDatabase(engine);
    await sql`create table t (k text primary key, v text not null)`.execute(tdb.database.db);
  });
  afterEach(async () => {
    await tdb.close();
  });

  it('is stored with U+FFFD, inside transactions too, and looked up by the text that was sent', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: an ad-hoc table
    const db = tdb.database.db as any;
    await db.insertInto('t').values({ k: 'a\u0000', v: 'x\u0000y' }).execute();
    await tdb.database.transaction((trx) =>
      // biome-ignore lint/suspicious/noExplicitAny: an ad-hoc table
      (trx as any).insertInto('t').values({ k: 'b', v: '\u0000' }).execute(),
    );
    expect(await db.selectFrom('t').selectAll().orderBy('k').execute()).toEqual([
      { k: 'a\uFFFD', v: 'x\uFFFDy' },
      { k: 'b', v: '\uFFFD' },
    ]);
    expect(await db.selectFrom('t').select('v').where('k', '=', 'a\u0000').execute()).toEqual([{ v: 'x\uFFFDy' }]);
  });
});
