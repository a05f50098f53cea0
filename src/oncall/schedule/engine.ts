import { intersect, mergeAdjacent, paint, type Span, union } from './intervals.js';
import type { Layer, Override, ScheduleSpec, Shift, Swap, Weekday } from './schedule.model.js';
import { DAY, HOUR, MINUTE, minutesOf, naiveOf, WallClock } from './wall-clock.js';

/**
 * The on-call schedule engine: who is on call when, from a schedule spec plus overrides and swaps.
 * Pure: every time comes in as an argument (epoch ms), nothing reads the clock.
 *
 * Rotations and restrictions are wall-clock rules in the schedule's zone (Grafana OnCall shifted
 * rotations by an hour at DST; this must not): handoff k is the local date-time `start`+`handoff` plus
 * k×every units added on the wall clock, then placed in the zone. A 09:00 Europe/Berlin daily handoff
 * is at 09:00 local on both sides of a DST change, and the shift across the change lasts 23 or 25 h.
 * A local time skipped by a spring-forward moves forward by the gap (02:30 on a day that jumps
 * 02:00→03:00 is 03:30); one that occurs twice at a fall-back is the earlier instant. See WallClock.
 */

/** The widest range one call computes; a year of any rotation fits with room to spare. */
export const MAX_RANGE_DAYS = 400;
const MAX_RANGE = MAX_RANGE_DAYS * DAY;

const UNIT_MS = { hours: HOUR, days: DAY, weeks: 7 * DAY } as const;
/** Weekday of naive day number d (days since 1970-01-01, a Thursday). */
const WEEKDAY_OF: readonly Weekday[] = ['thu', 'fri', 'sat', 'sun', 'mon', 'tue', 'wed'];

export interface ScheduleExtras {
  overrides?: Override[];
  swaps?: Swap[];
}

function checkRange(from: number, to: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError('a schedule range needs finite epoch ms');
  if (to < from) throw new RangeError('a schedule range must not end before it starts');
  if (to - from > MAX_RANGE) {
    const days = Math.ceil((to - from) / DAY);
    throw new RangeError(`a schedule range spans at most ${MAX_RANGE_DAYS} days; this one spans ${days}`);
  }
}

/** The rotation's turns overlapping [from, to), clipped to it, ignoring restrictions. */
function rotationShifts(layer: Layer, index: number, clock: WallClock, from: number, to: number): Shift[] {
  const { rotation } = layer;
  const first = naiveOf(rotation.start, rotation.handoff);
  // Wall-clock arithmetic: the naive time of handoff k is plain addition (see WallClock).
  const step = rotation.every * UNIT_MS[rotation.unit];
  const handoff = (k: number) => clock.toInstant(first + k * step);
  const people = rotation.participants;

  let k = Math.max(0, Math.floor((clock.toNaive(from) - first) / step) - 1);
  while (k > 0 && handoff(k) > from) k--;
  const out: Shift[] = [];
  // Before handoff 0 nobody is on call.
  let start = handoff(k);
  while (start < to) {
    const end = handoff(k + 1);
    if (end > start && end > from) {
      out.push({
        user: people[k % people.length]!,
        start: Math.max(start, from),
        end: Math.min(end, to),
        source: 'layer',
        layer: index,
      });
    }
    // A turn whose handoff a gap pushed past the next one's is empty; the next starts where it would have.
    start = Math.max(start, end);
    k++;
  }
  return out;
}

/** The union of a layer's restriction windows inside [from, to), each placed per local day. */
function restrictionSpans(layer: Layer, clock: WallClock, from: number, to: number): Span[] {
  // Windows last at most a wall-clock day, so ones starting two local days before `from` have ended.
  const firstDay = Math.floor(clock.toNaive(from) / DAY) - 2;
  const lastDay = Math.floor(clock.toNaive(to) / DAY) + 1;
  const spans: Span[] = [];
  for (const r of layer.restrictions) {
    const days = new Set(r.days);
    const startMin = minutesOf(r.start);
    const endMin = minutesOf(r.end);
    const length = (endMin > startMin ? endMin - startMin : endMin - startMin + 24 * 60) * MINUTE;
    for (let d = firstDay; d <= lastDay; d++) {
      if (!days.has(WEEKDAY_OF[((d % 7) + 7) % 7]!)) continue;
      const naiveStart = d * DAY + startMin * MINUTE;
      // Both ends placed on the wall clock, so a window across a DST change is shorter or longer in real time.
      const start = Math.max(clock.toInstant(naiveStart), from);
      const end = Math.min(clock.toInstant(naiveStart + length), to);
      if (end > start) spans.push({ start, end });
    }
  }
  return union(spans);
}

