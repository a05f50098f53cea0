import YAML from 'yaml';
import type { CheckKind, CheckStatus } from '../../checks/check.model.js';
import type { CertificateInfo, ProbeResult, ProbeTimings } from '../../checks/probes/probe.js';
import { ago, type Column, formatTable, shortTime } from '../output.js';

// Restated, not imported: the CLI takes only types from the server's models, so it does not load zod and croner.
export const CHECK_KINDS = ['http', 'tcp', 'dns', 'tls', 'icmp', 'heartbeat', 'sql', 'ssh'] as const;
export const CHECK_STATUSES = ['up', 'down', 'pending', 'paused'] as const;
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Fails to compile when the model gains or loses a kind or status.
const sameKinds: Exact<(typeof CHECK_KINDS)[number], CheckKind> = true;
const sameStatuses: Exact<(typeof CHECK_STATUSES)[number], CheckStatus> = true;
void sameKinds;
void sameStatuses;

/** What the checks API answers (see the REST contract); the CLI reads only these fields. */

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

export interface CheckSummary {
  id: string;
  name: string;
  kind: CheckKind;
  labels: Record<string, string>;
  targetSummary: string;
  state: CheckState;
  uptime24h: number | null;
}

export interface Check extends Omit<CheckSummary, 'targetSummary' | 'uptime24h'> {
  description: string;
  runbookUrl?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  recoveryThreshold: number;
  enabled: boolean;
  dependsOn: string[];
  severity: string;
  target: Record<string, unknown>;
  certificate: CertificateInfo | null;
  pingPath?: string;
  createdAt: string;
  updatedAt: string;
}

export interface Uptime {
  windows: Array<{ window: string; uptime: number | null; count: number; failures: number }>;
}

export interface StoredResult extends Omit<ProbeResult, 'message'> {
  id: string;
  at: string;
  /** Stored for failures and changes; ok results keep only `code`. */
  message: string | null;
  code?: number | null;
}

/** A stored result in words: its message, or the code an ok result keeps (HTTP status, exit code, rows). */
export function resultText(kind: CheckKind, r: Pick<StoredResult, 'message' | 'code'>): string | undefined {
  if (r.message) return r.message;
  if (r.code === null || r.code === undefined) return undefined;
  if (kind === 'http') return `HTTP ${r.code}`;
  if (kind === 'ssh') return `exit code ${r.code}`;
  if (kind === 'sql') return `${r.code} row${r.code === 1 ? '' : 's'}`;
  return `code ${r.code}`;
}

export function ms(value: number | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return value < 1000 ? `${Math.round(value)}ms` : `${(value / 1000).toFixed(2)}s`;
}

/** `99.95%`; floors, so a window with a failure never reads 100%. */
export function percent(value: number | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value >= 100) return '100%';
  return `${(Math.floor(value * 100) / 100).toFixed(2)}%`;
}

export function statusText(state: Pick<CheckState, 'status' | 'flapping'>): string {
  return state.flapping ? `${state.status},flapping` : state.status;
}

export function listColumns(now: number): Column<CheckSummary>[] {
  return [
    { header: 'status', value: (c) => statusText(c.state) },
    { header: 'name', value: (c) => c.name },
    { header: 'kind', value: (c) => c.kind },
    { header: 'target', value: (c) => c.targetSummary },
    { header: 'latency', value: (c) => ms(c.state.lastLatencyMs) },
    { header: 'last-checked', value: (c) => ago(c.state.lastCheckedAt, now) ?? 'never' },
    { header: 'uptime-24h', value: (c) => percent(c.uptime24h) },
  ];
}

/** `key: value` lines with the values aligned. */
function fields(rows: Array<[string, string | undefined]>, indent = ''): string[] {
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length)) + 2;
  return shown.map(([k, v]) => `${indent}${`${k}:`.padEnd(width)}${v}`);
}

function indentBlock(text: string, indent = '  '): string[] {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => indent + l);
}

