import { describe, expect, it } from 'vitest';
import { InputError } from '../../platform/errors.js';
import { MaintenanceWindowSpecSchema } from '../config.model.js';
import { activeOccurrence, occurrencesBetween, rruleError, scheduleError } from '../maintenance-schedule.js';

const win = (w: { timeZone?: string; starts: string; duration: string; rrule?: string }) =>
  MaintenanceWindowSpecSchema.parse({ matchers: ['team="db"'], ...w });
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');
const starts = (w: ReturnType<typeof win>, from: string, to: string, limit?: number) =>
  occurrencesBetween(w, at(from), at(to), limit).map((o) => iso(o.start));

describe('occurrencesBetween', () => {
  it('a one-off window is one occurrence, placed in its zone', () => {
    const w = win({ timeZone: 'Europe/Berlin', starts: '2026-11-21T10:00', duration: '2h' });
    expect(occurrencesBetween(w, at('2026-11-21T00:00:00Z'), at('2026-11-22T00:00:00Z'))).toEqual([
      { start: at('2026-11-21T09:00:00Z'), end: at('2026-11-21T11:00:00Z') },
    ]);
    expect(starts(w, '2026-11-21T11:00:00Z', '2026-11-22T00:00:00Z')).toEqual([]);
    expect(starts(w, '2026-11-20T00:00:00Z', '2026-11-21T09:00:00Z')).toEqual([]);
  });

  it.each([
    [
      'weekly 02:00 Berlin keeps 02:00 local into summer time; the missing 02:00 on 29 March becomes 03:00 CEST',
      win({ timeZone: 'Europe/Berlin', starts: '2026-03-01T02:00', duration: '1h', rrule: 'FREQ=WEEKLY;BYDAY=SU' }),
      ['2026-03-20T00:00:00Z', '2026-04-10T00:00:00Z'],
      ['2026-03-22T01:00:00Z', '2026-03-29T01:00:00Z', '2026-04-05T00:00:00Z'],
    ],
    [
      'weekly 02:00 Berlin into winter time; the doubled 02:00 on 25 October is the first (CEST) one',
      win({ timeZone: 'Europe/Berlin', starts: '2026-03-01T02:00', duration: '1h', rrule: 'FREQ=WEEKLY;BYDAY=SU' }),
      ['2026-10-15T00:00:00Z', '2026-11-05T00:00:00Z'],
      ['2026-10-18T00:00:00Z', '2026-10-25T00:00:00Z', '2026-11-01T01:00:00Z'],
    ],
    [
      'weekly 09:00 New York across both 2026 changes',
      win({ timeZone: 'America/New_York', starts: '2026-03-01T09:00', duration: '30m', rrule: 'FREQ=WEEKLY;BYDAY=SU' }),
      ['2026-03-01T00:00:00Z', '2026-03-09T00:00:00Z'],
      ['2026-03-01T14:00:00Z', '2026-03-08T13:00:00Z'],
    ],
    [
      'weekly 09:00 New York in November is back to UTC-5',
      win({ timeZone: 'America/New_York', starts: '2026-03-01T09:00', duration: '30m', rrule: 'FREQ=WEEKLY;BYDAY=SU' }),
      ['2026-10-24T00:00:00Z', '2026-11-02T00:00:00Z'],
      ['2026-10-25T13:00:00Z', '2026-11-01T14:00:00Z'],
    ],
    [
      'New York 02:30 does not exist on 8 March: it is read as 03:30 EDT, then 02:30 EDT after',
      win({ timeZone: 'America/New_York', starts: '2026-03-01T02:30', duration: '1h', rrule: 'FREQ=WEEKLY' }),
      ['2026-03-01T00:00:00Z', '2026-03-16T00:00:00Z'],
      ['2026-03-01T07:30:00Z', '2026-03-08T07:30:00Z', '2026-03-15T06:30:00Z'],
    ],
    [
      'New York 01:30 happens twice on 1 November: the first (EDT) one',
      win({ timeZone: 'America/New_York', starts: '2026-10-25T01:30', duration: '1h', rrule: 'FREQ=WEEKLY' }),
      ['2026-10-30T00:00:00Z', '2026-11-10T00:00:00Z'],
      ['2026-11-01T05:30:00Z', '2026-11-08T06:30:00Z'],
    ],
    [
      'monthly on the first Sunday (BYDAY=1SU)',
      win({ starts: '2026-01-04T01:00', duration: '2h', rrule: 'FREQ=MONTHLY;BYDAY=1SU' }),
      ['2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z'],
      [
        '2026-01-04T01:00:00Z',
        '2026-02-01T01:00:00Z',
        '2026-03-01T01:00:00Z',
        '2026-04-05T01:00:00Z',
        '2026-05-03T01:00:00Z',
        '2026-06-07T01:00:00Z',
      ],
    ],
    [
      'a window that started before `from` and is still open is found',
      win({ starts: '2026-01-02T18:00', duration: '3d', rrule: 'FREQ=WEEKLY;BYDAY=FR' }),
      ['2026-03-08T12:00:00Z', '2026-03-08T13:00:00Z'],
      ['2026-03-06T18:00:00Z'],
    ],
    [
      'a daily window of a schedule that began in 2000 (the search starts near the range, not in 2000)',
      win({ starts: '2000-01-01T00:00', duration: '2h', rrule: 'FREQ=DAILY' }),
      ['2026-05-05T01:00:00Z', '2026-05-05T01:30:00Z'],
      ['2026-05-05T00:00:00Z'],
    ],
    [
      'an hourly schedule from 2000, every 5 hours, keeps its phase',
      win({ starts: '2000-01-01T00:00', duration: '10m', rrule: 'FREQ=HOURLY;INTERVAL=5' }),
      ['2026-01-01T00:00:00Z', '2026-01-01T12:00:00Z'],
      ['2026-01-01T02:00:00Z', '2026-01-01T07:00:00Z'],
    ],
    [
      '`starts` is the first occurrence even when the rule would not produce it (RFC 5545 §3.8.5.3)',
      win({ starts: '2026-01-05T02:00', duration: '1h', rrule: 'FREQ=WEEKLY;BYDAY=SU' }),
      ['2026-01-01T00:00:00Z', '2026-01-19T00:00:00Z'],
      ['2026-01-05T02:00:00Z', '2026-01-11T02:00:00Z', '2026-01-18T02:00:00Z'],
    ],
    [
      'COUNT includes an unsynchronized `starts`',
      win({ starts: '2026-01-05T02:00', duration: '1h', rrule: 'FREQ=WEEKLY;BYDAY=SU;COUNT=2' }),
      ['2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'],
      ['2026-01-05T02:00:00Z', '2026-01-11T02:00:00Z'],
    ],
    [
      'COUNT counts from a synchronized `starts`',
      win({ starts: '2026-01-04T02:00', duration: '1h', rrule: 'FREQ=WEEKLY;BYDAY=SU;COUNT=2' }),
      ['2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z'],
      ['2026-01-04T02:00:00Z', '2026-01-11T02:00:00Z'],
    ],
    [
      'a date-only UNTIL includes that whole day',
      win({ starts: '2026-01-01T10:00', duration: '1h', rrule: 'FREQ=DAILY;UNTIL=20260103' }),
      ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'],
      ['2026-01-01T10:00:00Z', '2026-01-02T10:00:00Z', '2026-01-03T10:00:00Z'],
    ],
    [
      'a UTC UNTIL is an instant: 09:00Z is 10:00 in Berlin and includes that day’s 10:00',
      win({
        timeZone: 'Europe/Berlin',
        starts: '2026-01-01T10:00',
        duration: '1h',
        rrule: 'FREQ=DAILY;UNTIL=20260102T090000Z',
      }),
      ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'],
      ['2026-01-01T09:00:00Z', '2026-01-02T09:00:00Z'],
    ],
    [
      'a rule whose interval never reaches its BYHOUR has only `starts` (and does not hang rrule)',
      win({ starts: '2026-01-01T02:00', duration: '1h', rrule: 'FREQ=HOURLY;INTERVAL=2;BYHOUR=3' }),
      ['2025-01-01T00:00:00Z', '2027-01-01T00:00:00Z'],
      ['2026-01-01T02:00:00Z'],
    ],
    [
      'a daily rule stepping 7 days never reaches another weekday',
      win({ starts: '2026-01-05T02:00', duration: '1h', rrule: 'FREQ=DAILY;INTERVAL=7;BYDAY=TU' }),
      ['2025-01-01T00:00:00Z', '2027-01-01T00:00:00Z'],
      ['2026-01-05T02:00:00Z'],
    ],
    [
      'a monthly rule stepping 12 months never reaches another month',
      win({ starts: '2026-03-01T02:00', duration: '1h', rrule: 'FREQ=MONTHLY;INTERVAL=12;BYMONTH=2' }),
      ['2025-01-01T00:00:00Z', '2030-01-01T00:00:00Z'],
      ['2026-03-01T02:00:00Z'],
    ],
  ])('%s', (_name, w, [from, to], expected) => {
    expect(starts(w, from as string, to as string)).toEqual(expected);
  });

  it('a window spanning midnight ends the next day', () => {
    const w = win({ timeZone: 'Europe/Berlin', starts: '2026-06-01T23:00', duration: '3h', rrule: 'FREQ=DAILY' });
    expect(occurrencesBetween(w, at('2026-06-02T12:00:00Z'), at('2026-06-02T22:00:00Z'))).toEqual([
      { start: at('2026-06-02T21:00:00Z'), end: at('2026-06-03T00:00:00Z') },
    ]);
  });

  it('returns at most `limit` occurrences, the earliest first', () => {
    const w = win({ starts: '2026-01-01T00:00', duration: '1h', rrule: 'FREQ=DAILY' });
    expect(starts(w, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T00:00:00Z',
      '2026-01-02T00:00:00Z',
      '2026-01-03T00:00:00Z',
    ]);
  });

  it('a COUNT-less yearly rule over a century stops at the limit', () => {
    const w = win({ starts: '2026-02-28T00:00', duration: '1d', rrule: 'FREQ=YEARLY' });
    const all = occurrencesBetween(w, at('2026-01-01T00:00:00Z'), at('2999-01-01T00:00:00Z'), 50);
    expect(all).toHaveLength(50);
    expect(iso(all[49]?.start as number)).toBe('2075-02-28T00:00:00Z');
  });

  it('an empty or reversed range has no occurrences', () => {
    const w = win({ starts: '2026-01-01T00:00', duration: '1h', rrule: 'FREQ=HOURLY' });
    expect(starts(w, '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z')).toEqual([]);
    expect(starts(w, '2026-01-03T00:00:00Z', '2026-01-02T00:00:00Z')).toEqual([]);
  });

  it('an invalid rrule throws an InputError naming it', () => {
    const w = { ...win({ starts: '2026-01-01T00:00', duration: '1h' }), rrule: 'FREQ=MINUTELY' };
    expect(() => occurrencesBetween(w, 0, Date.now())).toThrow(InputError);
    expect(() => occurrencesBetween(w, 0, Date.now())).toThrow(/rrule: FREQ=MINUTELY/);
  });
});

