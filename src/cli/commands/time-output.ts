import { UsageError } from '../errors.js';

/** Instants given on the command line, and times shown in a zone, for the on-call and incident commands. */

// As the server's InstantSchema (oncall.model.ts): the offset is required.
const INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2}(\.\d+)?)?(Z|([+-])(\d{2}):(\d{2}))$/i;
const LOCAL = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/i;
const DURATION = /^(\d+[wdhm])+$/;
const UNIT_MS: Record<string, number> = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 };

/**
 * An ISO 8601 instant with an offset (`2026-03-08T07:30-05:00`, `…Z`) as UTC ISO. A bare local time
 * is refused: it means different instants on the laptop, the server and the schedule.
 */
export function parseInstant(value: string, what: string, example = '2026-03-08T07:30-05:00'): string {
  const v = value.trim();
  const ms = Date.parse(v);
  const m = INSTANT.exec(v);
  if (m && !Number.isNaN(ms)) {
    const offset = m[5] ? (m[5] === '-' ? -1 : 1) * (Number(m[6]) * 60 + Number(m[7])) : 0;
    // Date.parse rolls 2026-02-30 over to March 2: a date or time that does not exist is a typo.
    const wall = new Date(ms + offset * 60_000).toISOString().slice(0, 16);
    if (wall === m[1]?.toUpperCase()) return new Date(ms).toISOString();
    throw new UsageError(`${what}: ${JSON.stringify(value)} is not a date and time that exists`, {
      hint: `e.g. ${example}`,
    });
  }
  const local = LOCAL.test(v);
  throw new UsageError(
    `${what} must be an ISO 8601 time with an offset, not ${JSON.stringify(value)}${local ? ' (a local time without a zone)' : ''}`,
    {
      hint: local
        ? `add the offset you mean, e.g. ${example} or ${v.replace(' ', 'T')}${v.includes(':') ? '' : 'T00:00'}Z`
        : `e.g. ${example} or 2026-03-08T12:30Z`,
    },
  );
}

/** `30m`, `8h`, `1d12h`, `2w` → milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const v = value.trim();
  let ms = 0;
  if (DURATION.test(v)) for (const [, n, u] of v.matchAll(/(\d+)([wdhm])/g)) ms += Number(n) * (UNIT_MS[u ?? ''] ?? 0);
  if (!(ms > 0)) throw new UsageError(`${flag} must be a duration like 30m, 8h, 1d12h, not ${JSON.stringify(value)}`);
  return ms;
}

/** Whether Intl knows the zone (an IANA name such as Europe/Berlin, or UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(zone, f);
  }
  return f;
}

/**
 * An instant as wall-clock time in `zone` with its offset: `2026-03-08 09:00-04:00` (seconds only
 * when not zero). The offset makes each value unambiguous on its own, across a DST change too.
 */
export function zonedTime(iso: string | number, zone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const p: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(date)) p[part.type] = part.value;
  // longOffset is `GMT-04:00`, or plain `GMT` at offset zero.
  const offset = (p.timeZoneName ?? 'GMT').replace(/^GMT/, '') || '+00:00';
  const seconds = p.second && p.second !== '00' ? `:${p.second}` : '';
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${seconds}${offset}`;
}

/** An instant in UTC, as `2026-03-08 13:00Z` (seconds only when not zero). */
export function utcTime(iso: string | number): string {
  return zonedTime(iso, 'UTC').replace(/\+00:00$/, 'Z');
}

/** `45s`, `4m 10s`, `23h`, `2h 30m`, `6d 23h`: a length of time, coarse enough to read at a glance. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const parts = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small ? `${big}${bigUnit} ${small}${smallUnit}` : `${big}${bigUnit}`;
  if (s < 60) return `${s}s`;
  if (s < 3600) return parts(Math.floor(s / 60), 'm', s % 60, 's');
  // Up to two days in hours, so a 23 h or 25 h shift across a DST change reads as such.
  if (s < 48 * 3600) return parts(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'm');
  return parts(Math.floor(s / 86400), 'd', Math.floor((s % 86400) / 3600), 'h');
}

/** `in 4h 30m` or `2d ago`, relative to `now`. */
export function relative(iso: string, now: number): string {
  const d = Date.parse(iso) - now;
  return d >= 0 ? `in ${formatDuration(d)}` : `${formatDuration(-d)} ago`;
}