export function certificateLines(cert: CertificateInfo, indent = '  '): string[] {
  const days = cert.daysLeft < 0 ? `expired ${-cert.daysLeft} days ago` : `${cert.daysLeft} days left`;
  return fields(
    [
      ['subject', cert.subject],
      ['issuer', cert.issuer],
      ['names', cert.altNames.join(', ') || '-'],
      ['valid to', `${shortTime(cert.validTo)} (${days}, ${cert.expiry})`],
      ['chain valid', cert.chainValid ? 'yes' : `no${cert.chainError ? ` (${cert.chainError})` : ''}`],
      ['hostname match', cert.hostnameMatches ? 'yes' : 'no'],
      ['sha-256', cert.fingerprint256],
    ],
    indent,
  );
}

function timingsText(t: ProbeTimings): string {
  const parts: Array<[string, number | undefined]> = [
    ['dns', t.dnsMs],
    ['connect', t.connectMs],
    ['tls', t.tlsMs],
    ['first byte', t.firstByteMs],
    ['total', t.totalMs],
  ];
  return parts
    .filter((p): p is [string, number] => p[1] !== undefined)
    .map(([k, v]) => `${k} ${ms(v)}`)
    .join(', ');
}

/** A probe result for people: outcome and message, failing phase, timings, details, certificate. */
export function resultLines(r: ProbeResult): string[] {
  const lines = fields([
    ['result', `${r.ok ? 'ok' : 'FAILED'}: ${r.message}`],
    ['latency', ms(r.latencyMs)],
    ['error', r.error ? `${r.error.phase} / ${r.error.code}` : undefined],
    ['timings', r.timings ? timingsText(r.timings) : undefined],
  ]);
  if (r.details && Object.keys(r.details).length > 0) {
    lines.push('details:', ...indentBlock(YAML.stringify(r.details, { lineWidth: 0 })));
  }
  if (r.certificate) lines.push('certificate:', ...certificateLines(r.certificate));
  return lines;
}

/** `checks show` as text: spec and state, uptime windows, certificate, target spec, the last results. */
export function showLines(check: Check, uptime: Uptime | undefined, results: StoredResult[], now: number): string[] {
  const s = check.state;
  const labels = Object.entries(check.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const lines = fields([
    ['name', check.name],
    ['id', check.id],
    ['kind', check.kind],
    ['status', `${statusText(s)}${s.since ? ` since ${shortTime(s.since)}` : ''} (flap ${Math.round(s.flapPercent)}%)`],
    ['labels', labels.length ? labels.join(', ') : '-'],
    ['description', check.description || undefined],
    ['runbook', check.runbookUrl],
    [
      'schedule',
      `every ${check.intervalSeconds}s, timeout ${check.timeoutSeconds}s, retries ${check.retries}, recovery ${check.recoveryThreshold}${check.enabled ? '' : ', disabled'}`,
    ],
    ['severity', check.severity],
    ['depends on', check.dependsOn?.length ? check.dependsOn.join(', ') : '-'],
    ['ping url', check.pingPath],
    ['last checked', s.lastCheckedAt ? `${shortTime(s.lastCheckedAt)} (${ago(s.lastCheckedAt, now)})` : 'never'],
    ['last latency', ms(s.lastLatencyMs)],
    ['last message', s.lastMessage ?? undefined],
  ]);
  lines.push('', 'uptime:');
  for (const w of uptime?.windows ?? []) {
    const detail = w.count ? `${w.failures} of ${w.count} failed` : 'no results';
    lines.push(`  ${w.window.padEnd(4)} ${(percent(w.uptime) ?? '-').padStart(7)}  (${detail})`);
  }
  if (check.certificate) lines.push('', 'certificate:', ...certificateLines(check.certificate));
  lines.push('', 'target:', ...indentBlock(YAML.stringify(check.target, { lineWidth: 0 })));
  lines.push('', `last ${results.length} results:`);
  if (results.length === 0) lines.push('  none yet');
  else {
    const table = formatTable(results, [
      { header: 'time', value: (r) => shortTime(r.at) },
      { header: 'result', value: (r) => (r.ok ? 'ok' : 'fail') },
      { header: 'latency', value: (r) => ms(r.latencyMs) },
      { header: 'message', value: (r) => resultText(check.kind, r) },
    ]);
    lines.push(...indentBlock(table));
  }
  return lines;
}
