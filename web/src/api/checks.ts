import { api } from './client';
import type { Page, PageQuery } from './types';

/** Shapes and endpoints of the checks module and of secrets (/api/v1/checks, /api/v1/secrets). */

export const CHECK_KINDS = ['http', 'tcp', 'dns', 'tls', 'icmp', 'heartbeat', 'sql', 'ssh'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const CHECK_STATUSES = ['up', 'down', 'pending', 'paused'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface CheckState {
  status: CheckStatus;
  since: string | null;
  lastCheckedAt: string | null;
  lastLatencyMs: number | null;
  lastMessage: string | null;
  flapping: boolean;
  flapPercent: number;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
}

/** The certificate a TLS peer presented (src/checks/probes/probe.ts). */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  altNames: string[];
  validFrom: string;
  validTo: string;
  daysLeft: number;
  fingerprint256: string;
  serialNumber: string;
  hostnameMatches: boolean;
  chainValid: boolean;
  chainError?: string | undefined;
  expiry: 'ok' | 'warning' | 'critical' | 'expired';
}

/** Settings every check has besides its kind-specific `target`. */
export interface CheckCommon {
  name: string;
  labels: Record<string, string>;
  kind: CheckKind;
  description: string;
  runbookUrl?: string | undefined;
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  recoveryThreshold: number;
  enabled: boolean;
  dependsOn: string[];
  severity: Severity;
  flapping: { low: number; high: number };
}

export interface Check extends CheckCommon {
  id: string;
  /** The kind's spec (see src/checks/check.model.ts); shape depends on `kind`. */
  target: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  state: CheckState;
  certificate: CertificateInfo | null;
  /** Heartbeat checks only, e.g. `/ping/abc…`. */
  pingPath?: string | undefined;
}

export interface HourlyUptime {
  hour: string;
  uptime: number | null;
}

export interface CheckSummary extends Omit<Check, 'target'> {
  targetSummary: string;
  uptime24h: number | null;
  /** 24 entries, oldest first. */
  hourly24h: HourlyUptime[];
}

/** The body of POST and PUT /api/v1/checks. Built by the form; the server validates it. */
export interface CheckBody extends Partial<Omit<CheckCommon, 'name' | 'kind'>> {
  name: string;
  kind: CheckKind;
  target: Record<string, unknown>;
  [key: string]: unknown;
}

export type ProbePhase = string;

export interface ProbeTimings {
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  firstByteMs?: number;
  totalMs: number;
}

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  message: string;
  error?: { phase: ProbePhase; code: string } | undefined;
  timings?: ProbeTimings | undefined;
  details?: Record<string, unknown> | undefined;
  certificate?: CertificateInfo | undefined;
}

export interface CheckResult extends Omit<ProbeResult, 'message'> {
  id: string;
  at: string;
  message: string | null;
  /** Kind-specific code, e.g. the HTTP status. */
  code?: number | null | undefined;
}

export interface SeriesPoint {
  t: string;
  count: number;
  failures: number;
  avgMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  p95Ms: number | null;
}

export interface Series {
  step: 'raw' | '1m' | '1h' | '1d';
  points: SeriesPoint[];
}

export const UPTIME_WINDOWS = ['24h', '7d', '30d', '1y'] as const;
export type UptimeWindow = (typeof UPTIME_WINDOWS)[number];

export interface Uptime {
  windows: Array<{ window: UptimeWindow; uptime: number | null; count: number; failures: number }>;
}

export type CheckEventType =
  | 'down'
  | 'up'
  | 'flapping_start'
  | 'flapping_end'
  | 'certificate_expiring'
  | 'paused'
  | 'resumed';

export interface CheckEvent {
  id: string;
  at: string;
  type: CheckEventType;
  message: string;
  from: string | null;
  to: string | null;
  details?: Record<string, unknown> | null | undefined;
}

export interface Ping {
  id: string;
  at: string;
  type: 'start' | 'success' | 'fail' | 'exit';
  exitCode: number | null;
  durationMs: number | null;
  body: string | null;
  sourceIp: string | null;
  userAgent: string | null;
}

export interface CheckListQuery extends PageQuery {
  status?: CheckStatus | undefined;
  kind?: CheckKind | undefined;
  /** `key=value` */
  label?: string | undefined;
}

export interface Secret {
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

const enc = encodeURIComponent;
const base = (id: string) => `/api/v1/checks/${enc(id)}`;

export const checks = {
  list: (q: CheckListQuery, signal?: AbortSignal) => api.get<Page<CheckSummary>>('/api/v1/checks', { ...q }, signal),
  get: (id: string, signal?: AbortSignal) => api.get<Check>(base(id), undefined, signal),
  create: (body: CheckBody) => api.post<Check>('/api/v1/checks', body),
  update: (id: string, body: CheckBody) => api.put<Check>(base(id), body),
  remove: (id: string) => api.delete(base(id)),
  pause: (id: string) => api.post<Check>(`${base(id)}/pause`),
  resume: (id: string) => api.post<Check>(`${base(id)}/resume`),
  run: (id: string) => api.post<ProbeResult>(`${base(id)}/run`),
  rotatePingKey: (id: string) => api.post<Check>(`${base(id)}/ping-key`),
  results: (id: string, q: PageQuery & { ok?: boolean | undefined }, signal?: AbortSignal) =>
    api.get<Page<CheckResult>>(`${base(id)}/results`, { ...q }, signal),
  series: (id: string, from: string, to: string, signal?: AbortSignal) =>
    api.get<Series>(`${base(id)}/series`, { from, to }, signal),
  uptime: (id: string, signal?: AbortSignal) => api.get<Uptime>(`${base(id)}/uptime`, undefined, signal),
  events: (id: string, q: PageQuery, signal?: AbortSignal) =>
    api.get<Page<CheckEvent>>(`${base(id)}/events`, { ...q }, signal),
  pings: (id: string, q: PageQuery, signal?: AbortSignal) => api.get<Page<Ping>>(`${base(id)}/pings`, { ...q }, signal),
};

export const secrets = {
  list: (q: PageQuery, signal?: AbortSignal) => api.get<Page<Secret>>('/api/v1/secrets', { ...q }, signal),
  create: (body: { name: string; value: string; description?: string | undefined }) =>
    api.post<Secret>('/api/v1/secrets', body),
  update: (name: string, body: { value?: string | undefined; description?: string | undefined }) =>
    api.put<Secret>(`/api/v1/secrets/${enc(name)}`, body),
  remove: (name: string) => api.delete(`/api/v1/secrets/${enc(name)}`),
};
