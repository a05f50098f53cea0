import type { OnCall, ShiftView, Timeline } from '../../oncall/oncall.model.js';
import { type Column, formatTable } from '../output.js';
import { fields } from './alert-output.js';
import { formatDuration, relative, utcTime, zonedTime } from './time-output.js';

/** What the on-call API answers (see oncall.routes.ts); the CLI reads only these fields. */
export type { OnCall, ShiftView, Timeline };
export type UserShift = ShiftView & { schedule: string };

/** `Alice Example <alice@example.com>`, or the email alone when the user has no name. */
export function person(s: Pick<ShiftView, 'user' | 'name'> | null | undefined): string {
  if (!s) return 'nobody';
  return s.name ? `${s.name} <${s.user}>` : s.user;
}

const length = (s: Pick<ShiftView, 'start' | 'end'>) => formatDuration(Date.parse(s.end) - Date.parse(s.start));

/** Where a shift comes from: `layer l1`, `override (covering Bob)`, `swap`. */
export function sourceText(s: ShiftView, timeline?: Pick<Timeline, 'layers' | 'overrides' | 'swaps'>): string {
  if (s.source === 'layer') {
    const name = s.layer === undefined ? undefined : timeline?.layers[s.layer]?.name;
    return name ? `layer ${name}` : `layer ${s.layer ?? '?'}`;
  }
  const reason =
    s.source === 'override'
      ? timeline?.overrides.find((o) => o.id === s.ref)?.reason
      : timeline?.swaps.find((w) => w.id === s.ref)?.reason;
  return reason ? `${s.source} (${reason})` : s.source;
}

/** `oncall now` across schedules: who, until when (in the schedule's zone), who is next. */
export function onCallColumns(now: number): Column<OnCall>[] {
  return [
    { header: 'schedule', value: (o) => o.schedule },
    { header: 'zone', value: (o) => o.timeZone },
    { header: 'on call', value: (o) => person(o.onCall) },
    {
      header: 'until',
      value: (o) => (o.onCall ? `${zonedTime(o.onCall.end, o.timeZone)} (${relative(o.onCall.end, now)})` : undefined),
    },
    {
      header: 'next',
      value: (o) => {
        if (!o.next) return undefined;
        // Next takes over when the current shift ends; say when only if there is a gap first.
        const handover = o.onCall && o.onCall.end === o.next.start;
        return handover ? person(o.next) : `${person(o.next)} from ${zonedTime(o.next.start, o.timeZone)}`;
      },
    },
  ];
}

/** A time in the schedule's zone with UTC beside it: `2026-03-08 09:00-04:00 (13:00Z)`. */
function both(iso: string, zone: string): string {
  const utc = utcTime(iso);
  const local = zonedTime(iso, zone);
  // The UTC date is left out when it is the same as the local one.
  return `${local} (${utc.slice(0, 10) === local.slice(0, 10) ? utc.slice(11) : utc})`;
}

/** One schedule at one instant: who is on call, their whole shift in the zone and UTC, who is next. */
export function onCallLines(o: OnCall): string[] {
  const cur = o.onCall;
  const lines = fields([
    ['schedule', `${o.schedule} (${o.timeZone})`],
    ['at', both(o.at, o.timeZone)],
    ['on call', person(cur)],
    ['shift', cur ? `${both(cur.start, o.timeZone)} → ${both(cur.end, o.timeZone)}` : undefined],
    ['length', cur ? length(cur) : undefined],
    ['source', cur ? sourceText(cur) : undefined],
    [
      'next',
      o.next
        ? `${person(o.next)} from ${both(o.next.start, o.timeZone)} to ${both(o.next.end, o.timeZone)} (${length(o.next)})`
        : 'nobody within 40 days',
    ],
  ]);
  return lines;
}

interface Row {
  shift: ShiftView | undefined;
  start: string;
  end: string;
}

/** The final timeline with its gaps (nobody on call) as rows of their own, so holes show. */
export function withGaps(t: Pick<Timeline, 'from' | 'to' | 'final'>): Row[] {
  const rows: Row[] = [];
  let at = t.from;
  for (const s of t.final) {
    if (Date.parse(s.start) > Date.parse(at)) rows.push({ shift: undefined, start: at, end: s.start });
    rows.push({ shift: s, start: s.start, end: s.end });
    at = s.end;
  }
  if (Date.parse(t.to) > Date.parse(at)) rows.push({ shift: undefined, start: at, end: t.to });
  return rows;
}

export function timelineTable(t: Timeline): string {
  return formatTable(withGaps(t), [
    { header: 'start', value: (r) => zonedTime(r.start, t.timeZone) },
    { header: 'end', value: (r) => zonedTime(r.end, t.timeZone) },
    { header: 'length', value: (r) => length(r) },
    { header: 'on call', value: (r) => person(r.shift) },
    { header: 'source', value: (r) => (r.shift ? sourceText(r.shift, t) : undefined) },
  ]);
}

/** A person's shifts, shown in `zone` (theirs, or --tz). */
export function shiftsTable(shifts: readonly UserShift[], zone: string): string {
  return formatTable(shifts, [
    { header: 'schedule', value: (s) => s.schedule },
    { header: 'start', value: (s) => zonedTime(s.start, zone) },
    { header: 'end', value: (s) => zonedTime(s.end, zone) },
    { header: 'length', value: length },
    { header: 'source', value: (s) => sourceText(s) },
  ]);
}
