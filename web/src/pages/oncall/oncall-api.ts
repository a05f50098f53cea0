import { api } from '../../api/client';
import type { Page } from '../../api/types';
import { resourcesApi } from './resources-api';

/**
 * Shapes and endpoints of the oncall module (src/oncall/oncall.routes.ts, oncall.model.ts,
 * schedule/schedule.model.ts, escalation.model.ts). Instants are ISO 8601 in UTC; schedules carry
 * their own IANA zone.
 */

export interface Shift {
  user: string;
  name: string | null;
  start: string;
  end: string;
  source: 'layer' | 'override' | 'swap';
  layer?: number;
  ref?: string;
}

export interface OnCall {
  schedule: string;
  timeZone: string;
  at: string;
  onCall: Shift | null;
  next: Shift | null;
}

export interface Override {
  id: string;
  user: string;
  start: string;
  end: string;
  reason: string;
}

export interface SwapLeg {
  id: string;
  from: string;
  to: string;
  start: string;
  end: string;
  reason: string;
}

export interface Timeline {
  schedule: string;
  timeZone: string;
  from: string;
  to: string;
  final: Shift[];
  layers: Array<{ name: string; shifts: Shift[] }>;
  overrides: Override[];
  swaps: SwapLeg[];
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface ScheduleSpec {
  timeZone: string;
  description?: string;
  team?: string;
  layers: Array<{
    name: string;
    rotation: {
      every?: number;
      unit: 'hours' | 'days' | 'weeks';
      start: string;
      handoff?: string;
      participants: string[];
    };
    restrictions?: Array<{ days?: Weekday[]; start: string; end: string }>;
  }>;
}

export type EscalationTarget =
  | { user: string }
  | { schedule: string }
  | { team: string; roundRobin?: boolean }
  | { channel: string };

export interface EscalationPolicySpec {
  description?: string;
  team?: string;
  levels: Array<{ escalateAfterMinutes: number; targets: EscalationTarget[] }>;
  repeat?: number;
  ackTimeoutMinutes?: number;
  autoResolve?: boolean;
  urgency?: 'high' | 'low';
  supportHours?: { timeZone: string; days?: Weekday[]; start: string; end: string };
  channels?: string[];
}

export interface PolicyPreview {
  policy: string;
  at: string;
  levels: Array<{
    level: number;
    escalateAfterMinutes: number;
    users: Array<{ email: string; name: string; via: string }>;
    channels: string[];
    unreached: string[];
  }>;
}

export interface NewOverride {
  user: string;
  start: string;
  end: string;
  reason: string;
}

export interface NewSwap {
  from: string;
  to: string;
  start: string;
  end: string;
  returnStart?: string | undefined;
  returnEnd?: string | undefined;
  reason: string;
}

const enc = encodeURIComponent;
const sched = (name: string) => `/api/v1/schedules/${enc(name)}`;

export const oncallApi = {
  now: (q: { limit: number; offset: number }, signal?: AbortSignal) =>
    api.get<Page<OnCall>>('/api/v1/oncall', { ...q }, signal),
  timeline: (name: string, from: string, to: string, signal?: AbortSignal) =>
    api.get<Timeline>(`${sched(name)}/timeline`, { from, to }, signal),
  addOverride: (name: string, body: NewOverride) => api.post<Override>(`${sched(name)}/overrides`, body),
  removeOverride: (name: string, id: string) => api.delete(`${sched(name)}/overrides/${enc(id)}`),
  addSwap: (name: string, body: NewSwap) => api.post<SwapLeg[]>(`${sched(name)}/swaps`, body),
  removeSwap: (name: string, id: string) => api.delete(`${sched(name)}/swaps/${enc(id)}`),
  myShifts: (from: string, to: string, signal?: AbortSignal) =>
    api.get<Array<Shift & { schedule: string }>>('/api/v1/users/me/shifts', { from, to }, signal),
  scheduleFeed: (name: string) => api.get<{ url: string | null }>(`${sched(name)}/feed`),
  rotateScheduleFeed: (name: string) => api.post<{ url: string | null }>(`${sched(name)}/feed`),
  myFeed: () => api.get<{ url: string | null }>('/api/v1/me/feed'),
  rotateMyFeed: () => api.post<{ url: string | null }>('/api/v1/me/feed'),
  schedule: (name: string, signal?: AbortSignal) => resourcesApi.get<ScheduleSpec>('Schedule', name, signal),
  policy: (name: string, signal?: AbortSignal) =>
    resourcesApi.get<EscalationPolicySpec>('EscalationPolicy', name, signal),
  preview: (name: string, signal?: AbortSignal) =>
    api.get<PolicyPreview>(`/api/v1/escalation-policies/${enc(name)}/preview`, undefined, signal),
};
