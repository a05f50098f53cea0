/**
 * Wall-clock arithmetic in a named IANA zone with nothing but Intl: a schedule is drawn in its own
 * zone (not the viewer's), and override times typed on its page mean its zone's wall clock.
 */

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

const partsCache = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY_INDEX: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

function partsFormat(zone: string): Intl.DateTimeFormat {
  let f = partsCache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    partsCache.set(zone, f);
  }
  return f;
}

/** The wall clock in `zone` at the instant `ms`. */
export function wallClock(zone: string, ms: number): WallClock {
  const out: Record<string, string> = {};
  for (const p of partsFormat(zone).formatToParts(ms)) out[p.type] = p.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour) % 24,
    minute: Number(out.minute),
    second: Number(out.second),
    weekday: WEEKDAY_INDEX[out.weekday ?? 'Mon'] ?? 0,
  };
}

/** Milliseconds `zone` is ahead of UTC at the instant `ms`. */
export function offsetMs(zone: string, ms: number): number {
  const w = wallClock(zone, ms);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time in `zone` names. A time that falls in a DST gap or overlap maps to
 * one of the instants around it; midnight, which the calendar uses, is such a time in only a few zones.
 */
export function fromWallClock(zone: string, y: number, mo: number, d: number, h = 0, mi = 0): number {
  const utc = Date.UTC(y, mo - 1, d, h, mi);
  const first = utc - offsetMs(zone, utc);
  const second = utc - offsetMs(zone, first);
  return Math.min(first, second);
}

/** Midnight in `zone` of the day holding `ms`, moved by `days` calendar days. */
export function dayStart(zone: string, ms: number, days = 0): number {
  const w = wallClock(zone, ms);
  return fromWallClock(zone, w.year, w.month, w.day + days);
}

/** Midnight in `zone` of the Monday of the week holding `ms`. */
export function weekStart(zone: string, ms: number): number {
  return dayStart(zone, ms, -wallClock(zone, ms).weekday);
}

/** `UTC+01:00` for the zone at that instant. */
export function offsetLabel(zone: string, ms: number): string {
  const minutes = Math.round(offsetMs(zone, ms) / 60_000);
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();

/** A cached formatter for `zone`. */
export function zoneFormat(zone: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${zone}|${JSON.stringify(opts)}`;
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { ...opts, timeZone: zone });
    fmtCache.set(key, f);
  }
  return f;
}

/** `Mon 24 Nov, 09:00` in the zone. */
export function formatInZone(zone: string, ms: number | string): string {
  const t = typeof ms === 'string' ? Date.parse(ms) : ms;
  return zoneFormat(zone, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(t);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The instant as a `datetime-local` value on the zone's wall clock. */
export function toZonedInput(zone: string, ms: number): string {
  const w = wallClock(zone, ms);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** A `datetime-local` value read on the zone's wall clock, as an ISO instant; '' when unreadable. */
export function fromZonedInput(zone: string, value: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(value);
  if (!m) return '';
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return new Date(fromWallClock(zone, y, mo, d, h, mi)).toISOString();
}
