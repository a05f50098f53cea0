import { z } from 'zod';

/**
 * The incident as the API, the UI, the CLI and the postmortem see it. One schema per shape: the
 * TypeScript types, the OpenAPI document and the request validation come from these.
 */

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

export const UrgencySchema = z.enum(['high', 'low']);
export type Urgency = z.infer<typeof UrgencySchema>;

export const IncidentStatusSchema = z.enum(['triggered', 'acknowledged', 'resolved']);
export type IncidentStatus = z.infer<typeof IncidentStatusSchema>;

const LabelsSchema = z.record(z.string().max(63), z.string().max(1024));

/** Built-in roles; any other lowercase name is a custom role. */
export const BUILTIN_ROLES = ['commander', 'communications'] as const;
export const RoleNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a role name: lowercase letters, digits, _ and -, starting with a letter');

export const IncidentSchema = z.object({
  id: z.string(),
  number: z.number().int(),
  title: z.string(),
  description: z.string(),
  severity: SeveritySchema,
  urgency: UrgencySchema,
  status: IncidentStatusSchema,
  service: z.string().nullable(),
  team: z.string().nullable(),
  labels: LabelsSchema,
  /** Escalation policy paging for this incident, if any. */
  policy: z.string().nullable(),
  /** Alert group the incident came from (receiver + group key), if any. */
  groupKey: z.string().nullable(),
  receiver: z.string().nullable(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  acknowledgedAt: z.iso.datetime().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  resolvedBy: z.string().nullable(),
  updatedAt: z.iso.datetime(),
  /** Seconds from creation to the first acknowledgement (null until acknowledged). */
  ttaSeconds: z.number().nullable(),
  /** Seconds from creation to resolution (null until resolved). */
  ttrSeconds: z.number().nullable(),
  alerts: z.object({ total: z.number().int(), firing: z.number().int() }),
  roles: z.array(z.object({ role: z.string(), user: z.string(), assignedAt: z.iso.datetime() })),
  responders: z.array(z.object({ user: z.string(), addedAt: z.iso.datetime() })),
  /** Where the escalation stands: run (restarts after an ack timeout), cycle (repeat), next level and when. */
  escalation: z
    .object({
      run: z.number().int(),
      cycle: z.number().int(),
      level: z.number().int(),
      nextAt: z.iso.datetime().nullable(),
    })
    .nullable(),
});
export type Incident = z.infer<typeof IncidentSchema>;

/**
 * Timeline entry types. `details` carries the specifics (the channel's answer for deliveries, the
 * step for escalations, before/after for changes).
 */
export const TIMELINE_TYPES = [
  'created',
  'alert.attached',
  'alert.resolved',
  'status.changed',
  'acknowledged',
  'resolved',
  'reopened',
  'escalation.step',
  'escalation.repeat',
  'escalation.exhausted',
  'escalation.waiting',
  'ack.timeout',
  'notification.scheduled',
  'notification.sent',
  'notification.delivered',
  'notification.failed',
  'notification.cancelled',
  'note',
  'role.assigned',
  'role.removed',
  'responder.added',
  'field.changed',
  'postmortem.updated',
] as const;
export const TimelineTypeSchema = z.enum(TIMELINE_TYPES);
export type TimelineType = z.infer<typeof TimelineTypeSchema>;

export const TimelineEntrySchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  at: z.iso.datetime(),
  type: TimelineTypeSchema,
  /** `user:<email>`, `token:<name>`, `system`, `link:<action>` (a signed link), `policy:<name>`. */
  actor: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

export const LinkedAlertSchema = z.object({
  alertId: z.string(),
  fingerprint: z.string(),
  status: z.enum(['firing', 'resolved']),
  summary: z.string(),
  labels: LabelsSchema,
  attachedAt: z.iso.datetime(),
  resolvedAt: z.iso.datetime().nullable(),
});
export type LinkedAlert = z.infer<typeof LinkedAlertSchema>;

// ---------------------------------------------------------------------------------------------
// Requests

export const CreateIncidentSchema = z.strictObject({
  title: z.string().trim().min(1, 'an incident needs a title').max(300),
  description: z.string().max(20_000).default(''),
  severity: SeveritySchema.default('SEV3'),
  urgency: UrgencySchema.default('high'),
  service: z.string().max(200).optional(),
  team: z.string().max(63).optional(),
  labels: LabelsSchema.default({}),
  /** Page through this escalation policy. */
  policy: z.string().max(253).optional(),
});
export type CreateIncident = z.infer<typeof CreateIncidentSchema>;

export const UpdateIncidentSchema = z.strictObject({
  title: z.string().trim().min(1).max(300).optional(),
  description: z.string().max(20_000).optional(),
  severity: SeveritySchema.optional(),
  urgency: UrgencySchema.optional(),
  service: z.string().max(200).nullable().optional(),
  labels: LabelsSchema.optional(),
});
export type UpdateIncident = z.infer<typeof UpdateIncidentSchema>;

export const NoteSchema = z.strictObject({ text: z.string().trim().min(1, 'a note needs text').max(20_000) });
export const RoleAssignSchema = z.strictObject({ role: RoleNameSchema, user: z.email() });
