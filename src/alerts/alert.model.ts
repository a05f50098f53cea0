import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The alert model. Every source (checks, PagerDuty Events v2, Alertmanager webhooks, Opsgenie,
 * generic webhooks, the API) is turned into `AlertEvent`s by its adapter; the pipeline turns events
 * into `alerts` rows, routes them into groups and decides who is told.
 */

export const ALERT_SOURCES = ['check', 'pagerduty', 'alertmanager', 'opsgenie', 'webhook', 'api'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type AlertAction = 'trigger' | 'acknowledge' | 'resolve';

/** One normalized event from an intake adapter. Times are epoch ms. */
export interface AlertEvent {
  action: AlertAction;
  source: AlertSource;
  /** Integration row id (null for checks and the API). */
  integrationId: string | null;
  /**
   * The source's deduplication key (PagerDuty dedup_key, Opsgenie alias, a check id); null means
   * "the labels are the identity" (Alertmanager), and the fingerprint is computed from them.
   */
  dedupKey: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  summary: string;
  severity: Severity;
  startsAt?: number | undefined;
  endsAt?: number | undefined;
  generatorURL?: string | undefined;
  /** Source-specific detail kept with the alert (PagerDuty custom_details, links…), JSON, bounded. */
  details?: unknown;
  /** Checks only: the check is flapping (true/false), or unchanged (undefined). */
  flapping?: boolean | undefined;
  /** Who acted, for the history (a user acknowledging in the UI); default: the source. */
  by?: string | undefined;
  /** A resolve that does not apply while the open alert is marked flapping (a check's recovery mid-flap). */
  unlessFlapping?: boolean | undefined;
}

/** Labels in a stable order, as the fingerprint and group keys see them. */
export function sortedLabels(labels: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/**
 * Identity of an alert: the source's dedup key scoped to its integration (PagerDuty: "acknowledge
 * and resolve match only under the same routing_key"), or the hash of the labels (Alertmanager).
 */
export function fingerprintOf(e: Pick<AlertEvent, 'dedupKey' | 'integrationId' | 'labels' | 'source'>): string {
  if (e.dedupKey !== null) return hash(`k\u0000${e.source}\u0000${e.integrationId ?? ''}\u0000${e.dedupKey}`);
  return hash(`l\u0000${JSON.stringify(sortedLabels(e.labels))}`);
}

/** Why an alert is or is not notifying: computed by the dispatcher, shown on the alert. */
export const WhySchema = z.object({
  state: z
    .enum(['pending', 'notifying', 'suppressed', 'unrouted', 'resolved'])
    .describe('pending: waiting for its group to flush; suppressed: held by one of the reasons below'),
  routes: z.array(z.object({ route: z.string(), receiver: z.string(), group: z.string() })),
  silencedBy: z.array(z.string()),
  inhibitedBy: z.array(z.object({ rule: z.string(), alert: z.string() })),
  maintenance: z.array(z.string()),
  dependency: z.array(z.string()),
  muted: z.array(z.string()),
  flapping: z.boolean(),
  acknowledged: z.boolean(),
});
export type Why = z.infer<typeof WhySchema>;

export const EMPTY_WHY: Why = {
  state: 'pending',
  routes: [],
  silencedBy: [],
  inhibitedBy: [],
  maintenance: [],
  dependency: [],
  muted: [],
  flapping: false,
  acknowledged: false,
};

export const AlertStatusSchema = z.enum(['firing', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatusSchema>;

export const AlertViewSchema = z.object({
  id: z.string(),
  fingerprint: z.string(),
  status: AlertStatusSchema,
  acknowledged: z.boolean(),
  acknowledgedAt: z.string().nullable(),
  summary: z.string(),
  severity: z.enum(SEVERITIES),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  source: z.enum(ALERT_SOURCES),
  integration: z.string().nullable(),
  dedupKey: z.string().nullable(),
  generatorURL: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  repeats: z.number().int(),
  flapping: z.boolean(),
  details: z.unknown().optional(),
  why: WhySchema,
});
export type AlertView = z.infer<typeof AlertViewSchema>;

export const ALERT_EVENT_TYPES = [
  'triggered',
  'retriggered',
  'acknowledged',
  'resolved',
  'flapping_start',
  'flapping_end',
  'notified',
  'suppressed',
  'released',
] as const;
export type AlertHistoryType = (typeof ALERT_EVENT_TYPES)[number];

export const AlertHistorySchema = z.object({
  id: z.string(),
  at: z.string(),
  type: z.enum(ALERT_EVENT_TYPES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
