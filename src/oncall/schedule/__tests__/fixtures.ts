import { DateTime } from 'luxon';
import { type ScheduleSpec, type ScheduleSpecInput, ScheduleSpecSchema, type Shift } from '../schedule.model.js';

/** Epoch ms of an ISO string with an offset, e.g. '2026-03-29T09:00:00+02:00'. */
export const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad ISO ${iso}`);
  return ms;
};

/** An instant as ISO with the zone's offset, so a failing assertion reads like the expectation. */
export const local = (ms: number, zone: string): string =>
  DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true, includeOffset: true })!;

export const spec = (input: ScheduleSpecInput): ScheduleSpec => ScheduleSpecSchema.parse(input);

/** Shifts as [user, start, end] in the zone, for readable comparisons. */
export const rows = (shifts: Shift[], zone: string): [string, string, string][] =>
  shifts.map((s) => [s.user, local(s.start, zone), local(s.end, zone)]);

export const hours = (s: { start: number; end: number }): number => (s.end - s.start) / 3_600_000;

/** A local calendar date plus n days, as YYYY-MM-DD (calendar arithmetic only, no zone). */
export const addDays = (date: string, n: number): string =>
  DateTime.fromISO(date, { zone: 'UTC' }).plus({ days: n }).toISODate()!;
