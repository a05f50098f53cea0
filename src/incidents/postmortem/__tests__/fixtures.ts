import type { Actor } from '../../../platform/audit/audit.model.js';
import type { Executor } from '../../../platform/db/database.js';
import type { Incident, TimelineEntry, TimelineType } from '../../incident.model.js';
import type { IncidentReader } from '../postmortem.deps.js';

export const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
export const MIN = 60_000;
export const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

export const ALICE: Actor = { type: 'user', id: 'u1', name: 'alice@example.com', via: 'session', requestId: 'r1' };
export const BOB: Actor = { type: 'user', id: 'u2', name: 'bob@example.com', via: 'token', requestId: 'r2' };

/** A resolved SEV2 incident: acknowledged after 3 minutes, resolved after 72. */
export function makeIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-1',
    number: 42,
    title: 'Checkout API returns 502',
    description: '',
    severity: 'SEV2',
    urgency: 'high',
    status: 'resolved',
    service: 'checkout',
    team: null,
    labels: {},
    policy: null,
    groupKey: null,
    receiver: null,
    createdAt: iso(T0),
    createdBy: 'system',
    acknowledgedAt: iso(T0 + 3 * MIN),
    acknowledgedBy: 'user:alice@example.com',
    resolvedAt: iso(T0 + 72 * MIN),
    resolvedBy: 'user:bob@example.com',
    updatedAt: iso(T0 + 72 * MIN),
    ttaSeconds: 180,
    ttrSeconds: 72 * 60,
    alerts: { total: 3, firing: 0 },
    roles: [{ role: 'commander', user: 'alice@example.com', assignedAt: iso(T0 + 4 * MIN) }],
    responders: [],
    escalation: null,
    ...overrides,
  };
}

let seq = 0;
export function entry(type: TimelineType, atMs: number, message: string, actor = 'system'): TimelineEntry {
  seq += 1;
  return { id: `tl-${seq}`, incidentId: 'inc-1', at: iso(atMs), type, actor, message, details: {} };
}

export const TIMELINE: TimelineEntry[] = [
  entry('created', T0, 'Incident created from alert group checkout/5xx'),
  entry('notification.scheduled', T0 + 1_000, 'Page scheduled for alice'),
  entry('escalation.step', T0 + 2_000, 'Escalation level 1: paging alice', 'policy:checkout-oncall'),
  entry('notification.sent', T0 + 3_000, 'SMS sent to alice'),
  entry('notification.delivered', T0 + 4_000, 'SMS delivered'),
  entry('acknowledged', T0 + 3 * MIN, 'Acknowledged', 'user:alice@example.com'),
  entry('role.assigned', T0 + 4 * MIN, 'alice is commander', 'user:alice@example.com'),
  entry('note', T0 + 10 * MIN, 'Rolled back deploy 1234 | errors dropping', 'user:bob@example.com'),
  entry('escalation.waiting', T0 + 11 * MIN, 'Waiting for level 2'),
  entry('resolved', T0 + 72 * MIN, 'Resolved', 'user:bob@example.com'),
];

export interface RecordedEntry {
  incidentId: string;
  type: 'postmortem.updated';
  actor: string;
  message: string;
  details?: Record<string, unknown> | undefined;
}

/** The incident service as the postmortem sees it, backed by arrays. */
export class FakeIncidents implements IncidentReader {
  readonly incidents: Incident[];
  readonly timelines = new Map<string, TimelineEntry[]>();
  readonly recorded: RecordedEntry[] = [];

  constructor(incidents: Incident[] = [makeIncident()]) {
    this.incidents = incidents;
    for (const i of incidents) this.timelines.set(i.id, i.id === 'inc-1' ? TIMELINE : []);
  }

  async get(_exec: Executor, id: string): Promise<Incident | undefined> {
    return this.incidents.find((i) => i.id === id || String(i.number) === id);
  }

  async timeline(_exec: Executor, id: string): Promise<TimelineEntry[]> {
    return this.timelines.get(id) ?? [];
  }

  async record(
    _exec: Executor,
    incidentId: string,
    e: { type: 'postmortem.updated'; actor: string; message: string; details?: Record<string, unknown> },
  ): Promise<void> {
    this.recorded.push({ incidentId, ...e });
  }
}