describe('activeOccurrence', () => {
  const nightly = win({ timeZone: 'Europe/Berlin', starts: '2026-06-01T23:00', duration: '3h', rrule: 'FREQ=DAILY' });

  it.each([
    ['after midnight inside a window that began the evening before', '2026-06-02T22:30:00Z', '2026-06-02T21:00:00Z'],
    ['at the start instant (inclusive)', '2026-06-02T21:00:00Z', '2026-06-02T21:00:00Z'],
    ['not at the end instant (exclusive)', '2026-06-03T00:00:00Z', undefined],
    ['not between windows', '2026-06-03T12:00:00Z', undefined],
    ['not before the first start', '2026-06-01T20:59:00Z', undefined],
  ])('%s', (_name, when, expectedStart) => {
    const o = activeOccurrence(nightly, at(when));
    expect(o && iso(o.start)).toBe(expectedStart);
  });

  it('of overlapping occurrences, the one that ends last', () => {
    const w = win({ starts: '2026-01-01T00:00', duration: '36h', rrule: 'FREQ=DAILY' });
    expect(activeOccurrence(w, at('2026-01-02T06:00:00Z'))).toEqual({
      start: at('2026-01-02T00:00:00Z'),
      end: at('2026-01-03T12:00:00Z'),
    });
  });
});

