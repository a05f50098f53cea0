import { z } from 'zod';
import { CHECK_KINDS, CheckStatusSchema, type HttpSpec } from './check.model.js';
import type { CheckState } from './check.state.js';
import type { CheckRecord } from './check.store.js';
import type { CertificateInfo } from './probes/probe.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const CheckStateViewSchema = z.object({
  status: CheckStatusSchema,
  since: z.string().nullable(),
  lastCheckedAt: z.string().nullable(),
  lastLatencyMs: z.number().nullable(),
  lastMessage: z.string().nullable(),
  flapping: z.boolean(),
  flapPercent: z.number(),
  consecutiveFailures: z.number(),
  consecutiveSuccesses: z.number(),
});

export const CertificateSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  altNames: z.array(z.string()),
  validFrom: z.string(),
  validTo: z.string(),
  daysLeft: z.number(),
  fingerprint256: z.string(),
  serialNumber: z.string(),
  hostnameMatches: z.boolean(),
  chainValid: z.boolean(),
  chainError: z.string().optional(),
  expiry: z.enum(['ok', 'warning', 'critical', 'expired']),
});

const Common = {
  id: z.string(),
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  kind: z.enum(CHECK_KINDS),
  description: z.string(),
  runbookUrl: z.string().optional(),
  intervalSeconds: z.number(),
  timeoutSeconds: z.number(),
  retries: z.number(),
  recoveryThreshold: z.number(),
  enabled: z.boolean(),
  dependsOn: z.array(z.string()),
  severity: z.string(),
  flapping: z.object({ low: z.number(), high: z.number() }),
  createdAt: z.string(),
  updatedAt: z.string(),
  state: CheckStateViewSchema,
  certificate: CertificateSchema.nullable(),
};

export const CheckViewSchema = z.object({
  ...Common,
  target: z.record(z.string(), z.unknown()),
  /** Heartbeat checks, for editors: the path to ping (append to the server's base URL). */
  pingPath: z.string().optional(),
});
export type CheckView = z.infer<typeof CheckViewSchema>;

export const CheckSummarySchema = z.object({
  ...Common,
  targetSummary: z.string(),
  uptime24h: z.number().nullable(),
  hourly24h: z.array(z.object({ hour: z.string(), uptime: z.number().nullable() })),
});
export type CheckSummary = z.infer<typeof CheckSummarySchema>;

function stateView(s: CheckState) {
  return {
    status: s.status,
    since: iso(s.since),
    lastCheckedAt: iso(s.lastCheckedAt),
    lastLatencyMs: s.lastLatencyMs,
    lastMessage: s.lastMessage,
    flapping: s.flapping,
    flapPercent: s.flapPercent,
    consecutiveFailures: s.consecutiveFailures,
    consecutiveSuccesses: s.consecutiveSuccesses,
  };
}

function common(c: CheckRecord, s: CheckState) {
  const { kind, target: _target, ...spec } = c.spec;
  return {
    id: c.id,
    name: c.name,
    labels: c.labels,
    kind,
    ...spec,
    createdAt: new Date(c.createdAt).toISOString(),
    updatedAt: new Date(c.updatedAt).toISOString(),
    state: stateView(s),
    certificate: (s.certificate as CertificateInfo | null) ?? null,
  };
}

/** One line that says what a check watches: a URL, host:port, a DNS name… */
export function targetSummary(c: CheckRecord): string {
  const t = c.spec.target as Record<string, unknown>;
  switch (c.spec.kind) {
    case 'http':
      return `${(t as HttpSpec).method} ${(t as HttpSpec).url}`;
    case 'tcp':
    case 'tls':
      return `${t.host}:${t.port}`;
    case 'dns':
      return `${t.recordType} ${t.name}${t.resolver ? ` @${t.resolver}` : ''}`;
    case 'icmp':
      return String(t.host);
    case 'heartbeat':
      return t.cron ? `cron ${t.cron} (${t.timeZone})` : `every ${t.periodSeconds} s`;
    case 'sql':
      return t.connectionSecret
        ? `${t.driver} via secret ${t.connectionSecret}`
        : `${t.driver}://${t.username}@${t.host}${t.port ? `:${t.port}` : ''}/${t.database}`;
    case 'ssh':
      return `${t.username}@${t.host}:${t.port} ${String(t.command).slice(0, 60)}`;
  }
}

export function viewOf(c: CheckRecord, s: CheckState, pingKey: string | null): CheckView {
  return {
    ...common(c, s),
    target: c.spec.target as Record<string, unknown>,
    ...(pingKey ? { pingPath: `/ping/${pingKey}` } : {}),
  };
}

export function summaryOf(
  c: CheckRecord,
  s: CheckState,
  bars: { cells: Array<{ hour: string; uptime: number | null }>; uptime: number | null } | undefined,
): CheckSummary {
  return {
    ...common(c, s),
    targetSummary: targetSummary(c),
    uptime24h: bars?.uptime ?? null,
    hourly24h: bars?.cells ?? [],
  };
}
