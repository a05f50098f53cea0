import { createHash } from 'node:crypto';
import type { Shift } from './schedule.model.js';

/** iCalendar (RFC 5545) rendering of on-call shifts, for calendar subscriptions. */

export interface CalendarEvent {
  uid: string;
  summary: string;
  /** Epoch ms. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  description?: string;
  url?: string;
}

export interface Calendar {
  name: string;
  events: CalendarEvent[];
  /** Epoch ms of the rendering, written as each event's DTSTAMP. */
  now: number;
}

/** RFC 5545 §3.1: content lines should not exceed 75 octets, excluding the line break. */
const MAX_OCTETS = 75;
const encoder = new TextEncoder();

/** Drops C0 control characters and DEL, except tab where the value type allows it. */
function dropControls(value: string, keepTab: boolean): string {
  let out = '';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if ((code < 0x20 && !(keepTab && code === 0x09)) || code === 0x7f) continue;
    out += ch;
  }
  return out;
}

/** TEXT value escaping, RFC 5545 §3.3.11; control characters other than tab are not allowed in TEXT. */
function escapeText(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
  return dropControls(escaped, true);
}

/** A URI value is not TEXT-escaped (§3.3.13), but a line break in it would end the property. */
function cleanUri(value: string): string {
  return dropControls(value, false);
}

/** UTC DATE-TIME form, RFC 5545 §3.3.5 FORM #2: YYYYMMDDTHHMMSSZ (milliseconds dropped). */
function utc(ms: number): string {
  const iso = new Date(ms).toISOString();
  if (!/^\d{4}-/.test(iso)) throw new RangeError(`${iso} is outside the years iCalendar can write`);
  return iso.slice(0, 19).replace(/[-:]/g, '') + 'Z';
}

/**
 * Folds a content line at 75 octets (§3.1): CRLF plus one space before each continuation, which
 * counts toward that line's 75. Splits only between code points so no UTF-8 sequence is cut.
 */
function fold(line: string): string {
  let out = '';
  let octets = 0;
  for (const ch of line) {
    const size = encoder.encode(ch).length;
    if (octets + size > MAX_OCTETS) {
      out += '\r\n ';
      octets = 1;
    }
    out += ch;
    octets += size;
  }
  return out + '\r\n';
}

/** A VCALENDAR with one VEVENT per event, CRLF line endings, folded lines. */
export function renderICalendar(cal: Calendar): string {
  const stamp = utc(cal.now);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Mainstay//On-call//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(cal.name)}`,
  ];
  for (const e of cal.events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${escapeText(e.uid)}`,
      `DTSTAMP:${stamp}`,
      `DTSTART:${utc(e.start)}`,
      `DTEND:${utc(e.end)}`,
      `SUMMARY:${escapeText(e.summary)}`,
    );
    if (e.description !== undefined) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
    if (e.url !== undefined) lines.push(`URL:${cleanUri(e.url)}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('');
}

/**
 * A UID that stays the same for the same shift in every rendering, so calendar clients update events
 * instead of duplicating them. `scope` is e.g. the schedule's id.
 */
export function shiftUid(scope: string, shift: Shift): string {
  // JSON keeps the parts apart: ('a', 'b:c') and ('a:b', 'c') must not collide.
  const key = JSON.stringify([scope, shift.user, shift.start, shift.end]);
  return `${createHash('sha256').update(key).digest('hex').slice(0, 32)}@mainstay`;
}
