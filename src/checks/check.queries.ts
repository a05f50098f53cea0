import type { Database } from '../platform/db/database.js';
import { RESOLUTION_MS, type Resolution } from './check.tables.js';
import * as hist from './histogram.js';
import type { ResultSink } from './result-sink.js';
import { resultsStore } from './results.store.js';
import { type Bucket, emptyBucket, mergeRow } from './rollup.js';

export interface SeriesPoint {
  t: string;
  count: number;
  failures: number;
  avgMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  p95Ms: number | null;
}

export const UPTIME_WINDOWS = {
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '1y': 365 * 86_400_000,
} as const;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS;

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;
const FINER: Record<Resolution, Resolution | null> = { '1d': '1h', '1h': '1m', '1m': null };

function point(t: number, b: Bucket): SeriesPoint {
  return {
    t: new Date(t).toISOString(),
    count: b.count,
    failures: b.failures,
    avgMs: b.count ? Math.round(b.sum / b.count) : null,
    minMs: b.min,
    maxMs: b.max,
    p95Ms: hist.quantile(b.hist, 0.95, b.max),
  };
}

/**
 * Answers uptime and charts from the rollups: whole days from day buckets, the
 * edges from hours, their edges from minutes, and the minute still open from memory.
 */
export class CheckQueries {
  constructor(
    private readonly database: Database,
    private readonly sink: ResultSink,
  ) {}

  /** Totals over [from, to) for one check, covering the range with the coarsest buckets that fit. */
  async totals(seq: number, from: number, to: number, now: number): Promise<Bucket> {
    const b = emptyBucket();
    await this.cover(seq, from, to, '1d', b);
    const open = this.sink.currentMinute(seq);
    if (open && open.minute >= from && open.minute < to && open.minute >= floorTo(now, 60_000)) {
      mergeRow(b, {
        check_seq: seq,
        bucket: open.minute,
        count: open.b.count,
        failures: open.b.failures,
        min_ms: open.b.min,
        max_ms: open.b.max,
        sum_ms: open.b.sum,
        hist: JSON.stringify(open.b.hist),
      });
    }
    return b;
  }

  private async cover(seq: number, from: number, to: number, res: Resolution, into: Bucket): Promise<void> {
    if (from >= to) return;
    const step = RESOLUTION_MS[res];
    const finer = FINER[res];
    const start = finer ? ceilTo(from, step) : floorTo(from, step);
    const end = finer ? floorTo(to, step) : to;
    if (start < end)
      for (const r of await resultsStore.rollups(this.database.db, res, [seq], start, end)) mergeRow(into, r);
    if (finer) {
      if (start >= end) return this.cover(seq, from, to, finer, into);
      await this.cover(seq, from, start, finer, into);
      await this.cover(seq, end, to, finer, into);
    }
  }

  async uptime(
    seq: number,
    now: number,
  ): Promise<Array<{ window: UptimeWindow; uptime: number | null; count: number; failures: number }>> {
    const out = [];
    for (const [window, span] of Object.entries(UPTIME_WINDOWS) as Array<[UptimeWindow, number]>) {
      const b = await this.totals(seq, now - span, now + 1, now);
      out.push({
        window,
        uptime: b.count ? Math.round(((b.count - b.failures) / b.count) * 100_000) / 1000 : null,
        count: b.count,
        failures: b.failures,
      });
    }
    return out;
  }

  /** Response-time series: raw results up to 6 h, minutes up to 3 days, hours up to 90 days, days beyond. */
  async series(
    seq: number,
    from: number,
    to: number,
    now: number,
  ): Promise<{ step: 'raw' | Resolution; points: SeriesPoint[] }> {
    const span = to - from;
    if (span <= 6 * 3_600_000) {
      const rows = await resultsStore.rawBetween(this.database.db, seq, from, to, 20_000);
      return {
        step: 'raw',
        points: rows.map((r) => ({
          t: new Date(r.at).toISOString(),
          count: 1,
          failures: r.ok ? 0 : 1,
          avgMs: r.latency_ms,
          minMs: r.latency_ms,
          maxMs: r.latency_ms,
          p95Ms: r.latency_ms,
        })),
      };
    }
    const res: Resolution = span <= 3 * 86_400_000 ? '1m' : span <= 90 * 86_400_000 ? '1h' : '1d';
    const step = RESOLUTION_MS[res];
    const rows = await resultsStore.rollups(this.database.db, res, [seq], floorTo(from, step), to);
    const buckets = new Map<number, Bucket>();
    for (const r of rows) {
      const b = buckets.get(r.bucket) ?? emptyBucket();
      mergeRow(b, r);
      buckets.set(r.bucket, b);
    }
    // The bucket still filling (this hour or day) comes from the finer data.
    const current = floorTo(now, step);
    if (current >= from && current < to && res !== '1m')
      buckets.set(current, await this.totals(seq, current, now + 1, now));
    const open = this.sink.currentMinute(seq);
    if (res === '1m' && open && open.minute >= from && open.minute < to) buckets.set(open.minute, { ...open.b });
    return { step: res, points: [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([t, b]) => point(t, b)) };
  }

  /** The last 24 hours per check in hourly cells (oldest first) and the total uptime, for list pages. */
  async hourly24(
    seqs: number[],
    now: number,
  ): Promise<Map<number, { cells: Array<{ hour: string; uptime: number | null }>; uptime: number | null }>> {
    const hourNow = floorTo(now, 3_600_000);
    const first = hourNow - 23 * 3_600_000;
    // Counts only: a list page of 50 checks reads ~1,250 small rows and parses no histogram.
    const byKey = new Map<string, { count: number; failures: number }>();
    const add = (seq: number, hour: number, count: number, failures: number) => {
      const key = `${seq}:${hour}`;
      const b = byKey.get(key);
      if (b) {
        b.count += count;
        b.failures += failures;
      } else byKey.set(key, { count, failures });
    };
    const db = this.database.db;
    for (const r of await resultsStore.counts(db, '1h', seqs, first, hourNow))
      add(r.check_seq, r.bucket, r.count, r.failures);
    for (const r of await resultsStore.counts(db, '1m', seqs, hourNow, now + 1, true))
      add(r.check_seq, hourNow, r.count, r.failures);
    const out = new Map<number, { cells: Array<{ hour: string; uptime: number | null }>; uptime: number | null }>();
    const hours: Array<[number, string]> = [];
    for (let h = first; h <= hourNow; h += 3_600_000) hours.push([h, new Date(h).toISOString()]);
    for (const seq of seqs) {
      const open = this.sink.currentMinute(seq);
      if (open && open.minute >= hourNow) add(seq, hourNow, open.b.count, open.b.failures);
      let count = 0;
      let failures = 0;
      const cells = [];
      for (const [h, hour] of hours) {
        const b = byKey.get(`${seq}:${h}`);
        count += b?.count ?? 0;
        failures += b?.failures ?? 0;
        cells.push({
          hour,
          uptime: b?.count ? Math.round(((b.count - b.failures) / b.count) * 1000) / 10 : null,
        });
      }
      out.set(seq, { cells, uptime: count ? Math.round(((count - failures) / count) * 100_000) / 1000 : null });
    }
    return out;
  }
}
