import { DateTime } from 'luxon';
import rrulePkg from 'rrule';
import { InputError } from '../platform/errors.js';
import { type MaintenanceWindowSpec, parseDuration } from './config.model.js';

// rrule ships CommonJS without named exports Node can detect; take the class off the default export.
const { RRule } = rrulePkg;

/**
 * When a maintenance window is open. Recurrence rules are wall-clock rules in the window's time zone
 * (a window at 02:00 Europe/Berlin every Sunday opens at 02:00 local in summer and in winter): rrule
 * runs on "floating" times (the local wall clock written as if it were UTC) and each wall-clock start
 * is then placed in the zone as RFC 5545 §3.3.5 says: a local time skipped by a spring-forward is read
 * with the offset before the gap (02:30 becomes 03:30 summer time, as luxon shifts it), and a local
 * time that occurs twice at a fall-back means the first of the two. The duration is elapsed time.
 */

export interface Occurrence {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Floating and real times differ by the zone's offset (at most ±14 h) plus a DST gap; search this much wider. */
const SLACK = 2 * DAY;
const MAX_COUNT = 10_000;
const MAX_INTERVAL = 1000;
/**
 * The longest window. Durations are Prometheus text with no bound of their own (`99999999y` is
 * 3·10^18 ms): an occurrence ending past JavaScript's last date (year 275760) made the calendar and
 * every date formatting throw (found by the schedule property tests).
 */
const MAX_DURATION_MS = 10 * 365 * DAY;

const FREQS = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY'] as const;
type Freq = (typeof FREQS)[number];
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

type Parts = Map<string, string>;

/** The numbers of a BY* part, or undefined when one is not an integer in ±[min, max]. */
function ints(v: string, min: number, max: number, signed: boolean): number[] | undefined {
  const out = v.split(',').map((s) => (/^[+-]?\d{1,4}$/.test(s) ? Number(s) : Number.NaN));
  const ok = out.every((n) => (signed || n >= 0) && Math.abs(n) >= min && Math.abs(n) <= max);
  return ok ? out : undefined;
}

/** Each BY* part with its range (RFC 5545 §3.3.10 grammar); BYDAY's ordinal is checked separately. */
const LISTS: Record<string, (v: string) => number[] | undefined> = {
  BYMINUTE: (v) => ints(v, 0, 59, false),
  BYHOUR: (v) => ints(v, 0, 23, false),
  BYMONTHDAY: (v) => ints(v, 1, 31, true),
  BYYEARDAY: (v) => ints(v, 1, 366, true),
  BYWEEKNO: (v) => ints(v, 1, 53, true),
  BYMONTH: (v) => ints(v, 1, 12, false),
  BYSETPOS: (v) => ints(v, 1, 366, true),
  BYDAY: (v) => {
    const ms = v.split(',').map((d) => /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(d));
    const ordinals = ms.map((m) => (m ? Math.abs(Number(m[1] ?? 0)) : Number.NaN));
    return ms.every((m, i) => m && (m[1] === undefined || (ordinals[i] ?? 0) >= 1) && (ordinals[i] ?? 0) <= 53)
      ? ordinals
      : undefined;
  },
};

/** The checked values of a present part (after partsError has passed). */
const values = (p: Parts, key: string): number[] => LISTS[key]?.(p.get(key) ?? '') ?? [];

function parseParts(text: string): Parts | string {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (/DTSTART|TZID|[\r\n]/i.test(body)) {
    return 'give the rule alone (FREQ=WEEKLY;BYDAY=SU): the first start is the window’s `starts` and the zone its `timeZone`';
  }
  const parts: Parts = new Map();
  for (const item of body.split(';')) {
    const m = /^([A-Za-z]+)=([^=]+)$/.exec(item.trim());
    if (!m) return `${JSON.stringify(item)} is not a NAME=VALUE part`;
    const key = (m[1] as string).toUpperCase();
    if (parts.has(key)) return `${key} is given twice`;
    parts.set(key, (m[2] as string).toUpperCase());
  }
  return parts;
}

const textOf = (p: Parts, skip?: string) =>
  [...p]
    .filter(([k]) => k !== skip)
    .map(([k, v]) => `${k}=${v}`)
    .join(';');

function partError(key: string, v: string): string | undefined {
  if (key === 'INTERVAL' || key === 'COUNT') {
    const max = key === 'COUNT' ? MAX_COUNT : MAX_INTERVAL;
    return /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= max
      ? undefined
      : `${key} must be a whole number from 1 to ${max}`;
  }
  if (key === 'UNTIL') {
    const ok = /^\d{8}(T\d{6}Z?)?$/.test(v) && !Number.isNaN(floatingOf(v));
    return ok ? undefined : `UNTIL=${v} is not a date like 20261231 or 20261231T235900Z`;
  }
  if (key === 'WKST') return WEEKDAYS.includes(v) ? undefined : `WKST=${v} is not a weekday (MO … SU)`;
  if (key === 'BYSECOND') return 'BYSECOND is not supported: maintenance windows start on the minute';
  const list = LISTS[key];
  if (!list) return `unknown part ${key}`;
  return list(v) ? undefined : `${key}=${v} has a value out of range`;
}

function partsError(p: Parts): string | undefined {
  const freq = p.get('FREQ');
  if (freq === undefined) return 'FREQ is required (HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY)';
  // Decision: HOURLY is the finest frequency. A window that reopens every few minutes is not
  // maintenance, and SECONDLY/MINUTELY rules make occurrence searches needlessly large.
  if (freq === 'SECONDLY' || freq === 'MINUTELY') {
    return `FREQ=${freq} is too frequent for a maintenance window; HOURLY is the finest`;
  }
  if (!FREQS.includes(freq as Freq)) return `FREQ=${freq} is not one of HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY`;
  for (const [key, v] of p) {
    const err = key === 'FREQ' ? undefined : partError(key, v);
    if (err) return err;
  }
  // RFC 5545 §3.3.10 restrictions, plus BYYEARDAY only with YEARLY (an HOURLY rule filtered to a
  // day of the year that never comes would be searched until the year 9999).
  const has = (k: string) => p.has(k);
  const nths = values(p, 'BYDAY');
  const nth = Math.max(0, ...nths);
  if (nth && freq !== 'MONTHLY' && freq !== 'YEARLY')
    return 'BYDAY with a number (1SU, -1FR) needs FREQ=MONTHLY or YEARLY';
  if (nth && has('BYWEEKNO')) return 'BYDAY with a number cannot be combined with BYWEEKNO';
  if (nth > 5 && (freq === 'MONTHLY' || has('BYMONTH'))) return 'BYDAY: a month has at most 5 of each weekday';
  if (has('BYMONTHDAY') && freq === 'WEEKLY') return 'BYMONTHDAY cannot be used with FREQ=WEEKLY';
  if (has('BYYEARDAY') && freq !== 'YEARLY') return 'BYYEARDAY needs FREQ=YEARLY';
  if (has('BYWEEKNO') && freq !== 'YEARLY') return 'BYWEEKNO needs FREQ=YEARLY';
  if (freq === 'HOURLY' && Number(p.get('INTERVAL') ?? 1) >= 24)
    return 'FREQ=HOURLY with INTERVAL of 24 or more: use DAILY';
  if (has('COUNT') && has('UNTIL')) return 'give COUNT or UNTIL, not both';
  // Rules seen never to occur: rrule would search for an occurrence until the year 9999.
  if (has('BYSETPOS')) {
    if (![...p.keys()].some((k) => k.startsWith('BY') && k !== 'BYSETPOS')) return 'BYSETPOS needs another BY… part';
    // The most occurrences one period can hold (YEARLY: not worked out); a position past it never comes.
    const n = (k: string, dflt: number) => (has(k) ? values(p, k).length : dflt);
    const times = (freq === 'HOURLY' ? 1 : n('BYHOUR', 1)) * n('BYMINUTE', 1);
    const byDay = has('BYDAY') ? nths.reduce((sum, k) => sum + (k ? 1 : 5), 0) : Number.POSITIVE_INFINITY;
    const inMonth = Math.min(n('BYMONTHDAY', Number.POSITIVE_INFINITY), byDay);
    const days = freq === 'WEEKLY' ? n('BYDAY', 1) : freq === 'MONTHLY' && Number.isFinite(inMonth) ? inMonth : 1;
    const most = freq === 'YEARLY' ? Number.POSITIVE_INFINITY : days * times;
    const pos = Math.max(...values(p, 'BYSETPOS').map(Math.abs));
    if (pos > most) return `BYSETPOS=${pos} is past the ${most} occurrence(s) a period of this rule can have`;
  }
  if (has('BYMONTHDAY')) {
    const months = has('BYMONTH') ? values(p, 'BYMONTH') : [1];
    const longest = Math.max(...months.map((m) => (m === 2 ? 29 : [4, 6, 9, 11].includes(m) ? 30 : 31)));
    if (!values(p, 'BYMONTHDAY').some((d) => Math.abs(d) <= longest)) return 'BYMONTHDAY and BYMONTH never meet';
  }
  return undefined;
}

/**
 * Why an RRULE (without DTSTART) is not accepted, or undefined when it is. Besides the RFC 5545
 * grammar, it requires FREQ of HOURLY or coarser, COUNT ≤ 10000, INTERVAL ≤ 1000, and rejects rules
 * that can be seen never to occur.
 */
export function rruleError(text: string): string | undefined {
  const parts = parseParts(text);
  if (typeof parts === 'string') return parts;
  const err = partsError(parts);
  if (err) return err;
  try {
    RRule.parseString(textOf(parts));
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

/** `YYYY-MM-DDTHH:mm[:ss]` or `YYYYMMDD[THHMMSS]` as floating ms (the wall clock written as UTC). */
function floatingOf(text: string): number {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2})(?::?(\d{2}))?)?/.exec(text);
  if (!m) return Number.NaN;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m.slice(1).map((x) => Number(x ?? 0));
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over into March; refuse it instead.
  return back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? ms : Number.NaN;
}

