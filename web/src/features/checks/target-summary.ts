import type { CheckKind } from '../../api/checks';

function str(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

function hostPort(host: unknown, port: unknown): string {
  const h = str(host);
  const p = str(port);
  const bracketed = h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
  return p ? `${bracketed}:${p}` : bracketed;
}

/** One line that says what a check probes: `GET https://…`, `db.internal:5432`, `every 300 s`. */
export function targetSummary(kind: CheckKind, target: Record<string, unknown>): string {
  switch (kind) {
    case 'http':
      return `${str(target.method) || 'GET'} ${str(target.url)}`;
    case 'tcp':
      return hostPort(target.host, target.port) + (target.tls ? ' (TLS)' : '');
    case 'tls':
      return hostPort(target.host, target.port ?? 443);
    case 'dns':
      return `${str(target.name)} ${str(target.recordType) || 'A'}${target.resolver ? ` @${str(target.resolver)}` : ''}`;
    case 'icmp':
      return str(target.host);
    case 'heartbeat':
      return target.cron
        ? `cron ${str(target.cron)} (${str(target.timeZone) || 'UTC'})`
        : `every ${str(target.periodSeconds)} s`;
    case 'sql':
      return `${str(target.driver)}://${hostPort(target.host, target.port)}/${str(target.database)}`;
    case 'ssh':
      return `${str(target.username)}@${hostPort(target.host, target.port ?? 22)}`;
  }
}
