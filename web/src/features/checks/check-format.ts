import type { CheckKind, CheckStatus } from '../../api/checks';
import type { Tone } from '../../ui';

/** Display helpers shared by the check list, the check page and the form. */

export const STATUS_TONE: Record<CheckStatus, Tone> = {
  up: 'success',
  down: 'danger',
  pending: 'info',
  paused: 'neutral',
};

export const KIND_LABELS: Record<CheckKind, string> = {
  http: 'HTTP(S)',
  tcp: 'TCP',
  dns: 'DNS',
  tls: 'TLS certificate',
  icmp: 'Ping (ICMP)',
  heartbeat: 'Heartbeat',
  sql: 'SQL query',
  ssh: 'SSH command',
};

export const KIND_DESCRIPTIONS: Record<CheckKind, string> = {
  http: 'Request a URL; check the status, body, JSON fields, response time and certificate.',
  tcp: 'Open a TCP connection (optionally TLS), send text and expect a reply or banner.',
  dns: 'Resolve a name and expect records and a response code, from a chosen resolver.',
  tls: 'Handshake with a TLS server; check the chain, the host name and days until expiry.',
  icmp: 'Ping a host; check packet loss and round-trip time.',
  heartbeat: 'Expect pings from a job (every N seconds or on a cron schedule); down when one is late.',
  sql: 'Run a query on PostgreSQL or MySQL and check the row count or the first value.',
  ssh: 'Run a command over SSH (pinned host key) and check its exit code and output.',
};

/** `12 ms`, `1.24 s`; `—` when there is no value. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** `99.95%`, `100%`; `—` when there were no results. Never rounds a failure up to 100%. */
export function formatUptime(pct: number | null | undefined): string {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return '—';
  if (pct >= 100) return '100%';
  const digits = pct >= 99 ? 2 : 1;
  const factor = 10 ** digits;
  return `${(Math.floor(pct * factor) / factor).toFixed(digits)}%`;
}

/** Colour class of an uptime value: good, degraded, bad, or no data. */
export function uptimeLevel(pct: number | null | undefined): 'none' | 'good' | 'warn' | 'bad' {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return 'none';
  if (pct >= 99.9) return 'good';
  if (pct >= 95) return 'warn';
  return 'bad';
}

export function isCheckKind(value: string): value is CheckKind {
  return value in KIND_LABELS;
}

export function isCheckStatus(value: string): value is CheckStatus {
  return value in STATUS_TONE;
}

/** What a stored result says: its message, or for ok results (which keep only a code) the code in words. */
export function resultText(kind: CheckKind, r: { message: string | null; code?: number | null | undefined }): string {
  if (r.message) return r.message;
  if (r.code === null || r.code === undefined) return '';
  if (kind === 'http') return `HTTP ${r.code}`;
  if (kind === 'ssh') return `exit code ${r.code}`;
  if (kind === 'sql') return `${r.code} row${r.code === 1 ? '' : 's'}`;
  return `code ${r.code}`;
}
