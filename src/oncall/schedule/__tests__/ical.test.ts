import { describe, expect, it } from 'vitest';
import { renderICalendar, shiftUid } from '../ical.js';
import type { Shift } from '../schedule.model.js';
import { at } from './fixtures.js';

const encoder = new TextEncoder();

/** Unfolds and splits a calendar into [name, value] content lines (RFC 5545 §3.1), text unescaped. */
function parse(ics: string): [string, string][] {
  return ics
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => {
      const i = l.indexOf(':');
      const value = l.slice(i + 1).replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
      return [l.slice(0, i), value];
    });
}

const event = {
  uid: 'u1@mainstay',
  summary: 'On call: a@example.com',
  start: at('2026-03-28T09:00:00+01:00'),
  end: at('2026-03-29T09:00:00+02:00'),
};
const now = at('2026-03-01T12:34:56.789Z');

describe('renderICalendar', () => {
  it('writes a VCALENDAR with one VEVENT per event, UTC times and CRLF line endings', () => {
    const ics = renderICalendar({ name: 'Primary', events: [event, { ...event, uid: 'u2@mainstay' }], now });
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(parse(ics)).toEqual([
      ['BEGIN', 'VCALENDAR'],
      ['VERSION', '2.0'],
      ['PRODID', '-//Mainstay//On-call//EN'],
      ['CALSCALE', 'GREGORIAN'],
      ['METHOD', 'PUBLISH'],
      ['X-WR-CALNAME', 'Primary'],
      ['BEGIN', 'VEVENT'],
      ['UID', 'u1@mainstay'],
      ['DTSTAMP', '20260301T123456Z'],
      ['DTSTART', '20260328T080000Z'],
      ['DTEND', '20260329T070000Z'],
      ['SUMMARY', 'On call: a@example.com'],
      ['END', 'VEVENT'],
      ['BEGIN', 'VEVENT'],
      ['UID', 'u2@mainstay'],
      ['DTSTAMP', '20260301T123456Z'],
      ['DTSTART', '20260328T080000Z'],
      ['DTEND', '20260329T070000Z'],
      ['SUMMARY', 'On call: a@example.com'],
      ['END', 'VEVENT'],
      ['END', 'VCALENDAR'],
    ]);
  });

  it('escapes backslash, semicolon, comma and newlines in text, and round-trips them', () => {
    const description = 'Runbook: C:\\ops; page, then call\nline two\r\nline three';
    const ics = renderICalendar({ name: 'A, B; C', events: [{ ...event, description }], now });
    expect(ics).toContain('X-WR-CALNAME:A\\, B\\; C\r\n');
    const unfolded = ics.replace(/\r\n[ \t]/g, '');
    expect(unfolded).toContain('DESCRIPTION:Runbook: C:\\\\ops\\; page\\, then call\\nline two\\nline three\r\n');
    expect(parse(ics).find(([k]) => k === 'DESCRIPTION')?.[1]).toBe(description.replace(/\r\n/g, '\n'));
  });

  it('folds long lines at 75 octets without splitting a multibyte character', () => {
    const summary = `Bereitschaft für Jürgen Größmann 🚨 ${'äöü€😀'.repeat(30)}`;
    const url = `https://mainstay.example.com/oncall/schedules/primary?${'x'.repeat(200)}`;
    const ics = renderICalendar({ name: 'Primary', events: [{ ...event, summary, url }], now });
    const lines = ics.split('\r\n');
    for (const line of lines) {
      expect(encoder.encode(line).length).toBeLessThanOrEqual(75);
      // A cut inside a UTF-8 sequence or a surrogate pair would leave a lone surrogate or U+FFFD.
      expect(line).not.toMatch(/[\uD800-\uDFFF]/u);
    }
    const summaryLines = lines.slice(lines.findIndex((l) => l.startsWith('SUMMARY:')));
    expect(summaryLines[1]!.startsWith(' ')).toBe(true);
    // Folding fills lines: all but the last continuation are within a 4-byte character of the limit.
    expect(encoder.encode(summaryLines[0]!).length).toBeGreaterThan(71);
    const parsed = new Map(parse(ics));
    expect(parsed.get('SUMMARY')).toBe(summary);
    expect(parsed.get('URL')).toBe(url);
  });

  it('keeps a URL as written but drops line breaks that would end the property', () => {
    const ics = renderICalendar({ name: 'P', events: [{ ...event, url: 'https://x.example/a,b;c\r\nX-EVIL:1' }], now });
    expect(ics).toContain('URL:https://x.example/a,b;cX-EVIL:1\r\n');
  });
});

describe('shiftUid', () => {
  const shift: Shift = { user: 'a@example.com', start: event.start, end: event.end, source: 'layer', layer: 0 };

  it('is stable for the same scope and shift and differs otherwise', () => {
    expect(shiftUid('sched-1', shift)).toBe(shiftUid('sched-1', { ...shift, source: 'override', ref: 'o1' }));
    expect(shiftUid('sched-1', shift)).toMatch(/^[0-9a-f]{32}@mainstay$/);
    expect(shiftUid('sched-2', shift)).not.toBe(shiftUid('sched-1', shift));
    expect(shiftUid('sched-1', { ...shift, end: shift.end + 1 })).not.toBe(shiftUid('sched-1', shift));
  });
});
