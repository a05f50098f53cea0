import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/database.js';
import { RESOLUTION_MS, type Resolution, type RollupRow } from './check.tables.js';
import { resultsStore } from './results.store.js';
import { addSample, type Bucket, emptyBucket, type MinuteAggregator, rollUp, toRow } from './rollup.js';

export interface Retention {
  rawDays: number;
  minuteDays: number;
  hourDays: number;
  dayDays: number;
}

/** Defaults: raw 7 days, minute rollups 8 days, hour rollups 400 days, day rollups 5 years. */
export const DEFAULT_RETENTION: Retention = { rawDays: 7, minuteDays: 8, hourDays: 400, dayDays: 1830 };

const HOUR = RESOLUTION_MS['1h'];
const DAY = RESOLUTION_MS['1d'];
const SEQ_BATCH = 500;
/** How far back a restart or a long pause catches up on missed hour/day rollups. */
const CATCH_UP_MS = 3 * DAY;

/**
 * Minute → hour → day rollups (day buckets in UTC), retention, and crash recovery:
 * minute rollups are derived data, so after a restart the recent minutes are
 * recomputed from raw results and the open minute is re-seeded.
 */
export class RollupJobs {
  private lastHour: number | undefined;
  private lastDay: number | undefined;
  private lastPrune = 0;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly retention: Retention = DEFAULT_RETENTION,
  ) {}

  async recover(minutes: MinuteAggregator): Promise<void> {
    const now = this.clock.now();
    const currentMinute = Math.floor(now / 60_000) * 60_000;
    const latest = await resultsStore.latestRollupBucket(this.database.db, '1m');
    const from = Math.max(latest !== null ? latest + 60_000 : now - HOUR, now - this.retention.rawDays * DAY);
    const rows = await resultsStore.resultsSince(this.database.db, from);
    const buckets = new Map<string, { seq: number; minute: number; b: Bucket }>();
    for (const r of rows) {
      const minute = Math.floor(r.at / 60_000) * 60_000;
      const key = `${r.check_seq}:${minute}`;
      let e = buckets.get(key);
      if (!e) {
        e = { seq: r.check_seq, minute, b: emptyBucket() };
        buckets.set(key, e);
      }
      addSample(e.b, r.ok === 1, r.latency_ms);
    }
    const closed: RollupRow[] = [];
    for (const e of buckets.values()) {
      if (e.minute < currentMinute) closed.push(toRow(e.seq, e.minute, e.b));
      else minutes.seed(e.seq, e.minute, e.b);
    }
    if (closed.length) {
      await this.database.transaction((trx) => resultsStore.upsertRollups(trx, '1m', closed));
      this.logger.info({ minutes: closed.length }, 'recomputed minute rollups from raw results');
    }
    await this.maybeRollUp(now);
  }

  /** Rolls closed hours up from minutes and closed days from hours; prunes hourly. */
  async maybeRollUp(now: number): Promise<void> {
    const hourNow = Math.floor(now / HOUR) * HOUR;
    // With no coarser rollup yet, start from the earliest finer bucket (bounded by CATCH_UP_MS).
    if (this.lastHour === undefined) {
      const latest = await resultsStore.latestRollupBucket(this.database.db, '1h');
      const earliest = await resultsStore.earliestRollupBucket(this.database.db, '1m');
      this.lastHour = latest ?? (earliest !== null ? Math.floor(earliest / HOUR) * HOUR - HOUR : hourNow - HOUR);
    }
    if (hourNow - HOUR > this.lastHour) {
      for (let h = Math.max(this.lastHour + HOUR, hourNow - CATCH_UP_MS); h < hourNow; h += HOUR) {
        await this.rollInto('1m', '1h', h, h + HOUR);
      }
      this.lastHour = hourNow - HOUR;
    }
    const dayNow = Math.floor(now / DAY) * DAY;
    if (this.lastDay === undefined) {
      const latest = await resultsStore.latestRollupBucket(this.database.db, '1d');
      const earliest = await resultsStore.earliestRollupBucket(this.database.db, '1h');
      this.lastDay = latest ?? (earliest !== null ? Math.floor(earliest / DAY) * DAY - DAY : dayNow - DAY);
    }
    if (dayNow - DAY > this.lastDay) {
      for (let d = Math.max(this.lastDay + DAY, dayNow - CATCH_UP_MS); d < dayNow; d += DAY) {
        await this.rollInto('1h', '1d', d, d + DAY);
      }
      this.lastDay = dayNow - DAY;
    }
    if (now - this.lastPrune >= HOUR) {
      this.lastPrune = now;
      const n = await resultsStore.prune(this.database.db, {
        raw: now - this.retention.rawDays * DAY,
        '1m': now - this.retention.minuteDays * DAY,
        '1h': now - this.retention.hourDays * DAY,
        '1d': now - this.retention.dayDays * DAY,
      });
      if (n) this.logger.info({ rows: n }, 'pruned check results past retention');
    }
  }

  /** Rolls one bucket up, 500 checks at a time with a yield between, so 10,000 checks never stall the event loop. */
  private async rollInto(from: Resolution, to: Resolution, start: number, end: number): Promise<void> {
    const maxSeq = await resultsStore.maxSeqBetween(this.database.db, from, start, end);
    if (maxSeq === null) return;
    for (let seq = 0; seq <= maxSeq; seq += SEQ_BATCH) {
      const rows = await resultsStore.rollupsBetween(this.database.db, from, start, end, seq, seq + SEQ_BATCH);
      if (rows.length) {
        const up = rollUp(rows, RESOLUTION_MS[to]);
        await this.database.transaction((trx) => resultsStore.upsertRollups(trx, to, up));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
