import { describe, expect, it } from 'vitest';
import { layerShifts } from '../engine.js';
import type { ScheduleSpecInput } from '../schedule.model.js';
import { at, hours, rows, spec } from './fixtures.js';

const BERLIN = 'Europe/Berlin';
const A = 'a@example.com';
const B = 'b@example.com';

const restricted = (timeZone: string, restrictions: ScheduleSpecInput['layers'][number]['restrictions']) =>
  spec({
    timeZone,
    layers: [{ name: 'p', rotation: { unit: 'weeks', start: '2026-01-05', participants: [A] }, restrictions }],
  });

describe('restrictions', () => {
  it('limit a layer to weekday business hours, across the Berlin spring change', () => {
    const s = restricted(BERLIN, [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }]);
    // Fri 2026-03-27 to Tue 2026-03-31: the weekend and the DST change fall between working days.
    const shifts = layerShifts(s, 0, at('2026-03-27T00:00:00+01:00'), at('2026-04-01T00:00:00+02:00'));
    expect(rows(shifts, BERLIN)).toEqual([
      [A, '2026-03-27T09:00:00+01:00', '2026-03-27T17:00:00+01:00'],
      [A, '2026-03-30T09:00:00+02:00', '2026-03-30T17:00:00+02:00'],
      [A, '2026-03-31T09:00:00+02:00', '2026-03-31T17:00:00+02:00'],
    ]);
  });

  it('end before start runs into the next day: a Friday night window ends on Saturday', () => {
    const s = restricted(BERLIN, [{ days: ['fri'], start: '20:00', end: '08:00' }]);
    const shifts = layerShifts(s, 0, at('2026-06-01T00:00:00+02:00'), at('2026-06-08T00:00:00+02:00'));
    expect(rows(shifts, BERLIN)).toEqual([[A, '2026-06-05T20:00:00+02:00', '2026-06-06T08:00:00+02:00']]);
  });

  it('end equal to start is one wall-clock day: 23 h on the Berlin spring-forward day', () => {
    const s = restricted(BERLIN, [{ days: ['sun'], start: '00:00', end: '00:00' }]);
    const shifts = layerShifts(s, 0, at('2026-03-28T00:00:00+01:00'), at('2026-03-31T00:00:00+02:00'));
    expect(rows(shifts, BERLIN)).toEqual([[A, '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00']]);
    expect(hours(shifts[0]!)).toBe(23);
  });

  it('a window starting in the New York spring-forward gap starts when the gap ends', () => {
    const s = restricted('America/New_York', [{ days: ['sun'], start: '02:30', end: '04:00' }]);
    const shifts = layerShifts(s, 0, at('2026-03-07T00:00:00-05:00'), at('2026-03-09T00:00:00-04:00'));
    expect(rows(shifts, 'America/New_York')).toEqual([[A, '2026-03-08T03:30:00-04:00', '2026-03-08T04:00:00-04:00']]);
  });

  it('a window ending in the Lord Howe half-hour gap ends when the gap ends', () => {
    // 2026-10-04 jumps 02:00 → 02:30; a 22:00–02:15 window ends at 02:45 +11:00, 4 h 15 min after it began.
    const s = restricted('Australia/Lord_Howe', [{ start: '22:00', end: '02:15' }]);
    const shifts = layerShifts(s, 0, at('2026-10-03T12:00:00+10:30'), at('2026-10-04T12:00:00+11:00'));
    expect(rows(shifts, 'Australia/Lord_Howe')).toEqual([
      [A, '2026-10-03T22:00:00+10:30', '2026-10-04T02:45:00+11:00'],
    ]);
    expect(hours(shifts[0]!)).toBe(4.25);
  });

  it('several windows act as their union', () => {
    const s = restricted(BERLIN, [
      { start: '08:00', end: '12:00' },
      { start: '11:00', end: '14:00' },
      { start: '14:00', end: '15:00' },
    ]);
    const shifts = layerShifts(s, 0, at('2026-06-03T00:00:00+02:00'), at('2026-06-04T00:00:00+02:00'));
    expect(rows(shifts, BERLIN)).toEqual([[A, '2026-06-03T08:00:00+02:00', '2026-06-03T15:00:00+02:00']]);
  });

  it('a handoff inside a window splits it between the two participants', () => {
    const s = spec({
      timeZone: BERLIN,
      layers: [
        {
          name: 'p',
          rotation: { unit: 'days', start: '2026-06-01', handoff: '12:00', participants: [A, B] },
          restrictions: [{ start: '09:00', end: '17:00' }],
        },
      ],
    });
    const shifts = layerShifts(s, 0, at('2026-06-02T00:00:00+02:00'), at('2026-06-03T00:00:00+02:00'));
    expect(rows(shifts, BERLIN)).toEqual([
      [A, '2026-06-02T09:00:00+02:00', '2026-06-02T12:00:00+02:00'],
      [B, '2026-06-02T12:00:00+02:00', '2026-06-02T17:00:00+02:00'],
    ]);
  });
});
