import { z } from 'zod';

/** API shapes of the oncall module. Instants are ISO 8601 in UTC; schedules carry their own zone. */

export const ShiftViewSchema = z.object({
  user: z.string(),
  name: z.string().nullable(),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  source: z.enum(['layer', 'override', 'swap']),
  layer: z.number().int().optional(),
  /** Name of the layer, for shifts from a layer. */
  layerName: z.string().optional(),
  ref: z.string().optional(),
});
export type ShiftView = z.infer<typeof ShiftViewSchema>;

export const OnCallSchema = z.object({
  schedule: z.string(),
  timeZone: z.string(),
  at: z.iso.datetime(),
  onCall: ShiftViewSchema.nullable(),
  next: ShiftViewSchema.nullable(),
});
export type OnCall = z.infer<typeof OnCallSchema>;

export const TimelineSchema = z.object({
  schedule: z.string(),
  timeZone: z.string(),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  final: z.array(ShiftViewSchema),
  layers: z.array(z.object({ name: z.string(), shifts: z.array(ShiftViewSchema) })),
  overrides: z.array(
    z.object({ id: z.string(), user: z.string(), start: z.iso.datetime(), end: z.iso.datetime(), reason: z.string() }),
  ),
  swaps: z.array(
    z.object({
      id: z.string(),
      from: z.string(),
      to: z.string(),
      start: z.iso.datetime(),
      end: z.iso.datetime(),
      reason: z.string(),
    }),
  ),
});
export type Timeline = z.infer<typeof TimelineSchema>;

/** An instant: ISO 8601 with an offset or Z (2026-03-08T07:30-05:00), or epoch milliseconds. */
export const InstantSchema = z
  .string()
  .trim()
  .transform((s, ctx) => {
    // An instant must say its offset: a bare local time would silently mean the server's zone.
    const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.exec(s);
    // Date.parse rolls 2026-02-30 over to March 2: a date that does not exist is an error, not another day.
    const real =
      m !== null &&
      Number(m[4]) < 24 &&
      Number(m[5]) < 60 &&
      new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDate() === Number(m[3]);
    const ms = /^\d{10,16}$/.test(s) ? Number(s) : real ? Date.parse(s) : Number.NaN;
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'an instant with an offset, e.g. 2026-03-08T07:30-05:00 or …Z' });
      return z.NEVER;
    }
    return ms;
  });

export const OverrideInputSchema = z
  .strictObject({
    user: z.email(),
    start: InstantSchema,
    end: InstantSchema,
    reason: z.string().max(500).default(''),
  })
  .refine((o) => o.end > o.start, { message: 'an override must end after it starts', path: ['end'] });

export const SwapInputSchema = z
  .strictObject({
    /** The person giving away their shifts in [start, end). */
    from: z.email(),
    /** The person taking them. */
    to: z.email(),
    start: InstantSchema,
    end: InstantSchema,
    /** Optional return leg: `to` gives `from` their shifts in this range (a two-way swap). */
    returnStart: InstantSchema.optional(),
    returnEnd: InstantSchema.optional(),
    reason: z.string().max(500).default(''),
  })
  .refine((o) => o.end > o.start, { message: 'a swap must end after it starts', path: ['end'] })
  .refine((o) => o.from !== o.to, { message: 'a swap needs two different people', path: ['to'] })
  .refine((o) => (o.returnStart === undefined) === (o.returnEnd === undefined), {
    message: 'give both returnStart and returnEnd, or neither',
    path: ['returnEnd'],
  })
  .refine((o) => o.returnStart === undefined || (o.returnEnd as number) > o.returnStart, {
    message: 'the return leg must end after it starts',
    path: ['returnEnd'],
  });

export const RangeQuerySchema = z.object({ from: InstantSchema.optional(), to: InstantSchema.optional() });
