import { IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * An IANA zone name, never a fixed offset: a schedule must follow the zone's DST rules, which 'UTC+2'
 * or '+02:00' cannot express. 'UTC' and 'Etc/UTC' are IANA names and are accepted.
 */
export const TimeZoneSchema = z
  .string()
  .max(64)
  .refine((v) => IANAZone.isValidZone(v), { message: 'an IANA time zone such as Europe/Berlin' });

/** A local wall-clock time, 'HH:MM' from 00:00 to 23:59. */
export const LocalTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'a local time HH:MM from 00:00 to 23:59' });

/** A local calendar date, 'YYYY-MM-DD', that exists (no 2026-02-30). */
export const LocalDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'a date YYYY-MM-DD' })
  .refine(
    (v) => {
      const [y, m, d] = v.split('-').map(Number) as [number, number, number];
      const date = new Date(Date.UTC(y, m - 1, d));
      // Date.UTC maps years 0–99 to 1900–1999, so the year check also rejects those.
      return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
    },
    { message: 'a calendar date that exists' },
  );

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const WeekdaySchema = z.enum(WEEKDAYS);

/**
 * A window of local wall-clock time that starts on each listed day at `start` and ends at `end`.
 * `end <= start` means it ends on the next day; `end == start` is a full wall-clock day (23 or 25 h
 * of real time on a DST change day).
 */
export const RestrictionSchema = z.strictObject({
  days: z
    .array(WeekdaySchema)
    .min(1)
    .default(() => [...WEEKDAYS]),
  start: LocalTimeSchema,
  end: LocalTimeSchema,
});

export const RotationSchema = z.strictObject({
  every: z.number().int().min(1).max(366).default(1),
  /** Daily = {every: 1, unit: 'days'}, weekly = {every: 1, unit: 'weeks'}. */
  unit: z.enum(['hours', 'days', 'weeks']),
  /** Local date of the first handoff. */
  start: LocalDateSchema,
  /** Local wall-clock time of the handoffs. */
  handoff: LocalTimeSchema.default('09:00'),
  participants: z.array(z.email()).min(1, 'a rotation needs at least one participant').max(200),
});

export const LayerSchema = z.strictObject({
  name: z.string().min(1).max(100),
  rotation: RotationSchema,
  /** The layer only has someone on call inside the union of these windows; none means always. */
  restrictions: z.array(RestrictionSchema).max(50).default([]),
});

export const ScheduleSpecSchema = z.strictObject({
  timeZone: TimeZoneSchema,
  description: z.string().max(1000).optional(),
  team: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .optional(),
  /** Later layers are higher: where a higher layer has someone, it wins. */
  layers: z.array(LayerSchema).min(1).max(20),
});

export type Weekday = z.infer<typeof WeekdaySchema>;
export type Restriction = z.infer<typeof RestrictionSchema>;
export type Rotation = z.infer<typeof RotationSchema>;
export type Layer = z.infer<typeof LayerSchema>;
/** A parsed schedule, defaults applied; what the engine takes. */
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;
/** A schedule as written by a user (YAML, API body), before defaults. */
export type ScheduleSpecInput = z.input<typeof ScheduleSpecSchema>;

/** Someone covers a time range (epoch ms, end exclusive); wins over every layer. */
export interface Override {
  id: string;
  user: string;
  start: number;
  end: number;
}

/**
 * Within [start, end) every slot of the final timeline held by `from` goes to `to`. A swap between
 * two people is two Swap records, one each way, possibly over different ranges.
 */
export interface Swap {
  id: string;
  from: string;
  to: string;
  start: number;
  end: number;
}

/** Someone on call over [start, end), epoch ms. */
export interface Shift {
  user: string;
  start: number;
  end: number;
  source: 'layer' | 'override' | 'swap';
  /** Index of the layer, for source 'layer'. */
  layer?: number;
  /** Override or swap id. */
  ref?: string;
}
