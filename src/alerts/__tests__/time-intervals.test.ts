import { describe, expect, it } from 'vitest';
import { TimeIntervalSpecSchema } from '../config.model.js';
import { compileTimeInterval, inTimeInterval, TimeIntervalError } from '../time-intervals.js';

const spec = (timeZone: string, intervals: unknown[]) => TimeIntervalSpecSchema.parse({ timeZone, intervals });
const at = (iso: string) => Date.parse(iso);

const officeNY = spec('America/New_York', [{ weekdays: ['monday:friday'], times: [{ start: '09:00', end: '17:00' }] }]);
const weekdaysNY = spec('America/New_York', [{ weekdays: ['monday:friday'] }]);
const twoToThree = (zone: string) => spec(zone, [{ times: [{ start: '02:00', end: '03:00' }] }]);

describe('inTimeInterval', () => {
  it.each([
    ['office hours: 09:00 EDT is inside (start inclusive)', officeNY, '2026-03-09T13:00:00Z', true],
    ['office hours: 08:59 EDT is outside', officeNY, '2026-03-09T12:59:00Z', false],
    ['office hours: 17:00 EDT is outside (end exclusive)', officeNY, '2026-03-09T21:00:00Z', false],
    ['office hours follow the wall clock: 13:30Z is 08:30 EST a week earlier', officeNY, '2026-03-02T13:30:00Z', false],
    ['office hours: 09:00 EST is 14:00Z before the change', officeNY, '2026-03-02T14:00:00Z', true],
    ['office hours: a Saturday is outside', officeNY, '2026-03-07T15:00:00Z', false],
    ['weekdays are New York days: Saturday 02:00Z is Friday 22:00 there', weekdaysNY, '2026-03-14T02:00:00Z', true],
    ['weekdays are New York days: Monday 03:00Z is still Sunday there', weekdaysNY, '2026-03-09T03:00:00Z', false],
    ['NY spring-forward day: 01:59 EST is before 02:00', twoToThree('America/New_York'), '2026-03-08T06:59:00Z', false],
    [
      'NY spring-forward day: the next minute is 03:00 EDT, past the range',
      twoToThree('America/New_York'),
      '2026-03-08T07:00:00Z',
      false,
    ],
    ['NY the day before: 02:30 EST is inside', twoToThree('America/New_York'), '2026-03-07T07:30:00Z', true],
    ['Berlin fall-back day: 02:30 CEST is inside', twoToThree('Europe/Berlin'), '2026-10-25T00:30:00Z', true],
    [
      'Berlin fall-back day: 02:30 CET, the repeated hour, is inside too',
      twoToThree('Europe/Berlin'),
      '2026-10-25T01:30:00Z',
      true,
    ],
    ['Berlin fall-back day: 03:00 CET is outside', twoToThree('Europe/Berlin'), '2026-10-25T02:00:00Z', false],
    ['Berlin fall-back day: 01:59 CEST is outside', twoToThree('Europe/Berlin'), '2026-10-24T23:59:00Z', false],
  ])('%s', (_name, s, iso, expected) => {
    expect(inTimeInterval(s, at(iso))).toBe(expected);
  });

  const utc = (entry: unknown) => spec('UTC', [entry]);
  it.each([
    ['24:00 as an end includes 23:59', { times: [{ start: '22:00', end: '24:00' }] }, '2026-01-01T23:59:00Z', true],
    [
      '24:00 as an end excludes the next midnight',
      { times: [{ start: '22:00', end: '24:00' }] },
      '2026-01-02T00:00:00Z',
      false,
    ],
    [
      'several time ranges: any one holds',
      {
        times: [
          { start: '01:00', end: '02:00' },
          { start: '05:00', end: '06:00' },
        ],
      },
      '2026-01-01T05:10:00Z',
      true,
    ],
    ['day -1 is the last day of February', { daysOfMonth: ['-1'] }, '2026-02-28T12:00:00Z', true],
    ['day -1 is not the 27th of February', { daysOfMonth: ['-1'] }, '2026-02-27T12:00:00Z', false],
    ['day -1 is the 29th in a leap February', { daysOfMonth: ['-1'] }, '2024-02-29T12:00:00Z', true],
    ['-3:-1 covers the 28th of a 30-day month', { daysOfMonth: ['-3:-1'] }, '2026-04-28T00:00:00Z', true],
    ['-3:-1 does not cover the 27th of a 30-day month', { daysOfMonth: ['-3:-1'] }, '2026-04-27T23:59:00Z', false],
    [
      '25:31 is clamped to the month: the 30th of April is inside',
      { daysOfMonth: ['25:31'] },
      '2026-04-30T12:00:00Z',
      true,
    ],
    ['31 does not exist in April, so no April day is inside', { daysOfMonth: ['31'] }, '2026-04-30T12:00:00Z', false],
    ['1:7 is the first week, inclusive', { daysOfMonth: ['1:7'] }, '2026-03-07T23:00:00Z', true],
    ['1:7 excludes the 8th', { daysOfMonth: ['1:7'] }, '2026-03-08T00:00:00Z', false],
    ['months by name range', { months: ['january:march'] }, '2026-02-15T00:00:00Z', true],
    ['months by number range', { months: ['1:3'] }, '2026-04-01T00:00:00Z', false],
    ['month names are case-insensitive', { months: ['December'] }, '2026-12-24T00:00:00Z', true],
    [
      'weekday names: sunday (0 in Alertmanager) matches a Sunday',
      { weekdays: ['saturday', 'sunday'] },
      '2026-03-08T12:00:00Z',
      true,
    ],
    ['weekday ranges are inclusive at both ends', { weekdays: ['monday:friday'] }, '2026-03-13T12:00:00Z', true],
    ['years are inclusive ranges', { years: ['2026:2027'] }, '2027-12-31T23:59:00Z', true],
    ['a year past the range is outside', { years: ['2026:2027'] }, '2028-01-01T00:00:00Z', false],
    ['an entry with no fields holds always', {}, '2031-05-05T05:05:00Z', true],
    ['all fields of an entry must hold', { weekdays: ['monday'], months: ['april'] }, '2026-03-09T12:00:00Z', false],
  ])('%s', (_name, entry, iso, expected) => {
    expect(inTimeInterval(utc(entry), at(iso))).toBe(expected);
  });

  it('an instant is inside when any entry holds', () => {
    const s = spec('UTC', [{ weekdays: ['saturday', 'sunday'] }, { times: [{ start: '00:00', end: '06:00' }] }]);
    expect(inTimeInterval(s, at('2026-03-07T12:00:00Z'))).toBe(true); // Saturday noon
    expect(inTimeInterval(s, at('2026-03-09T03:00:00Z'))).toBe(true); // Monday night
    expect(inTimeInterval(s, at('2026-03-09T12:00:00Z'))).toBe(false); // Monday noon
  });

  it('fields are read in the time zone: the last day of March in Berlin, in its DST month', () => {
    const s = spec('Europe/Berlin', [{ daysOfMonth: ['-1'] }]);
    expect(inTimeInterval(s, at('2026-03-31T12:00:00Z'))).toBe(true);
    expect(inTimeInterval(s, at('2026-03-30T12:00:00Z'))).toBe(false);
  });

  it('the same instant is inside in Tokyo and outside in UTC', () => {
    const entry = { times: [{ start: '09:00', end: '10:00' }] };
    expect(inTimeInterval(spec('Asia/Tokyo', [entry]), at('2026-06-01T00:30:00Z'))).toBe(true);
    expect(inTimeInterval(spec('UTC', [entry]), at('2026-06-01T00:30:00Z'))).toBe(false);
  });

  it('years are read in the zone: 23:30Z on New Year’s Eve is already next year in Berlin', () => {
    const s = spec('Europe/Berlin', [{ years: ['2026:2027'] }]);
    expect(inTimeInterval(s, at('2027-12-31T23:30:00Z'))).toBe(false);
  });

  it('a compiled interval gives the same answers as inTimeInterval', () => {
    const f = compileTimeInterval(officeNY);
    for (const iso of ['2026-03-09T13:00:00Z', '2026-03-09T21:00:00Z', '2026-03-07T15:00:00Z']) {
      expect(f(at(iso))).toBe(inTimeInterval(officeNY, at(iso)));
    }
  });
});