function layerShiftsIn(spec: ScheduleSpec, index: number, clock: WallClock, from: number, to: number): Shift[] {
  const layer = spec.layers[index];
  if (!layer) throw new RangeError(`the schedule has no layer ${index}`);
  const turns = rotationShifts(layer, index, clock, from, to);
  if (layer.restrictions.length === 0) return turns;
  return intersect(turns, restrictionSpans(layer, clock, from, to));
}

/**
 * One layer's shifts in [from, to): one entry per rotation turn and restriction window (not merged),
 * sorted and clipped to the range.
 */
export function layerShifts(spec: ScheduleSpec, layer: number, from: number, to: number): Shift[] {
  checkRange(from, to);
  if (from === to) return [];
  return layerShiftsIn(spec, layer, new WallClock(spec.timeZone, from, to), from, to);
}

/**
 * Replaces each swap's `from` by its `to` inside its range. Swaps do not chain: each slot is matched
 * against the holder before any swap (so A→B plus B→A over the same range trades the two), and where
 * several swaps of the same person cover a slot the last one in the list wins.
 */
function applySwaps(timeline: Shift[], swaps: Swap[], from: number, to: number): Shift[] {
  const byUser = new Map<string, Swap[]>();
  for (const s of swaps) {
    // `!(a > b)` also drops NaN times.
    if (s.from === s.to || !(s.end > s.start) || s.end <= from || s.start >= to) continue;
    byUser.set(s.from, [...(byUser.get(s.from) ?? []), s]);
  }
  if (byUser.size === 0) return timeline;
  const out: Shift[] = [];
  for (const seg of timeline) {
    const hits = (byUser.get(seg.user) ?? []).filter((s) => s.start < seg.end && s.end > seg.start);
    if (hits.length === 0) {
      out.push(seg);
      continue;
    }
    const cuts = new Set([seg.start, seg.end]);
    for (const s of hits) {
      if (s.start > seg.start) cuts.add(s.start);
      if (s.end < seg.end) cuts.add(s.end);
    }
    const points = [...cuts].sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; i++) {
      const start = points[i]!;
      const end = points[i + 1]!;
      const swap = hits.findLast((s) => s.start <= start && s.end >= end);
      out.push(swap ? { user: swap.to, start, end, source: 'swap', ref: swap.id } : { ...seg, start, end });
    }
  }
  return out;
}

/** Overrides as one timeline; where overrides overlap, the later one in the list wins. */
function overrideTimeline(overrides: Override[], from: number, to: number): Shift[] {
  let out: Shift[] = [];
  for (const o of overrides) {
    const start = Math.max(o.start, from);
    const end = Math.min(o.end, to);
    if (!(end > start)) continue;
    out = paint(out, [{ user: o.user, start, end, source: 'override', ref: o.id }]);
  }
  return out;
}

function timeline(spec: ScheduleSpec, extras: ScheduleExtras, from: number, to: number): Shift[] {
  if (from === to) return [];
  const clock = new WallClock(spec.timeZone, from, to);
  let stacked: Shift[] = [];
  // Later layers are higher: each is painted over the ones below, which show through its gaps.
  for (let i = 0; i < spec.layers.length; i++) stacked = paint(stacked, layerShiftsIn(spec, i, clock, from, to));
  const swapped = applySwaps(stacked, extras.swaps ?? [], from, to);
  return mergeAdjacent(paint(swapped, overrideTimeline(extras.overrides ?? [], from, to)));
}

/**
 * Who is on call over [from, to): layers stacked (the highest with someone wins), then swaps, then
 * overrides over everything. Sorted, non-overlapping, clipped to the range; touching segments of the
 * same user and source (and same layer or override/swap id) are merged; gaps mean nobody.
 */
export function finalTimeline(spec: ScheduleSpec, extras: ScheduleExtras, from: number, to: number): Shift[] {
  checkRange(from, to);
  return timeline(spec, extras, from, to);
}

/**
 * The final-timeline segment holding `at` (start inclusive, end exclusive) with its full extent, or
 * undefined when nobody is on call. The extent is looked for up to MAX_RANGE_DAYS either side of
 * `at`; a segment longer than that is cut there.
 */
export function onCallAt(spec: ScheduleSpec, extras: ScheduleExtras, at: number): Shift | undefined {
  if (!Number.isFinite(at)) throw new RangeError('onCallAt needs finite epoch ms');
  let back = DAY;
  let ahead = DAY;
  for (;;) {
    const from = at - back;
    const to = at + ahead;
    const seg = timeline(spec, extras, from, to).find((s) => s.start <= at && at < s.end);
    if (!seg) return undefined;
    // A segment touching the window's edge may go on beyond it: widen that side and look again.
    const growBack = seg.start === from && back < MAX_RANGE;
    const growAhead = seg.end === to && ahead < MAX_RANGE;
    if (!growBack && !growAhead) return seg;
    if (growBack) back = Math.min(back * 4, MAX_RANGE);
    if (growAhead) ahead = Math.min(ahead * 4, MAX_RANGE);
  }
}
