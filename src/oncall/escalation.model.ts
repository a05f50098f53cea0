import { z } from 'zod';
import { ResourceNameSchema } from '../platform/resources/resource.js';
import { LocalTimeSchema, TimeZoneSchema, WeekdaySchema } from './schedule/index.js';

/**
 * EscalationPolicy: who is paged, in which order, and how long each level has before the next.
 * Level semantics follow PagerDuty's escalation rules (which its migrating users know): level 0 is
 * paged when the incident opens; level i+1 is paged `escalateAfterMinutes` of level i later unless
 * someone acknowledged; after the last level the policy starts over `repeat` more times.
 */

export const ResourceName = ResourceNameSchema;
const TeamSlug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a team slug');

export const EscalationTargetSchema = z.union([
  z.strictObject({ user: z.email() }),
  z.strictObject({ schedule: ResourceName }),
  /** Every member of the team, or one member in turn per incident with `roundRobin`. */
  z.strictObject({ team: TeamSlug, roundRobin: z.boolean().default(false) }),
  /** A notification channel (a team's Slack, a shared webhook) told at this level; it cannot acknowledge. */
  z.strictObject({ channel: ResourceName }),
]);
export type EscalationTarget = z.infer<typeof EscalationTargetSchema>;

export const EscalationLevelSchema = z.strictObject({
  escalateAfterMinutes: z.number().int().min(1).max(1440).default(30),
  targets: z.array(EscalationTargetSchema).min(1, 'an escalation level needs at least one target').max(20),
});

export const SupportHoursSchema = z.strictObject({
  timeZone: TimeZoneSchema,
  days: z.array(WeekdaySchema).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
  start: LocalTimeSchema,
  end: LocalTimeSchema,
});
export type SupportHours = z.infer<typeof SupportHoursSchema>;

export const EscalationPolicySpecSchema = z.strictObject({
  description: z.string().max(1000).optional(),
  team: TeamSlug.optional(),
  levels: z.array(EscalationLevelSchema).min(1, 'a policy needs at least one level').max(20),
  /** Times the whole policy runs again after the last level when nobody acknowledged. */
  repeat: z.number().int().min(0).max(10).default(0),
  /** An acknowledged incident not resolved within this many minutes goes back to triggered and escalates again. */
  ackTimeoutMinutes: z.number().int().min(1).max(10_080).optional(),
  /** Resolve the incident when every linked alert has resolved. */
  autoResolve: z.boolean().default(true),
  /** Urgency of incidents this policy opens from alerts (a `urgency` label on the alerts overrides it). */
  urgency: z.enum(['high', 'low']).default('high'),
  /** Low-urgency incidents page only inside these hours; outside them they wait for the next start. */
  supportHours: SupportHoursSchema.optional(),
  /** Channels told about every incident of this policy (opened, acknowledged, resolved), without paging. */
  channels: z.array(ResourceName).max(20).default([]),
});
export type EscalationPolicySpec = z.infer<typeof EscalationPolicySpecSchema>;