describe('rruleError', () => {
  it.each([
    'FREQ=WEEKLY;BYDAY=SU',
    'RRULE:FREQ=MONTHLY;BYDAY=1SU',
    'FREQ=MONTHLY;BYDAY=-1FR',
    'FREQ=HOURLY;INTERVAL=6',
    'FREQ=DAILY;BYHOUR=2,14;BYMINUTE=30',
    'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
    'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29',
    'FREQ=DAILY;COUNT=10',
    'FREQ=WEEKLY;UNTIL=20261231T235900Z;WKST=MO',
    'freq=weekly;byday=sa,su',
    'FREQ=MONTHLY;BYMONTHDAY=1,15;BYSETPOS=2',
  ])('accepts %s', (text) => {
    expect(rruleError(text)).toBeUndefined();
  });

  it.each([
    ['DTSTART', 'DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY', /without DTSTART|rule alone/],
    ['TZID', 'FREQ=DAILY;TZID=Europe/Berlin', /timeZone/],
    ['no FREQ', 'BYDAY=SU', /FREQ is required/],
    ['MINUTELY', 'FREQ=MINUTELY', /too frequent.*HOURLY/],
    ['SECONDLY', 'FREQ=SECONDLY', /too frequent/],
    ['an unknown FREQ', 'FREQ=SOMETIMES', /not one of/],
    ['an unknown part', 'FREQ=DAILY;FOO=1', /unknown part FOO/],
    ['an empty part', 'FREQ=DAILY;;', /not a NAME=VALUE/],
    ['a repeated part', 'FREQ=DAILY;FREQ=WEEKLY', /twice/],
    ['a bad weekday', 'FREQ=WEEKLY;BYDAY=XX', /BYDAY=XX/],
    ['INTERVAL=0', 'FREQ=DAILY;INTERVAL=0', /INTERVAL/],
    ['a non-numeric INTERVAL', 'FREQ=DAILY;INTERVAL=abc', /INTERVAL/],
    ['BYHOUR=24', 'FREQ=DAILY;BYHOUR=24', /BYHOUR/],
    ['BYSECOND', 'FREQ=DAILY;BYSECOND=30', /BYSECOND/],
    ['a bad UNTIL', 'FREQ=DAILY;UNTIL=2026-12-31', /UNTIL/],
    ['COUNT with UNTIL', 'FREQ=DAILY;COUNT=3;UNTIL=20261231', /COUNT or UNTIL/],
    ['a numbered BYDAY on a weekly rule', 'FREQ=WEEKLY;BYDAY=1SU', /MONTHLY or YEARLY/],
    ['a sixth Monday of a month', 'FREQ=MONTHLY;BYDAY=6MO', /at most 5/],
    ['BYMONTHDAY on a weekly rule', 'FREQ=WEEKLY;BYMONTHDAY=1', /WEEKLY/],
    ['BYWEEKNO on a monthly rule', 'FREQ=MONTHLY;BYWEEKNO=1', /YEARLY/],
    ['30 February', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', /never/],
    ['BYSETPOS alone', 'FREQ=MONTHLY;BYSETPOS=1', /another BY/],
    ['a BYSETPOS past the period', 'FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2', /past the 1/],
    ['a BYSETPOS past two month days', 'FREQ=MONTHLY;BYMONTHDAY=1,15;BYSETPOS=3', /past the 2/],
    ['a BYSETPOS on a daily rule with one time a day', 'FREQ=DAILY;BYHOUR=1;BYSETPOS=2', /past the 1/],
    ['HOURLY every 24 hours or more', 'FREQ=HOURLY;INTERVAL=24', /use DAILY/],
  ])('rejects %s', (_name, text, message) => {
    expect(rruleError(text)).toMatch(message);
  });
});

describe('scheduleError', () => {
  it.each([
    ['a valid recurring window', { starts: '2026-03-01T02:00', duration: '1h', rrule: 'FREQ=WEEKLY' }, undefined],
    ['a day that does not exist', { starts: '2026-02-30T02:00', duration: '1h' }, /starts: 2026-02-30T02:00/],
    [
      'an invalid rule',
      { starts: '2026-03-01T02:00', duration: '1h', rrule: 'FREQ=DAILY;BYHOUR=99' },
      /rrule: BYHOUR=99/,
    ],
  ])('%s', (_name, w, expected) => {
    const message = scheduleError(win(w));
    if (expected === undefined) expect(message).toBeUndefined();
    else expect(message).toMatch(expected);
  });
});
