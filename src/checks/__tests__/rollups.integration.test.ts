import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../test/support/engines.js';
import { FakeClock } from '../../platform/clock.js';
import { migrate } from '../../platform/db/migrations.js';
import type { ResultRow } from '../check.tables.js';
import { checksMigrations } from '../migrations/2026-11-21-checks.js';
import { resultsStore } from '../results.store.js';
import { MinuteAggregator } from '../rollup.js';
import { RollupJobs } from '../rollup-jobs.js';

const logger = pino({ level: 'silent' });
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

const result = (seq: number, at: number, ok: boolean, latency: number): ResultRow => ({
  check_seq: seq,
  at,
  ok: ok ? 1 : 0,
  latency_ms: latency,
  code: null,
  message: null,
  details_json: null,
});

describe.each(engines())('check rollups on %s', (engine) => {
  let tdb: TestDatabase;
  beforeEach(async () => {
    tdb = await openTestDatabase(engine);
    await migrate(tdb.database, [{ module: 'checks', migrations: checksMigrations }]);
  });
  afterEach(() => tdb.close());

  it('after a crash, minutes that were never rolled up are rebuilt from raw results and the open minute is re-seeded', async () => {
    const rows = [
      result(1, T0 + 1_000, true, 10),
      result(1, T0 + 30_000, false, 50),
      result(1, T0 + MIN + 5_000, true, 20),
    ];
    await resultsStore.insertResults(tdb.database.db, rows);
    const clock = new FakeClock(T0 + MIN + 10_000);
    const minutes = new MinuteAggregator();
    await new RollupJobs(tdb.database, clock, logger).recover(minutes);
    const closed = await resultsStore.rollups(tdb.database.db, '1m', [1], T0, T0 + MIN);
    expect(closed).toEqual([
      expect.objectContaining({ bucket: T0, count: 2, failures: 1, min_ms: 10, max_ms: 50, sum_ms: 60 }),
    ]);
    expect(minutes.current(1)).toMatchObject({ minute: T0 + MIN, b: { count: 1, failures: 0 } });
  });

  it('rolls closed hours up from minutes and closed days from hours, keeping p95 histograms', async () => {
    const minutes = new MinuteAggregator();
    for (let m = 0; m < 60; m++) minutes.add(7, T0 + m * MIN, m % 10 !== 0, 100 + m);
    const rows = minutes.drain(T0 + HOUR);
    await tdb.database.transaction((trx) => resultsStore.upsertRollups(trx, '1m', rows));
    const clock = new FakeClock(T0 + DAY + HOUR);
    const jobs = new RollupJobs(tdb.database, clock, logger);
    await jobs.maybeRollUp(clock.now());
    const hour = await resultsStore.rollups(tdb.database.db, '1h', [7], T0, T0 + HOUR);
    expect(hour).toEqual([expect.objectContaining({ bucket: T0, count: 60, failures: 6, min_ms: 100, max_ms: 159 })]);
    const day = await resultsStore.rollups(tdb.database.db, '1d', [7], T0 - 10 * HOUR, T0 + DAY);
    expect(day[0]).toMatchObject({ count: 60, failures: 6 });
    expect(Object.keys(JSON.parse(day[0]!.hist)).length).toBeGreaterThan(0);
  });

  it('prunes raw results and rollups past their retention', async () => {
    await resultsStore.insertResults(tdb.database.db, [result(1, T0, true, 1), result(1, T0 + 8 * DAY, true, 1)]);
    const clock = new FakeClock(T0 + 8 * DAY + MIN);
    await new RollupJobs(tdb.database, clock, logger, {
      rawDays: 7,
      minuteDays: 8,
      hourDays: 400,
      dayDays: 1830,
    }).maybeRollUp(clock.now());
    const left = await resultsStore.resultsSince(tdb.database.db, 0);
    expect(left.map((r) => r.at)).toEqual([T0 + 8 * DAY]);
  });
});
