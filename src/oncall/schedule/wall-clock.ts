import { IANAZone } from 'luxon';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Zone offsets are sampled this far apart; no zone has had two transitions this close in modern tzdata. */
const SAMPLE = 12 * HOUR;
/** Wall-clock and real time differ by the zone's offset (at most ±14 h) plus a DST jump. */
const MARGIN = 3 * DAY;

/**
 * Converts between instants (epoch ms) and "naive" local wall-clock times of one zone: the local
 * date-time written as if it were UTC (`Date.UTC(y, m - 1, d, h, min)`). Naive times make wall-clock
 * arithmetic plain addition: naive + 1 day is the same local time on the next calendar day, whatever
 * the DST change in between, and naive + 1 hour is the next hour on the wall clock.
 *
 * Placing a naive time in the zone follows RFC 5545 §3.3.5 and Temporal's 'compatible' choice:
 * - a local time skipped by a spring-forward moves forward by the length of the gap (it is read with
 *   the offset before the gap): 02:30 on a day that jumps 02:00→03:00 becomes 03:30. This is also
 *   what luxon does.
 * - a local time that occurs twice at a fall-back means the earlier (first) of the two instants.
 *   luxon's `DateTime.fromObject` does not guarantee this (it picks the later instant in
 *   America/New_York and Europe/Berlin but the earlier one in Australia/Sydney), which is why this
 *   class resolves local times itself and uses luxon only for the zone's offsets.
 *
 * Offsets cost a few µs each through Intl, and a year of restrictions needs tens of thousands, so the
 * zone's transitions inside [from, to] are found once (sampling, then bisecting each change to the
 * millisecond) and looked up; outside that range offsets are asked from the zone directly.
 */
export class WallClock {
  private readonly zone: IANAZone;
  private readonly lo: number;
  private readonly hi: number;
  /** Offset (ms) in force from `at` on, ascending by `at`; the first entry is in force from `lo`. */
  private readonly changes: { at: number; offset: number }[] = [];

  constructor(timeZone: string, from: number, to: number) {
    this.zone = IANAZone.create(timeZone);
    if (!this.zone.isValid) throw new RangeError(`unknown time zone ${timeZone}`);
    this.lo = from - MARGIN;
    this.hi = to + MARGIN;
    let prevAt = this.lo;
    let prev = this.direct(prevAt);
    this.changes.push({ at: prevAt, offset: prev });
    for (let t = this.lo + SAMPLE; ; t = Math.min(t + SAMPLE, this.hi)) {
      const offset = this.direct(t);
      if (offset !== prev) this.changes.push({ at: this.bisect(prevAt, t, prev), offset });
      prevAt = t;
      prev = offset;
      if (t >= this.hi) break;
    }
  }

  /** The zone's offset from UTC at an instant, in ms. */
  offset(ts: number): number {
    if (ts < this.lo || ts > this.hi) return this.direct(ts);
    const changes = this.changes;
    let lo = 0;
    let hi = changes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (changes[mid]!.at <= ts) lo = mid;
      else hi = mid - 1;
    }
    return changes[lo]!.offset;
  }

  /** The naive wall-clock time of an instant. */
  toNaive(ts: number): number {
    return ts + this.offset(ts);
  }

  /** The instant of a naive wall-clock time; gaps and overlaps resolved as the class comment says. */
  toInstant(naive: number): number {
    // A day either side is past any transition that could affect this local time, and short of the next.
    const before = this.offset(naive - DAY);
    const after = this.offset(naive + DAY);
    const early = naive - before;
    const earlyValid = this.offset(early) === before;
    if (before === after) return early;
    const late = naive - after;
    const lateValid = this.offset(late) === after;
    if (earlyValid && lateValid) return Math.min(early, late);
    if (earlyValid) return early;
    if (lateValid) return late;
    return early;
  }

  private direct(ts: number): number {
    return this.zone.offset(ts) * MINUTE;
  }

  /** The first instant in (lo, hi] whose offset is not `offset`, given offset(lo) === offset. */
  private bisect(lo: number, hi: number, offset: number): number {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.direct(mid) === offset) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}

/** Naive wall-clock ms of a local date 'YYYY-MM-DD' at a local time 'HH:MM'. */
export function naiveOf(date: string, time: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) + minutesOf(time) * MINUTE;
}

/** Minutes since midnight of 'HH:MM'. */
export function minutesOf(time: string): number {
  const [h, min] = time.split(':').map(Number) as [number, number];
  return h * 60 + min;
}
