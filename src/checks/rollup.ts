import type { RollupRow } from './check.tables.js';
import * as hist from './histogram.js';

/** One bucket being aggregated in memory. */
export interface Bucket {
  count: number;
  failures: number;
  min: number | null;
  max: number | null;
  sum: number;
  hist: hist.Histogram;
}

export function emptyBucket(): Bucket {
  return { count: 0, failures: 0, min: null, max: null, sum: 0, hist: {} };
}

export function addSample(b: Bucket, ok: boolean, latencyMs: number): void {
  b.count++;
  if (!ok) b.failures++;
  const ms = Math.max(0, Math.round(latencyMs));
  b.min = b.min === null ? ms : Math.min(b.min, ms);
  b.max = b.max === null ? ms : Math.max(b.max, ms);
  b.sum += ms;
  hist.add(b.hist, ms);
}

export function mergeRow(b: Bucket, r: RollupRow): void {
  b.count += r.count;
  b.failures += r.failures;
  if (r.min_ms !== null) b.min = b.min === null ? r.min_ms : Math.min(b.min, r.min_ms);
  if (r.max_ms !== null) b.max = b.max === null ? r.max_ms : Math.max(b.max, r.max_ms);
  b.sum += r.sum_ms;
  hist.merge(b.hist, hist.parse(r.hist));
}

export function toRow(seq: number, bucket: number, b: Bucket): RollupRow {
  return {
    check_seq: seq,
    bucket,
    count: b.count,
    failures: b.failures,
    min_ms: b.min,
    max_ms: b.max,
    sum_ms: b.sum,
    hist: JSON.stringify(b.hist),
  };
}

/** Rolls rows of a finer resolution up into buckets of `stepMs`, per check. */
export function rollUp(rows: RollupRow[], stepMs: number): RollupRow[] {
  const out = new Map<string, { seq: number; bucket: number; b: Bucket }>();
  for (const r of rows) {
    const bucket = Math.floor(r.bucket / stepMs) * stepMs;
    const key = `${r.check_seq}:${bucket}`;
    let e = out.get(key);
    if (!e) {
      e = { seq: r.check_seq, bucket, b: emptyBucket() };
      out.set(key, e);
    }
    mergeRow(e.b, r);
  }
  return [...out.values()].map((e) => toRow(e.seq, e.bucket, e.b));
}

/**
 * The current minute of every check, in memory. A minute is written once, when it
 * closes; after a crash the service rebuilds recent minutes from raw results.
 */
export class MinuteAggregator {
  private readonly open = new Map<number, { minute: number; b: Bucket }>();
  private closed: RollupRow[] = [];

  add(seq: number, at: number, ok: boolean, latencyMs: number): void {
    const minute = Math.floor(at / 60_000) * 60_000;
    let e = this.open.get(seq);
    // A check's results arrive in order; one stamped before its open minute (a clock
    // step backwards) is counted in the open minute rather than rewriting a closed one.
    if (e && minute > e.minute) {
      this.closed.push(toRow(seq, e.minute, e.b));
      e = undefined;
    }
    if (!e) {
      e = { minute, b: emptyBucket() };
      this.open.set(seq, e);
    }
    addSample(e.b, ok, latencyMs);
  }

  /** Closes every minute that ended before `now` and returns all closed rows. */
  drain(now: number): RollupRow[] {
    const current = Math.floor(now / 60_000) * 60_000;
    for (const [seq, e] of this.open) {
      if (e.minute < current) {
        this.closed.push(toRow(seq, e.minute, e.b));
        this.open.delete(seq);
      }
    }
    const out = this.closed;
    this.closed = [];
    return out;
  }

  /** Puts closed rows back after a failed write. */
  requeue(rows: RollupRow[]): void {
    this.closed = rows.concat(this.closed);
  }

  /** The open minute of a check (for uptime and charts up to now). */
  current(seq: number): { minute: number; b: Bucket } | undefined {
    return this.open.get(seq);
  }

  /** Drops a deleted check's open minute and its closed minutes not written yet. */
  forget(seq: number): void {
    this.open.delete(seq);
    if (this.closed.some((r) => r.check_seq === seq)) this.closed = this.closed.filter((r) => r.check_seq !== seq);
  }

  /** Seeds the open minute from raw results after a restart. */
  seed(seq: number, minute: number, b: Bucket): void {
    this.open.set(seq, { minute, b });
  }
}
