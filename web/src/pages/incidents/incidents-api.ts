import { api } from '../../api/client';
import type { Page, PageQuery } from '../../api/types';

/**
 * Shapes and endpoints of the incidents module (src/incidents/incident.routes.ts and
 * src/incidents/postmortem/postmortem.routes.ts), kept beside the pages that use them.
 */

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type Urgency = 'high' | 'low';
export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';
export const BUILTIN_ROLES = ['commander', 'communications'] as const;

export interface Incident {
  id: string;
  number: number;
  title: string;
  description: string;
  severity: Severity;
  urgency: Urgency;
  status: IncidentStatus;
  service: string | null;
  team: string | null;
  labels: Record<string, string>;
  policy: string | null;
  groupKey: string | null;
  receiver: string | null;
  createdAt: string;
  createdBy: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  updatedAt: string;
  ttaSeconds: number | null;
  ttrSeconds: number | null;
  alerts: { total: number; firing: number };
  roles: Array<{ role: string; user: string; assignedAt: string }>;
  responders: Array<{ user: string; addedAt: string }>;
  escalation: { run: number; cycle: number; level: number; nextAt: string | null } | null;
}

export interface TimelineEntry {
  id: string;
  incidentId: string;
  at: string;
  type: string;
  /** `user:<email>`, `token:<name>`, `system`, `link:<action>`, `policy:<name>`, `notify`. */
  actor: string;
  message: string;
  details: Record<string, unknown>;
}

export interface LinkedAlert {
  alertId: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  summary: string;
  labels: Record<string, string>;
  attachedAt: string;
  resolvedAt: string | null;
}

export interface Receipt {
  at: string;
  attempt: number;
  ok: boolean;
  statusCode?: number;
  latencyMs: number;
  error?: string;
  response?: string;
  final: boolean;
}

export interface Delivery {
  id: string;
  incidentId: string | null;
  userId: string | null;
  channel: string;
  channelType: string;
  address: string | null;
  event: string;
  urgency: Urgency;
  lane: 'page' | 'normal';
  status: 'scheduled' | 'retrying' | 'delivered' | 'failed' | 'cancelled';
  runAt: string;
  attempts: number;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  receipts: Receipt[];
  createdAt: string;
  deliveredAt: string | null;
}

export interface NewIncident {
  title: string;
  description?: string | undefined;
  severity: Severity;
  urgency: Urgency;
  service?: string | undefined;
  policy?: string | undefined;
}

export interface IncidentPatch {
  title?: string;
  description?: string;
  severity?: Severity;
  urgency?: Urgency;
  service?: string | null;
}

export interface IncidentListQuery extends PageQuery {
  status?: IncidentStatus[] | undefined;
  severity?: Severity[] | undefined;
}

// Postmortems

export const POSTMORTEM_STATUSES = ['draft', 'in_review', 'published'] as const;
export type PostmortemStatus = (typeof POSTMORTEM_STATUSES)[number];

export interface PostmortemDocument {
  summary: string;
  impact: string;
  timeline: Array<{ at: string; actor: string; message: string }>;
  rootCause: string;
  contributingFactors: string[];
  fiveWhys: Array<{ why: string; because: string }>;
  wentWell: string[];
  wentBadly: string[];
  lessons: string;
  sections: Array<{ title: string; body: string }>;
}

export interface Postmortem {
  incidentId: string;
  status: PostmortemStatus;
  version: number;
  document: PostmortemDocument;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
  publishedAt: string | null;
}

// Action items

export const ACTION_ITEM_STATUSES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ActionItemStatus = (typeof ACTION_ITEM_STATUSES)[number];
export type ActionItemPriority = 'high' | 'medium' | 'low';

export interface ActionItem {
  id: string;
  incidentId: string;
  title: string;
  description: string;
  owner: string | null;
  dueDate: string | null;
  status: ActionItemStatus;
  priority: ActionItemPriority | null;
  overdue: boolean;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  doneAt: string | null;
}

export interface ActionItemInput {
  title?: string;
  description?: string;
  owner?: string | null;
  dueDate?: string | null;
  status?: ActionItemStatus;
  priority?: ActionItemPriority | null;
}

export interface ActionItemQuery extends PageQuery {
  status?: ActionItemStatus[] | undefined;
  /** An email, or `me`. */
  owner?: string | undefined;
  overdue?: boolean | undefined;
}

const enc = encodeURIComponent;
const base = (id: string) => `/api/v1/incidents/${enc(id)}`;
const csv = (values: readonly string[] | undefined) => (values?.length ? values.join(',') : undefined);

export const incidentsApi = {
  list: (q: IncidentListQuery, signal?: AbortSignal) =>
    api.get<Page<Incident>>('/api/v1/incidents', { ...q, status: csv(q.status), severity: csv(q.severity) }, signal),
  get: (id: string, signal?: AbortSignal) => api.get<Incident>(base(id), undefined, signal),
  create: (body: NewIncident) => api.post<Incident>('/api/v1/incidents', body),
  update: (id: string, patch: IncidentPatch) => api.patch<Incident>(base(id), patch),
  act: (id: string, action: 'acknowledge' | 'resolve' | 'reopen') => api.post<Incident>(`${base(id)}/${action}`),
  timeline: (id: string, q: PageQuery, signal?: AbortSignal) =>
    api.get<Page<TimelineEntry>>(`${base(id)}/timeline`, { ...q }, signal),
  alerts: (id: string, signal?: AbortSignal) => api.get<LinkedAlert[]>(`${base(id)}/alerts`, undefined, signal),
  deliveries: (id: string, signal?: AbortSignal) => api.get<Delivery[]>(`${base(id)}/deliveries`, undefined, signal),
  note: (id: string, text: string) => api.post<TimelineEntry>(`${base(id)}/notes`, { text }),
  assignRole: (id: string, role: string, user: string) => api.put<Incident>(`${base(id)}/roles`, { role, user }),
  removeRole: (id: string, role: string) => api.delete<Incident>(`${base(id)}/roles/${enc(role)}`),
  addResponder: (id: string, user: string, message?: string) =>
    api.post<Incident>(`${base(id)}/responders`, message ? { user, message } : { user }),
};

export const postmortemApi = {
  get: (id: string, signal?: AbortSignal) => api.get<Postmortem>(`${base(id)}/postmortem`, undefined, signal),
  create: (id: string) => api.post<Postmortem>(`${base(id)}/postmortem`),
  save: (id: string, body: { version: number; status: PostmortemStatus; document: PostmortemDocument }) =>
    api.put<Postmortem>(`${base(id)}/postmortem`, body),
  markdownUrl: (id: string) => `${base(id)}/postmortem.md`,
};

export const actionItemsApi = {
  ofIncident: (id: string, q: ActionItemQuery, signal?: AbortSignal) =>
    api.get<Page<ActionItem>>(`${base(id)}/action-items`, { ...q, status: csv(q.status) }, signal),
  list: (q: ActionItemQuery, signal?: AbortSignal) =>
    api.get<Page<ActionItem>>('/api/v1/action-items', { ...q, status: csv(q.status) }, signal),
  create: (id: string, body: ActionItemInput & { title: string }) =>
    api.post<ActionItem>(`${base(id)}/action-items`, body),
  update: (itemId: string, patch: ActionItemInput) =>
    api.patch<ActionItem>(`/api/v1/action-items/${enc(itemId)}`, patch),
  remove: (itemId: string) => api.delete(`/api/v1/action-items/${enc(itemId)}`),
};
