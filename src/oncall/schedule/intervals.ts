import type { Shift } from './schedule.model.js';

/** A half-open range of epoch ms, [start, end). */
export interface Span {
  start: number;
  end: number;
}

/** Spans sorted and merged where they overlap or touch. */
export function union(spans: Span[]): Span[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** The parts of sorted, non-overlapping shifts inside sorted, non-overlapping spans. */
export function intersect(shifts: Shift[], spans: Span[]): Shift[] {
  const out: Shift[] = [];
  let j = 0;
  for (const s of shifts) {
    while (j < spans.length && spans[j]!.end <= s.start) j++;
    for (let i = j; i < spans.length && spans[i]!.start < s.end; i++) {
      const start = Math.max(s.start, spans[i]!.start);
      const end = Math.min(s.end, spans[i]!.end);
      if (end > start) out.push({ ...s, start, end });
    }
  }
  return out;
}

/** The parts of sorted, non-overlapping shifts outside sorted, non-overlapping spans. */
export function subtract(shifts: Shift[], spans: Span[]): Shift[] {
  const out: Shift[] = [];
  let j = 0;
  for (const s of shifts) {
    while (j < spans.length && spans[j]!.end <= s.start) j++;
    let cur = s.start;
    for (let i = j; i < spans.length && spans[i]!.start < s.end; i++) {
      if (spans[i]!.start > cur) out.push({ ...s, start: cur, end: spans[i]!.start });
      cur = Math.max(cur, spans[i]!.end);
    }
    if (cur < s.end) out.push({ ...s, start: cur, end: s.end });
  }
  return out;
}

/** `top` laid over `base`: top wherever it has someone, base elsewhere. Both sorted, non-overlapping. */
export function paint(base: Shift[], top: Shift[]): Shift[] {
  if (top.length === 0) return base;
  return [...subtract(base, top), ...top].sort((a, b) => a.start - b.start);
}

/** Touching shifts of the same holder and provenance (user, source, layer, ref) joined into one. */
export function mergeAdjacent(shifts: Shift[]): Shift[] {
  const out: Shift[] = [];
  for (const s of shifts) {
    const last = out[out.length - 1];
    if (
      last &&
      last.end === s.start &&
      last.user === s.user &&
      last.source === s.source &&
      last.layer === s.layer &&
      last.ref === s.ref
    ) {
      last.end = s.end;
    } else {
      out.push({ ...s });
    }
  }
  return out;
}
