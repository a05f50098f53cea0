import { api } from '../../api/client';
import type { Page, PageQuery } from '../../api/types';

/**
 * Shapes and endpoints of the alerts module (src/alerts/alert.routes.ts): alerts, silences, the
 * routing tree, the maintenance calendar. Kept beside the pages that use them.
 */

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type AlertSource = 'check' | 'pagerduty' | 'alertmanager' | 'opsgenie' | 'webhook' | 'api';
export type AlertStatus = 'firing' | 'resolved';
export type WhyState = 'pending' | 'notifying' | 'suppressed' | 'unrouted' | 'resolved';

/** Why an alert is or is not notifying, as the dispatcher last judged it. */
export interface Why {
  state: WhyState;
  routes: Array<{ route: string; receiver: string; group: string }>;
  silencedBy: string[];
  /** `alert` is the id of the alert that inhibits this one. */
  inhibitedBy: Array<{ rule: string; alert: string }>;
  maintenance: string[];
  /** Names of checks this alert's check depends on that are down. */
  dependency: string[];
  muted: string[];
  flapping: boolean;
  acknowledged: boolean;
}

export interface AlertView {
  id: string;
  fingerprint: string;
  status: AlertStatus;
  acknowledged: boolean;
  acknowledgedAt: string | null;
  summary: string;
  severity: Severity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  source: AlertSource;
  integration: string | null;
  dedupKey: string | null;
  generatorURL: string | null;
  startsAt: string;
  endsAt: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  repeats: number;
  flapping: boolean;
  details?: unknown;
  why: Why;
}

export type AlertHistoryType =
  | 'triggered'
  | 'retriggered'
  | 'acknowledged'
  | 'resolved'
  | 'flapping_start'
  | 'flapping_end'
  | 'notified'
  | 'suppressed'
  | 'released';

export interface AlertHistoryEntry {
  id: string;
  at: string;
  type: AlertHistoryType;
  message: string;
  details: Record<string, unknown> | null;
}

export type AlertStatusFilter = AlertStatus | 'all';

export interface AlertListQuery extends PageQuery {
  status: AlertStatusFilter;
  /** Alertmanager matcher text, e.g. `severity="critical", service=~"api|web"`; each entry one `matcher` param. */
  matchers: string[];
}

export type SilenceState = 'active' | 'pending' | 'expired';

export interface Silence {
  name: string;
  matchers: string[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  state: SilenceState;
}

export interface NewSilence {
  matchers: string[];
  comment: string;
  /** One of duration (`2h`) and endsAt. */
  duration?: string | undefined;
  endsAt?: string | undefined;
}

export interface RouteNode {
  /** `root`, `root.0`, `root.0.1`… */
  path: string;
  receiver: string;
  matchers: string[];
  continue: boolean;
  /** `['...']` groups by every label. */
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  children: RouteNode[];
}

export interface RoutingTest {
  routes: Array<{
    route: string;
    receiver: string;
    groupBy: string[];
    groupLabels: Record<string, string>;
    groupKey: string;
    groupWaitMs: number;
    groupIntervalMs: number;
    repeatIntervalMs: number;
    mutedNow: string[];
  }>;
  silencedBy: string[];
  unrouted: boolean;
}

export interface MaintenanceOccurrence {
  window: string;
  start: string;
  end: string;
  matchers: string[];
  checks: string[];
  comment: string | null;
}

/** A MaintenanceWindow resource as configuration as code stores it (src/alerts/config.model.ts). */
export interface MaintenanceWindowDoc {
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    timeZone: string;
    starts: string;
    duration: string;
    rrule?: string;
    matchers: string[];
    checks: string[];
    comment?: string;
  };
}

const enc = encodeURIComponent;

/** `matcher` repeats, which the client's query builder cannot express: build the query string here. */
function alertListPath(q: AlertListQuery): string {
  const params = new URLSearchParams();
  params.set('status', q.status);
  params.set('limit', String(q.limit));
  params.set('offset', String(q.offset));
  if (q.sort) params.set('sort', q.sort);
  if (q.q) params.set('q', q.q);
  for (const m of q.matchers) params.append('matcher', m);
  return `/api/v1/alerts?${params}`;
}

export const alertsApi = {
  list: (q: AlertListQuery, signal?: AbortSignal) =>
    api.get<Page<AlertView> & { partial: boolean }>(alertListPath(q), undefined, signal),
  get: (id: string, signal?: AbortSignal) => api.get<AlertView>(`/api/v1/alerts/${enc(id)}`, undefined, signal),
  history: (id: string, q: PageQuery, signal?: AbortSignal) =>
    api.get<Page<AlertHistoryEntry>>(`/api/v1/alerts/${enc(id)}/history`, { ...q }, signal),
  acknowledge: (id: string) => api.post<AlertView>(`/api/v1/alerts/${enc(id)}/acknowledge`),
  resolve: (id: string) => api.post<AlertView>(`/api/v1/alerts/${enc(id)}/resolve`),
};

export const silencesApi = {
  list: (q: PageQuery & { state: SilenceState | 'all' }, signal?: AbortSignal) =>
    api.get<Page<Silence>>('/api/v1/silences', { ...q }, signal),
  get: (name: string, signal?: AbortSignal) => api.get<Silence>(`/api/v1/silences/${enc(name)}`, undefined, signal),
  create: (body: NewSilence) => api.post<Silence>('/api/v1/silences', body),
  expire: (name: string) => api.post<Silence>(`/api/v1/silences/${enc(name)}/expire`),
  preview: (matchers: string[]) =>
    api.post<{ total: number; items: AlertView[] }>('/api/v1/silences/preview', { matchers }),
};

export const routingApi = {
  tree: (signal?: AbortSignal) =>
    api.get<{ root: RouteNode | null; error: string | null }>('/api/v1/routing/tree', undefined, signal),
  test: (labels: Record<string, string>) => api.post<RoutingTest>('/api/v1/routing/test', { labels }),
};

export const maintenanceApi = {
  calendar: (from: string, to: string, signal?: AbortSignal) =>
    api.get<{ items: MaintenanceOccurrence[] }>('/api/v1/maintenance/calendar', { from, to }, signal),
  windows: (signal?: AbortSignal) =>
    api.get<Page<MaintenanceWindowDoc>>('/api/v1/resources/MaintenanceWindow', { limit: 500 }, signal),
};
