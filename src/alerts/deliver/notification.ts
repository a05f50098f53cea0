import { sortedLabels } from '../alert.model.js';

/** The outcome of one attempt: one definition for every outbound sender, the platform's. */
export type { DeliveryResult } from '../../platform/outbound/delivery-result.js';

/**
 * One group notification, shaped after Alertmanager's webhook payload version 4 so receivers written
 * for Alertmanager work unchanged; the webhook, Slack and email deliveries all render it.
 */

/** Alertmanager's zero time, the `endsAt` of an alert that is still firing. */
export const FIRING_ENDS_AT = '0001-01-01T00:00:00Z';

export interface NotifiedAlert {
  id: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ISO 8601. */
  startsAt: string;
  /** ISO 8601; `FIRING_ENDS_AT` while firing, as Alertmanager. */
  endsAt: string;
  generatorURL: string;
  summary: string;
  severity: string;
  /** Link to the alert in Mainstay. */
  url: string;
}

export interface GroupNotification {
  /** Idempotency key, stable across retries of this notification. */
  id: string;
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  status: 'firing' | 'resolved';
  /** Firing alerts first: truncation (maxAlerts, Slack's ten sections) keeps the head of the list. */
  alerts: NotifiedAlert[];
  externalURL: string;
  /** Alerts of the group left out before this notification was built. */
  truncatedAlerts: number;
}

/** Alertmanager webhook payload version 4 (`notify/webhook.Message` embedding `template.Data`). */
export interface AlertmanagerPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: {
    status: 'firing' | 'resolved';
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt: string;
    generatorURL: string;
    fingerprint: string;
  }[];
}

type Labelled = Pick<NotifiedAlert, 'labels' | 'annotations'>;

function shared(maps: Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  const common: Record<string, string> = {};
  if (!first) return common;
  for (const [name, value] of sortedLabels(first)) {
    if (rest.every((m) => Object.hasOwn(m, name) && m[name] === value)) common[name] = value;
  }
  return common;
}

/** Alertmanager's `template.Data`: the label and annotation pairs that every alert has with the same value. */
export function commonOf(alerts: readonly Labelled[]): {
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
} {
  return {
    commonLabels: shared(alerts.map((a) => a.labels)),
    commonAnnotations: shared(alerts.map((a) => a.annotations)),
  };
}

/**
 * The Alertmanager v4 webhook body. `maxAlerts > 0` keeps the first alerts and counts the rest in
 * `truncatedAlerts`, as Alertmanager's `max_alerts`; like Alertmanager (which truncates before building
 * the template data) the common labels are then those of the alerts sent. The status stays the group's.
 */
export function alertmanagerPayload(n: GroupNotification, maxAlerts: number): AlertmanagerPayload {
  const cut = maxAlerts > 0 && n.alerts.length > maxAlerts;
  const alerts = cut ? n.alerts.slice(0, maxAlerts) : n.alerts;
  const common = cut ? commonOf(alerts) : { commonLabels: n.commonLabels, commonAnnotations: n.commonAnnotations };
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: n.truncatedAlerts + (n.alerts.length - alerts.length),
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: common.commonLabels,
    commonAnnotations: common.commonAnnotations,
    externalURL: n.externalURL,
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
  };
}

/**
 * Alertmanager's default `__subject` template: `[FIRING:2] <group label values> (<other common label
 * values>)`, values ordered by label name; `[RESOLVED] …` when the group is resolved.
 */
export function subjectOf(n: GroupNotification): string {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const head = n.status === 'firing' ? `[FIRING:${firing}]` : '[RESOLVED]';
  const group = sortedLabels(n.groupLabels).map(([, v]) => v);
  const extra = sortedLabels(n.commonLabels)
    .filter(([k]) => !Object.hasOwn(n.groupLabels, k))
    .map(([, v]) => v);
  const parts = [head, ...group];
  if (extra.length > 0) parts.push(`(${extra.join(' ')})`);
  return parts.join(' ');
}

/**
 * Alertmanager's `send_resolved: false`: resolved alerts are left out, and a notification left with no
 * alert is not sent (null). The common labels are recomputed over what remains.
 */
export function forTarget(n: GroupNotification, sendResolved: boolean): GroupNotification | null {
  if (sendResolved) return n;
  const alerts = n.alerts.filter((a) => a.status === 'firing');
  if (alerts.length === 0) return null;
  if (alerts.length === n.alerts.length) return n;
  return { ...n, status: 'firing', alerts, ...commonOf(alerts) };
}

/** `s` cut to `max` characters, with an ellipsis when cut. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