describe('compileTimeInterval errors', () => {
  it.each([
    [
      'a weekday range that wraps past saturday',
      { weekdays: ['monday', 'saturday:sunday'] },
      'intervals[0].weekdays[1]',
    ],
    ['a start time not before its end', { times: [{ start: '10:00', end: '10:00' }] }, 'intervals[0].times[0]'],
    ['24:30', { times: [{ start: '10:00', end: '24:30' }] }, 'intervals[0].times[0].end'],
    ['day 0', { daysOfMonth: ['0'] }, 'intervals[0].daysOfMonth[0]'],
    ['a negative start with a positive end', { daysOfMonth: ['-1:5'] }, 'intervals[0].daysOfMonth[0]'],
    ['a day range that is always empty', { daysOfMonth: ['10:5'] }, 'intervals[0].daysOfMonth[0]'],
    ['month 13', { months: ['13'] }, 'intervals[0].months[0]'],
    ['a backwards month range', { months: ['march:january'] }, 'intervals[0].months[0]'],
    ['a backwards year range', { years: ['2027:2026'] }, 'intervals[0].years[0]'],
  ])('rejects %s with the field path', (_name, entry, path) => {
    const s = spec('UTC', [entry]);
    expect(() => compileTimeInterval(s)).toThrow(TimeIntervalError);
    expect(() => compileTimeInterval(s)).toThrow(expect.objectContaining({ path }));
  });
});
