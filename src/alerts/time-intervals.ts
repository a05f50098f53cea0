import { DateTime } from 'luxon';
import { InputError } from '../platform/errors.js';
import type { TimeIntervalEntry, TimeIntervalSpec } from './config.model.js';

/**
 * Alertmanager time intervals (docs: configuration → <time_interval>; code: timeinterval package).
 * An instant is inside when any entry holds; an entry holds when each of its non-empty fields does.
 * Fields are read on the wall clock of the spec's time zone, so `times: 09:00–17:00` means local
 * office hours on both sides of a DST change, and on a fall-back day the repeated hour is inside twice.
 */

/** An invalid time interval; `path` names the field, e.g. `intervals[0].weekdays[1]`. */
export class TimeIntervalError extends InputError {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`, { code: 'invalid_time_interval', fields: [{ path, message }] });
    this.path = path;
  }
}

/** Inclusive [begin, end], except `times`, whose end (minutes of the day) is exclusive as in Alertmanager. */
interface Range {
  begin: number;
  end: number;
}

/** null = the field was empty, so any value holds. */
interface CompiledEntry {
  times: Range[] | null;
  weekdays: Range[] | null;
  daysOfMonth: Range[] | null;
  months: Range[] | null;
  years: Range[] | null;
}

// Alertmanager numbers weekdays as Go does (Sunday = 0), so `saturday:sunday` is rejected as there.
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

function splitRange(text: string, member: (s: string) => number): Range {
  const parts = text.toLowerCase().split(':');
  const begin = member(parts[0] as string);
  return { begin, end: parts.length > 1 ? member(parts[1] as string) : begin };
}

function minuteOfDay(hhmm: string, at: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
  // Alertmanager's validTime: 00:00–23:59, and 24:00 as the only time past the end of the day.
  if (!m || Number(m[2]) > 59 || minutes > 1440)
    throw new TimeIntervalError(at, `${hhmm} is not a time like 09:30 or 24:00`);
  return minutes;
}

function compileEntry(e: TimeIntervalEntry, at: string): CompiledEntry {
  const times = e.times.map((t, i) => {
    const r = {
      begin: minuteOfDay(t.start, `${at}.times[${i}].start`),
      end: minuteOfDay(t.end, `${at}.times[${i}].end`),
    };
    if (r.begin >= r.end) throw new TimeIntervalError(`${at}.times[${i}]`, 'start must be before end');
    return r;
  });
  const weekdays = e.weekdays.map((w, i) => {
    const r = splitRange(w, (s) => WEEKDAYS.indexOf(s));
    if (r.begin < 0 || r.end < 0) throw new TimeIntervalError(`${at}.weekdays[${i}]`, `${w} is not a weekday`);
    if (r.begin > r.end) {
      throw new TimeIntervalError(`${at}.weekdays[${i}]`, `${w}: weeks run sunday to saturday, split the range`);
    }
    return r;
  });
  const daysOfMonth = e.daysOfMonth.map((d, i) => {
    const p = `${at}.daysOfMonth[${i}]`;
    const r = splitRange(d, Number);
    // Checks of DayOfMonthRange.UnmarshalYAML: ±1..31, no negative start with a positive end, and
    // not always empty (judged on a 28-day month, since negative days depend on the month).
    for (const n of [r.begin, r.end]) {
      if (!Number.isInteger(n) || n === 0 || n < -31 || n > 31)
        throw new TimeIntervalError(p, `${n} is not a day of the month`);
    }
    if (r.begin < 0 && r.end > 0) throw new TimeIntervalError(p, 'the end must be negative when the start is');
    const b = r.begin < 0 ? 28 + r.begin : r.begin;
    const en = r.end < 0 ? 28 + r.end : r.end;
    if (b > en) throw new TimeIntervalError(p, `day ${r.end} is always before day ${r.begin}`);
    return r;
  });
  const months = e.months.map((m, i) => {
    const r = splitRange(m, (s) => (/^\d+$/.test(s) ? Number(s) : MONTHS.indexOf(s) + 1));
    const p = `${at}.months[${i}]`;
    if (r.begin < 1 || r.begin > 12 || r.end < 1 || r.end > 12) throw new TimeIntervalError(p, `${m} is not a month`);
    if (r.begin > r.end) throw new TimeIntervalError(p, `${m}: the end month is before the start month`);
    return r;
  });
  const years = e.years.map((y, i) => {
    const r = splitRange(y, Number);
    if (r.begin > r.end)
      throw new TimeIntervalError(`${at}.years[${i}]`, `${y}: the end year is before the start year`);
    return r;
  });
  const orNull = (rs: Range[]) => (rs.length ? rs : null);
  return {
    times: orNull(times),
    weekdays: orNull(weekdays),
    daysOfMonth: orNull(daysOfMonth),
    months: orNull(months),
    years: orNull(years),
  };
}

function inAny(ranges: Range[] | null, v: number): boolean {
  if (ranges === null) return true;
  for (const r of ranges) if (v >= r.begin && v <= r.end) return true;
  return false;
}

interface WallClock {
  minute: number;
  weekday: number;
  day: number;
  daysInMonth: number;
  month: number;
  year: number;
}

function holds(e: CompiledEntry, t: WallClock): boolean {
  if (e.times !== null && !e.times.some((r) => t.minute >= r.begin && t.minute < r.end)) return false;
  if (e.daysOfMonth !== null) {
    // As TimeInterval.ContainsTime: negative days count from the month's end (-1 = last day), a
    // range starting past the month's end is skipped, and an end past it is clamped to it.
    const n = t.daysInMonth;
    const ok = e.daysOfMonth.some((r) => {
      const begin = r.begin < 0 ? n + r.begin + 1 : r.begin;
      const end = Math.min(r.end < 0 ? n + r.end + 1 : r.end, n);
      return begin <= n && t.day >= begin && t.day <= end;
    });
    if (!ok) return false;
  }
  return inAny(e.months, t.month) && inAny(e.weekdays, t.weekday) && inAny(e.years, t.year);
}

/** Validates and pre-parses a time interval; the result tells whether an instant (epoch ms) is inside. */
export function compileTimeInterval(spec: TimeIntervalSpec): (at: number) => boolean {
  const zone = spec.timeZone;
  if (!DateTime.fromMillis(0, { zone }).isValid) throw new TimeIntervalError('timeZone', `unknown time zone ${zone}`);
  const entries = spec.intervals.map((e, i) => compileEntry(e, `intervals[${i}]`));
  return (at) => {
    const d = DateTime.fromMillis(at, { zone });
    const t: WallClock = {
      minute: d.hour * 60 + d.minute,
      weekday: d.weekday % 7, // luxon: Monday = 1 … Sunday = 7; Alertmanager: Sunday = 0
      day: d.day,
      // Real month length: Alertmanager's daysInMonth divides elapsed hours by 24 and so reads a
      // 31-day month with a spring-forward as 30 days; the documented meaning is the calendar's.
      daysInMonth: d.daysInMonth as number,
      month: d.month,
      year: d.year,
    };
    for (const e of entries) if (holds(e, t)) return true;
    return false;
  };
}

/** Whether the instant `at` (epoch ms) is inside the time interval. Compile once when testing many instants. */
export function inTimeInterval(spec: TimeIntervalSpec, at: number): boolean {
  return compileTimeInterval(spec)(at);
}