function offsetAt(at: number, zone: string): number {
  return DateTime.fromMillis(at, { zone }).offset * 60_000;
}

/** The instant of a floating wall-clock time in `zone`, resolved as RFC 5545 §3.3.5 (see the top). */
function instantOf(floating: number, zone: string): number {
  // An ISO time without offset is read on the zone's wall clock; luxon moves a skipped one forward.
  const local = DateTime.fromISO(new Date(floating).toISOString().slice(0, 19), { zone }).toMillis();
  // An ambiguous wall clock has two instants, one per offset around the change; take the earlier.
  let best = local;
  for (const around of [local - 12 * HOUR, local + 12 * HOUR]) {
    const off = offsetAt(around, zone);
    const t = floating - off;
    if (t < best && offsetAt(t, zone) === off) best = t;
  }
  return best;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

interface Schedule {
  zone: string;
  startFloating: number;
  durationMs: number;
  /** Absent: a one-off window. */
  rule?: { options: ReturnType<typeof RRule.parseString>; periodMs: number | undefined; never: boolean };
}

function compile(spec: MaintenanceWindowSpec): Schedule {
  const zone = spec.timeZone;
  const invalid = (path: string, message: string) =>
    new InputError(`${path}: ${message}`, { fields: [{ path, message }] });
  if (!DateTime.fromMillis(0, { zone }).isValid) throw invalid('timeZone', `unknown time zone ${zone}`);
  const startFloating = floatingOf(spec.starts);
  if (Number.isNaN(startFloating)) throw invalid('starts', `${spec.starts} is not a local date and time`);
  let durationMs: number;
  try {
    durationMs = parseDuration(spec.duration);
  } catch (err) {
    throw invalid('duration', (err as Error).message);
  }
  if (durationMs <= 0) throw invalid('duration', 'must be longer than zero');
  if (durationMs > MAX_DURATION_MS) throw invalid('duration', 'at most 10 years (3650d)');
  const schedule: Schedule = { zone, startFloating, durationMs };
  if (spec.rrule === undefined) return schedule;
  const parts = parseParts(spec.rrule);
  const err = typeof parts === 'string' ? parts : partsError(parts);
  if (typeof parts === 'string' || err) throw invalid('rrule', `${err}`);
  const options = RRule.parseString(textOf(parts, 'UNTIL'));
  const until = parts.get('UNTIL');
  if (until !== undefined) {
    // A UTC UNTIL (…Z) is an instant: move it onto the zone's wall clock. Without Z it is local already.
    const f = floatingOf(until) + (until.endsWith('Z') ? offsetAt(floatingOf(until), zone) : 0);
    // A date-only UNTIL includes that whole day.
    options.until = new Date(until.includes('T') ? f : f + DAY - 1);
  }
  const freq = parts.get('FREQ') as Freq;
  const interval = Number(parts.get('INTERVAL') ?? 1);
  const start = new Date(startFloating);
  // Interval steps that never reach a BY… value: rrule would loop forever (HOURLY, BYHOUR) or search
  // to the year 9999. The values reachable from the start are those congruent to it modulo gcd.
  const reaches = (key: string, cycle: number, from: number, of: (s: string) => number) => {
    const v = parts.get(key);
    const g = gcd(interval, cycle);
    return v === undefined || v.split(',').some((s) => (((of(s) - from) % g) + g) % g === 0);
  };
  const never =
    (freq === 'HOURLY' && !reaches('BYHOUR', 24, start.getUTCHours(), Number)) ||
    (freq === 'DAILY' && !reaches('BYDAY', 7, (start.getUTCDay() + 6) % 7, (s) => WEEKDAYS.indexOf(s))) ||
    (freq === 'MONTHLY' && !reaches('BYMONTH', 12, start.getUTCMonth() + 1, Number));
  // COUNT includes `starts` (see collect); when the rule does not produce it itself, it owes one less.
  const count = Number(parts.get('COUNT') ?? 0);
  let countedOut = false;
  if (count > 0 && !never) {
    const first = new RRule({ ...options, dtstart: start }, true).after(start, true);
    if (first?.getTime() !== startFloating) {
      options.count = count - 1;
      countedOut = count === 1;
    }
  }
  // Rules of a fixed period without COUNT can start their search near the query instead of at
  // `starts`: moving DTSTART by whole periods keeps every later occurrence, and keeps the work
  // proportional to the range asked for, not to the window's age.
  const unit = freq === 'HOURLY' ? HOUR : freq === 'DAILY' ? DAY : freq === 'WEEKLY' ? 7 * DAY : undefined;
  const periodMs = unit !== undefined && !parts.has('COUNT') ? unit * interval : undefined;
  schedule.rule = { options, periodMs, never: never || countedOut };
  return schedule;
}

function collect(s: Schedule, from: number, to: number, limit: number): Occurrence[] {
  const out: Occurrence[] = [];
  const keep = (startFloating: number) => {
    const start = instantOf(startFloating, s.zone);
    if (start < to && start + s.durationMs > from) out.push({ start, end: start + s.durationMs });
    return out.length < limit;
  };
  // `starts` is always the first occurrence, even when the rule would not produce it: RFC 5545
  // §3.8.5.3 ("the DTSTART property value always counts as the first occurrence").
  if (!keep(s.startFloating) || !s.rule || s.rule.never) return out;
  // Occurrences that started up to one duration before `from` still overlap it.
  const lo = from - s.durationMs - SLACK;
  const hi = to + SLACK;
  let dtstart = s.startFloating;
  const period = s.rule.periodMs;
  if (period !== undefined && lo > dtstart) dtstart += Math.floor((lo - dtstart) / period) * period;
  const rule = new RRule({ ...s.rule.options, dtstart: new Date(dtstart) }, true);
  rule.between(new Date(Math.max(lo, s.startFloating)), new Date(hi), true, (d) =>
    d.getTime() === s.startFloating ? true : keep(d.getTime()),
  );
  return out.sort((a, b) => a.start - b.start);
}

/** Why a maintenance window's schedule (zone, starts, duration, rrule) is invalid, or undefined. */
export function scheduleError(spec: MaintenanceWindowSpec): string | undefined {
  return scheduleProblem(spec)?.message;
}

/** The field (timeZone, starts, duration or rrule) that makes a schedule invalid, and why; or undefined. */
export function scheduleProblem(spec: MaintenanceWindowSpec): { path: string; message: string } | undefined {
  try {
    compile(spec);
    return undefined;
  } catch (err) {
    const field = err instanceof InputError ? err.fields?.[0] : undefined;
    return { path: field?.path ?? 'rrule', message: (err as Error).message };
  }
}

/** The occurrences that overlap [from, to), earliest first, at most `limit` of them. Throws InputError for an invalid schedule. */
export function occurrencesBetween(spec: MaintenanceWindowSpec, from: number, to: number, limit = 500): Occurrence[] {
  if (!(to > from) || limit < 1) return [];
  return collect(compile(spec), from, to, limit);
}

/**
 * The occurrence open at `at`, if any. When occurrences overlap (a duration longer than the
 * recurrence), the one that ends last, since that is how long the window holds alerts.
 */
export function activeOccurrence(spec: MaintenanceWindowSpec, at: number): Occurrence | undefined {
  let best: Occurrence | undefined;
  for (const o of occurrencesBetween(spec, at, at + 1)) if (o.start <= at && (!best || o.end > best.end)) best = o;
  return best;
}
