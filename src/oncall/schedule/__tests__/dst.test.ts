import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { layerShifts } from '../engine.js';
import { addDays, at, hours, rows, spec } from './fixtures.js';

/**
 * DST changes of 2026 and 2027: spring-forward and fall-back, northern and southern hemisphere, and
 * Lord Howe's 30-minute change. `before`/`after` are the offsets on the day before and after the change.
 */
const transitions = [
  { zone: 'America/New_York', date: '2026-03-08', before: '-05:00', after: '-04:00' },
  { zone: 'America/New_York', date: '2026-11-01', before: '-04:00', after: '-05:00' },
  { zone: 'America/New_York', date: '2027-03-14', before: '-05:00', after: '-04:00' },
  { zone: 'America/New_York', date: '2027-11-07', before: '-04:00', after: '-05:00' },
  { zone: 'Europe/Berlin', date: '2026-03-29', before: '+01:00', after: '+02:00' },
  { zone: 'Europe/Berlin', date: '2026-10-25', before: '+02:00', after: '+01:00' },
  { zone: 'Europe/Berlin', date: '2027-03-28', before: '+01:00', after: '+02:00' },
  { zone: 'Europe/Berlin', date: '2027-10-31', before: '+02:00', after: '+01:00' },
  { zone: 'Australia/Sydney', date: '2026-04-05', before: '+11:00', after: '+10:00' },
  { zone: 'Australia/Sydney', date: '2026-10-04', before: '+10:00', after: '+11:00' },
  { zone: 'Australia/Sydney', date: '2027-04-04', before: '+11:00', after: '+10:00' },
  { zone: 'Australia/Sydney', date: '2027-10-03', before: '+10:00', after: '+11:00' },
  { zone: 'Australia/Lord_Howe', date: '2026-04-05', before: '+11:00', after: '+10:30' },
  { zone: 'Australia/Lord_Howe', date: '2026-10-04', before: '+10:30', after: '+11:00' },
  { zone: 'Australia/Lord_Howe', date: '2027-04-04', before: '+11:00', after: '+10:30' },
  { zone: 'Australia/Lord_Howe', date: '2027-10-03', before: '+10:30', after: '+11:00' },
].map((t) => {
  const minutes = (o: string) => (o.startsWith('-') ? -1 : 1) * (Number(o.slice(1, 3)) * 60 + Number(o.slice(4)));
  // How far the wall clock jumps: +60 springs forward an hour, -30 falls back half an hour.
  const jump = minutes(t.after) - minutes(t.before);
  return { ...t, jump, name: `${t.zone} ${t.date} (${jump > 0 ? 'forward' : 'back'} ${Math.abs(jump)} min)` };
});

const A = 'a@example.com';
const B = 'b@example.com';

describe('the DST change dates of this suite', () => {
  it.each(transitions)('luxon places the change of $name on that day', ({ zone, date, before, after }) => {
    const offset = (iso: string) => DateTime.fromISO(iso, { zone }).toFormat('ZZ');
    expect(offset(`${addDays(date, -1)}T12:00`)).toBe(before);
    expect(offset(`${date}T00:00`)).toBe(before);
    expect(offset(`${date}T12:00`)).toBe(after);
  });
});

describe('a daily 09:00 handoff across a DST change', () => {
  it.each(transitions)('stays at 09:00 local around $name', ({ zone, date, before, after, jump }) => {
    const prev = addDays(date, -1);
    const next = addDays(date, 1);
    const s = spec({
      timeZone: zone,
      layers: [{ name: 'primary', rotation: { unit: 'days', start: addDays(date, -5), participants: [A, B] } }],
    });
    const shifts = layerShifts(s, 0, at(`${prev}T00:00:00${before}`), at(`${next}T12:00:00${after}`));
    // The rotation started on date-5, so the turn handing off on the day before the change is turn 4: A's.
    expect(rows(shifts, zone)).toEqual([
      [B, `${prev}T00:00:00${before}`, `${prev}T09:00:00${before}`],
      [A, `${prev}T09:00:00${before}`, `${date}T09:00:00${after}`],
      [B, `${date}T09:00:00${after}`, `${next}T09:00:00${after}`],
      [A, `${next}T09:00:00${after}`, `${next}T12:00:00${after}`],
    ]);
    // The shift across the change is 23 h / 25 h (23.5 h / 24.5 h at Lord Howe); the next one is 24 h.
    expect(hours(shifts[1]!)).toBe(24 - jump / 60);
    expect(hours(shifts[2]!)).toBe(24);
    expect(shifts.every((x) => x.source === 'layer' && x.layer === 0)).toBe(true);
  });
});

describe('a weekly handoff across a DST change', () => {
  it.each(transitions)('is 168 h minus the jump around $name', ({ zone, date, before, after, jump }) => {
    const start = addDays(date, -3);
    const s = spec({
      timeZone: zone,
      layers: [{ name: 'primary', rotation: { unit: 'weeks', start, handoff: '09:00', participants: [A, B] } }],
    });
    const shifts = layerShifts(s, 0, at(`${start}T09:00:00${before}`), at(`${addDays(date, 11)}T09:00:00${after}`));
    expect(rows(shifts, zone)).toEqual([
      [A, `${start}T09:00:00${before}`, `${addDays(date, 4)}T09:00:00${after}`],
      [B, `${addDays(date, 4)}T09:00:00${after}`, `${addDays(date, 11)}T09:00:00${after}`],
    ]);
    // 167 h / 169 h (167.5 h / 168.5 h at Lord Howe).
    expect(hours(shifts[0]!)).toBe(168 - jump / 60);
    expect(hours(shifts[1]!)).toBe(168);
  });
});

describe('a 22:00–06:00 restriction across a DST change', () => {
  it.each(transitions)('lasts 8 h minus the jump around $name', ({ zone, date, before, after, jump }) => {
    const prev = addDays(date, -1);
    const s = spec({
      timeZone: zone,
      layers: [
        {
          name: 'nights',
          rotation: { unit: 'days', start: addDays(date, -30), participants: [A] },
          restrictions: [{ start: '22:00', end: '06:00' }],
        },
      ],
    });
    const shifts = layerShifts(s, 0, at(`${prev}T12:00:00${before}`), at(`${date}T12:00:00${after}`));
    expect(rows(shifts, zone)).toEqual([[A, `${prev}T22:00:00${before}`, `${date}T06:00:00${after}`]]);
    // Berlin spring 7 h, autumn 9 h; Lord Howe 7.5 h / 8.5 h.
    expect(hours(shifts[0]!)).toBe(8 - jump / 60);
  });
});
