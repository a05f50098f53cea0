import { describe, expect, it } from 'vitest';
import { boundDetails, parseTimestamp, truncate } from '../limits.js';
import { normalizeSeverity } from '../severity.js';

describe('normalizeSeverity', () => {
  it.each([
    ['critical', 'critical'],
    [' Critical ', 'critical'],
    ['page', 'critical'],
    ['P1', 'critical'],
    ['fatal', 'critical'],
    ['error', 'error'],
    ['high', 'error'],
    ['major', 'error'],
    ['warning', 'warning'],
    ['warn', 'warning'],
    ['minor', 'warning'],
    ['info', 'info'],
    ['low', 'info'],
    ['none', 'info'],
    ['bogus', 'warning'],
    ['', 'warning'],
    [undefined, 'warning'],
    [3, 'warning'],
  ])('%j → %s', (value, expected) => {
    expect(normalizeSeverity(value)).toBe(expected);
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['2015-07-17T08:42:58.315+0000', Date.UTC(2015, 6, 17, 8, 42, 58, 315)],
    ['2021-10-12T09:51:03.157076+02:00', Date.UTC(2021, 9, 12, 7, 51, 3, 157)],
    ['2018-08-03T09:52:26.739266876+02:00', Date.UTC(2018, 7, 3, 7, 52, 26, 739)],
    ['2026-01-02T03:04:05Z', Date.UTC(2026, 0, 2, 3, 4, 5)],
    ['2026-01-02 03:04:05', Date.UTC(2026, 0, 2, 3, 4, 5)],
    ['2026-01-02T03:04-05:30', Date.UTC(2026, 0, 2, 8, 34)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['0001-01-01T00:00:00Z', null],
    ['2023-02-29T00:00:00Z', undefined],
    ['2026-13-01T00:00:00Z', undefined],
    ['2026-01-01', undefined],
    ['yesterday', undefined],
    [1_700_000_000, undefined],
    [`2026-01-01T00:00:00.${'1'.repeat(100_000)}Z`, undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });
});

describe('boundDetails', () => {
  it('keeps details that fit', () => {
    expect(boundDetails({ a: 1, b: 'x', c: undefined })).toEqual({ a: 1, b: 'x' });
  });

  it('is undefined when there is nothing to keep', () => {
    expect(boundDetails({ a: undefined })).toBeUndefined();
  });

  it('drops the largest fields first and says so', () => {
    const out = boundDetails({ small: 'keep', big: 'x'.repeat(5000), medium: 'y'.repeat(1000) }, 4096);
    expect(out).toEqual({ small: 'keep', medium: 'y'.repeat(1000), _dropped: ['big'], _note: expect.any(String) });
  });
});

describe('truncate', () => {
  it('cuts with an ellipsis and never splits a surrogate pair', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
