import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  isTimeZone,
  parseDuration,
  parseInstant,
  relative,
  utcTime,
  zonedTime,
} from '../../src/cli/commands/time-output.js';
import { UsageError } from '../../src/cli/errors.js';

describe('parseInstant', () => {
  it.each([
    ['2026-03-08T07:30-05:00', '2026-03-08T12:30:00.000Z'],
    ['2026-03-08T07:30:15+01:00', '2026-03-08T06:30:15.000Z'],
    ['2026-03-08T12:30:00.250Z', '2026-03-08T12:30:00.250Z'],
    ['2026-03-08t12:30z', '2026-03-08T12:30:00.000Z'],
    [' 2026-03-08T12:30Z ', '2026-03-08T12:30:00.000Z'],
  ])('%s is %s', (input, iso) => {
    expect(parseInstant(input, 'TIME')).toBe(iso);
  });

  it.each([
    ['2026-03-08T07:30', /a local time without a zone/, /^add the offset you mean, e.g. .* or 2026-03-08T07:30Z$/],
    ['2026-03-08 07:30', /a local time without a zone/, /or 2026-03-08T07:30Z$/],
    ['2026-03-08', /a local time without a zone/, /or 2026-03-08T00:00Z$/],
    ['tomorrow', /^TIME must be an ISO 8601 time with an offset, not "tomorrow"$/, /^e\.g\. /],
    ['1772973000000', /with an offset/, /^e\.g\. /],
    ['2026-02-30T10:00Z', /^TIME: "2026-02-30T10:00Z" is not a date and time that exists$/, /^e\.g\. /],
    ['2026-03-08T24:00-05:00', /is not a date and time that exists/, /^e\.g\. /],
  ])('%s is a usage error', (input, message, hint) => {
    let err: unknown;
    try {
      parseInstant(input, 'TIME');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(message);
    expect((err as UsageError).hint).toMatch(hint);
  });
});

describe('parseDuration', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['8h', 8 * 3_600_000],
    ['1d12h', 36 * 3_600_000],
    ['2w', 14 * 86_400_000],
  ])('%s', (input, ms) => {
    expect(parseDuration(input, '--for')).toBe(ms);
  });

  it.each(['0h', '', '8', 'h', '1.5h', '10s', '-1h'])('%j is a usage error', (input) => {
    expect(() => parseDuration(input, '--for')).toThrow(/--for must be a duration like 30m, 8h, 1d12h/);
  });
});

describe('zonedTime and utcTime', () => {
  it.each([
    // Either side of the spring-forward in New York (2026-03-08 02:00 → 03:00).
    ['2026-03-08T06:59:00Z', 'America/New_York', '2026-03-08 01:59-05:00'],
    ['2026-03-08T07:00:00Z', 'America/New_York', '2026-03-08 03:00-04:00'],
    // The hour that happens twice at the fall-back (2026-11-01 02:00 → 01:00).
    ['2026-11-01T05:30:00Z', 'America/New_York', '2026-11-01 01:30-04:00'],
    ['2026-11-01T06:30:00Z', 'America/New_York', '2026-11-01 01:30-05:00'],
    ['2026-06-01T00:00:00Z', 'Asia/Kolkata', '2026-06-01 05:30+05:30'],
    ['2026-06-01T00:00:00Z', 'UTC', '2026-06-01 00:00+00:00'],
    ['2026-06-01T23:59:59.900Z', 'Europe/Berlin', '2026-06-02 01:59:59+02:00'],
  ])('%s in %s is %s', (iso, zone, shown) => {
    expect(zonedTime(iso, zone)).toBe(shown);
  });

  it('utcTime ends in Z and shows seconds only when there are some', () => {
    expect(utcTime('2026-03-08T13:00:00.000Z')).toBe('2026-03-08 13:00Z');
    expect(utcTime('2026-03-08T13:00:07.000Z')).toBe('2026-03-08 13:00:07Z');
  });

  it('isTimeZone knows IANA names and refuses the rest', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('formatDuration and relative', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [250_000, '4m 10s'],
    [3_600_000, '1h'],
    [23 * 3_600_000, '23h'],
    [25 * 3_600_000, '25h'],
    [(2 * 60 + 30) * 60_000, '2h 30m'],
    [38 * 3_600_000, '38h'],
    [7 * 86_400_000, '7d'],
    [7 * 86_400_000 - 3_600_000, '6d 23h'],
  ])('%i ms is %s', (ms, shown) => {
    expect(formatDuration(ms)).toBe(shown);
  });

  it('relative says in or ago', () => {
    const now = Date.parse('2026-03-08T12:00:00Z');
    expect(relative('2026-03-08T16:30:00Z', now)).toBe('in 4h 30m');
    expect(relative('2026-03-05T12:00:00Z', now)).toBe('3d ago');
  });
});
