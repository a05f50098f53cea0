import { describe, expect, it } from 'vitest';
import { layerShifts } from '../engine.js';
import { at, hours, rows, spec } from './fixtures.js';

const NY = 'America/New_York';
const A = 'a@example.com';
const B = 'b@example.com';
const C = 'c@example.com';

const twelveHourly = (handoff: string, start: string) =>
  spec({
    timeZone: NY,
    layers: [{ name: 'p', rotation: { every: 12, unit: 'hours', start, handoff, participants: [A, B] } }],
  });

describe('an every-12-hours rotation in America/New_York', () => {
  it('moves a 02:30 handoff that the spring-forward skips to 03:30 EDT', () => {
    const shifts = layerShifts(
      twelveHourly('02:30', '2026-03-06'),
      0,
      at('2026-03-07T14:30:00-05:00'),
      at('2026-03-09T02:30:00-04:00'),
    );
    expect(rows(shifts, NY)).toEqual([
      [B, '2026-03-07T14:30:00-05:00', '2026-03-08T03:30:00-04:00'],
      [A, '2026-03-08T03:30:00-04:00', '2026-03-08T14:30:00-04:00'],
      [B, '2026-03-08T14:30:00-04:00', '2026-03-09T02:30:00-04:00'],
    ]);
    // The gap moves the handoff an hour later in real time: 12 h, then 11 h back to the 14:30 wall clock.
    expect(shifts.map(hours)).toEqual([12, 11, 12]);
  });

  it('keeps 02:30 after the fall-back, where it is not ambiguous, so the crossing turn is 13 h', () => {
    const shifts = layerShifts(
      twelveHourly('02:30', '2026-10-30'),
      0,
      at('2026-10-31T14:30:00-04:00'),
      at('2026-11-01T14:30:00-05:00'),
    );
    expect(rows(shifts, NY)).toEqual([
      [B, '2026-10-31T14:30:00-04:00', '2026-11-01T02:30:00-05:00'],
      [A, '2026-11-01T02:30:00-05:00', '2026-11-01T14:30:00-05:00'],
    ]);
    expect(shifts.map(hours)).toEqual([13, 12]);
  });

  it('takes the earlier of the two 01:30s at the fall-back (EDT), so the next turn is 13 h', () => {
    const shifts = layerShifts(
      twelveHourly('01:30', '2026-10-30'),
      0,
      at('2026-10-31T13:30:00-04:00'),
      at('2026-11-02T01:30:00-05:00'),
    );
    expect(rows(shifts, NY)).toEqual([
      [B, '2026-10-31T13:30:00-04:00', '2026-11-01T01:30:00-04:00'],
      [A, '2026-11-01T01:30:00-04:00', '2026-11-01T13:30:00-05:00'],
      [B, '2026-11-01T13:30:00-05:00', '2026-11-02T01:30:00-05:00'],
    ]);
    expect(shifts.map(hours)).toEqual([12, 13, 12]);
  });

  it('does the same in 2027 (gap on 2027-03-14)', () => {
    const shifts = layerShifts(
      twelveHourly('02:30', '2027-03-13'),
      0,
      at('2027-03-13T14:30:00-05:00'),
      at('2027-03-14T14:30:00-04:00'),
    );
    expect(rows(shifts, NY)).toEqual([
      [B, '2027-03-13T14:30:00-05:00', '2027-03-14T03:30:00-04:00'],
      [A, '2027-03-14T03:30:00-04:00', '2027-03-14T14:30:00-04:00'],
    ]);
  });
});

describe('rotation arithmetic', () => {
  it('gives an hourly turn that falls wholly in the spring-forward gap no time at all', () => {
    // Wall-clock handoffs 01:30, 02:30 (→ 03:30 EDT), 03:30 EDT: the 02:30 turn is empty.
    const s = spec({
      timeZone: NY,
      layers: [
        { name: 'p', rotation: { unit: 'hours', start: '2026-03-08', handoff: '00:30', participants: [A, B, C] } },
      ],
    });
    const shifts = layerShifts(s, 0, at('2026-03-08T01:30:00-05:00'), at('2026-03-08T04:30:00-04:00'));
    expect(rows(shifts, NY)).toEqual([
      [B, '2026-03-08T01:30:00-05:00', '2026-03-08T03:30:00-04:00'],
      // C's turn (handoff 02:30 local) is empty; A takes over at 03:30 EDT as turn 3.
      [A, '2026-03-08T03:30:00-04:00', '2026-03-08T04:30:00-04:00'],
    ]);
  });

  it('has nobody on call before the first handoff', () => {
    const s = spec({
      timeZone: 'Europe/Berlin',
      layers: [{ name: 'p', rotation: { unit: 'days', start: '2026-05-10', participants: [A, B] } }],
    });
    expect(layerShifts(s, 0, at('2026-05-01T00:00:00+02:00'), at('2026-05-10T09:00:00+02:00'))).toEqual([]);
    const shifts = layerShifts(s, 0, at('2026-05-09T00:00:00+02:00'), at('2026-05-11T00:00:00+02:00'));
    expect(rows(shifts, 'Europe/Berlin')).toEqual([[A, '2026-05-10T09:00:00+02:00', '2026-05-11T00:00:00+02:00']]);
  });

  it('cycles participants as participants[k mod n], every N units, far from the start', () => {
    const s = spec({
      timeZone: 'Europe/Berlin',
      layers: [
        {
          name: 'p',
          rotation: { every: 2, unit: 'weeks', start: '2026-01-05', handoff: '10:00', participants: [A, B, C] },
        },
      ],
    });
    // 2026-12-28 is 51 weeks after 2026-01-05: turn 25 (25 mod 3 = 1, B) began on 2026-12-21.
    const shifts = layerShifts(s, 0, at('2026-12-28T00:00:00+01:00'), at('2027-01-20T00:00:00+01:00'));
    expect(rows(shifts, 'Europe/Berlin')).toEqual([
      [B, '2026-12-28T00:00:00+01:00', '2027-01-04T10:00:00+01:00'],
      [C, '2027-01-04T10:00:00+01:00', '2027-01-18T10:00:00+01:00'],
      [A, '2027-01-18T10:00:00+01:00', '2027-01-20T00:00:00+01:00'],
    ]);
  });

  it('clips to the range and returns nothing for an empty one', () => {
    const s = spec({
      timeZone: 'UTC',
      layers: [{ name: 'p', rotation: { unit: 'days', start: '2026-01-01', handoff: '00:00', participants: [A] } }],
    });
    const from = at('2026-02-01T06:00:00Z');
    expect(layerShifts(s, 0, from, from)).toEqual([]);
    expect(layerShifts(s, 0, from, from + 1)).toEqual([
      { user: A, start: from, end: from + 1, source: 'layer', layer: 0 },
    ]);
  });

  it('rejects a layer the schedule does not have', () => {
    const s = spec({
      timeZone: 'UTC',
      layers: [{ name: 'p', rotation: { unit: 'days', start: '2026-01-01', participants: [A] } }],
    });
    expect(() => layerShifts(s, 1, 0, 1000)).toThrow(RangeError);
  });
});
