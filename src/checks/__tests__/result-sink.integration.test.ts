import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../test/support/engines.js';
import { FakeClock } from '../../platform/clock.js';
import { migrate } from '../../platform/db/migrations.js';
import { initialState } from '../check.state.js';
import { checkStore } from '../check.store.js';
import type { CheckRow } from '../check.tables.js';
import { checksMigrations } from '../migrations/2026-11-21-checks.js';
import { ResultSink, type SinkCheck } from '../result-sink.js';
import { RollupJobs } from '../rollup-jobs.js';

const logger = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const policy = { retries: 0, recoveryThreshold: 1, flapping: { low: 20, high: 30 } };

describe.each(engines())('check result sink on %s', (engine) => {
  let tdb: TestDatabase;
  let clock: FakeClock;
  let sink: ResultSink;
  beforeEach(async () => {
    tdb = await openTestDatabase(engine);
    await migrate(tdb.database, [{ module: 'checks', migrations: checksMigrations }]);
    clock = new FakeClock(T0);
    sink = new ResultSink(tdb.database, clock, logger, new RollupJobs(tdb.database, clock, logger));
  });
  afterEach(async () => {
    sink.stopped = true;
    await tdb.close();
  });

  const addCheck = async (name: string): Promise<SinkCheck & { row: CheckRow }> => {
    const row = await checkStore.insert(tdb.database.db, {
      id: `id-${name}`,
      name,
      kind: 'tcp',
      spec_json: JSON.stringify({ kind: 'tcp', dependsOn: [] }),
      labels_json: '{}',
      enabled: 1,
      interval_ms: 30_000,
      ping_key_hash: null,
      ping_key_sealed: null,
      created_at: T0,
      updated_at: T0,
    });
    sink.setState(row.id, initialState(true, T0));
    return { id: row.id, seq: row.seq, name, policy, row };
  };
  const run = (c: SinkCheck, at: number, ok: boolean) =>
    sink.record(c, at, { ok, latencyMs: 5, message: ok ? 'ok' : 'refused', details: {} });
  const stored = async (seq: number) =>
    (
      await tdb.database.db
        .selectFrom('check_results' as never)
        .selectAll()
        .where('check_seq' as never, '=', seq as never)
        .execute()
    ).length;
  const events = async (id: string) =>
    (
      await tdb.database.db
        .selectFrom('check_events' as never)
        .selectAll()
        .where('check_id' as never, '=', id as never)
        .execute()
    ).length;

  it('a deleted check leaves nothing buffered behind: its results, state and events are not written', async () => {
    const a = await addCheck('a');
    const b = await addCheck('b');
    run(a, T0 + 1_000, true);
    run(b, T0 + 1_000, false);
    await checkStore.delete(tdb.database.db, a.id);
    sink.forget(a.id, a.seq);
    await sink.flush();
    expect(await stored(a.seq)).toBe(0);
    expect(await stored(b.seq)).toBe(1);
    expect(await events(b.id)).toBe(1);
  });

  it('a batch that fails because a check was deleted while it was written is retried without that check', async () => {
    const a = await addCheck('a');
    const b = await addCheck('b');
    await sink.flush();
    run(a, T0 + 1_000, false);
    run(b, T0 + 1_000, false);
    // Deleted in the database before the sink hears of it (another instance, or a flush already
    // under way): the batch's state and event rows of `a` break its foreign keys.
    await checkStore.delete(tdb.database.db, a.id);
    await sink.flush();
    expect(await stored(b.seq)).toBe(0);
    await sink.flush();
    expect(await stored(b.seq)).toBe(1);
    expect(await events(b.id)).toBe(1);
    // Later results keep flowing.
    run(b, T0 + 31_000, true);
    await sink.flush();
    expect(await stored(b.seq)).toBe(2);
    expect(await stored(a.seq)).toBe(0);
  });
});
