import type { CheckBody, CheckKind, Severity } from '../../../api/checks';
import { ApiError, type FieldError } from '../../../api/client';

/**
 * The check form's state: every input as the user typed it (strings, booleans, rows), one
 * draft per kind so switching kinds while creating keeps what was typed. `toBody` turns it into
 * the API body; only what cannot be sent at all (a label line without `=`) is refused here —
 * everything else goes to the server, whose field errors land on these inputs.
 */

export interface JsonRow {
  path: string;
  op: string;
  value: string;
}

export const JSON_OPS = ['==', '!=', '<', '<=', '>', '>=', 'contains', 'matches', 'exists', 'not_exists'] as const;
export const VALUE_OPS = ['==', '!=', '<', '<=', '>', '>='] as const;

export const defaultDrafts = {
  http: {
    url: '',
    method: 'GET',
    headers: '',
    body: '',
    authType: '' as '' | 'basic' | 'bearer',
    username: '',
    passwordSecret: '',
    tokenSecret: '',
    followRedirects: true,
    maxRedirects: '5',
    tlsVerify: true,
    tlsCa: '',
    expectStatus: '200-299',
    bodyContains: '',
    bodyNotContains: '',
    bodyRegex: '',
    json: [] as JsonRow[],
    maxResponseMs: '',
    maxBodyBytes: '65536',
    warnDays: '14',
    criticalDays: '7',
  },
  tcp: { host: '', port: '', send: '', expect: '', tls: false },
  dns: { name: '', recordType: 'A', resolver: '', expect: '', expectRcode: 'NOERROR' },
  tls: { host: '', port: '443', serverName: '', ca: '', warnDays: '14', criticalDays: '7' },
  icmp: { host: '', count: '3', maxLossPercent: '0', maxRttMs: '' },
  heartbeat: {
    schedule: 'period' as 'period' | 'cron',
    periodSeconds: '300',
    cron: '',
    timeZone: 'UTC',
    graceSeconds: '60',
    maxRunSeconds: '0',
  },
  sql: {
    driver: 'postgres',
    connectionSecret: '',
    host: '',
    port: '',
    database: '',
    username: '',
    passwordSecret: '',
    tls: false,
    query: 'SELECT 1',
    expectRows: '',
    expectOp: '',
    expectValue: '',
  },
  ssh: {
    host: '',
    port: '22',
    username: '',
    passwordSecret: '',
    privateKeySecret: '',
    hostKey: '',
    command: '',
    expectExitCode: '0',
    stdoutContains: '',
    stdoutRegex: '',
    stderrContains: '',
  },
};

export type TargetDrafts = typeof defaultDrafts;
export type HttpDraft = TargetDrafts['http'];
export type TcpDraft = TargetDrafts['tcp'];
export type DnsDraft = TargetDrafts['dns'];
export type TlsDraft = TargetDrafts['tls'];
export type IcmpDraft = TargetDrafts['icmp'];
export type HeartbeatDraft = TargetDrafts['heartbeat'];
export type SqlDraft = TargetDrafts['sql'];
export type SshDraft = TargetDrafts['ssh'];

export interface CheckDraft {
  kind: CheckKind;
  name: string;
  description: string;
  runbookUrl: string;
  labels: string;
  intervalSeconds: string;
  timeoutSeconds: string;
  retries: string;
  recoveryThreshold: string;
  enabled: boolean;
  dependsOn: string;
  severity: Severity;
  flappingLow: string;
  flappingHigh: string;
  targets: TargetDrafts;
}

export function newDraft(kind: CheckKind): CheckDraft {
  return {
    kind,
    name: '',
    description: '',
    runbookUrl: '',
    labels: '',
    intervalSeconds: '60',
    timeoutSeconds: '10',
    retries: '0',
    recoveryThreshold: '1',
    enabled: true,
    dependsOn: '',
    severity: 'critical',
    flappingLow: '20',
    flappingHigh: '30',
    targets: structuredClone(defaultDrafts),
  };
}

// ---- text → API values ----

/** `''` → undefined; a number → that number; anything else as typed, so the server's error names the field. */
function num(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

function opt(text: string): string | undefined {
  const t = text.trim();
  return t === '' ? undefined : t;
}

/** Keeps text exactly (bodies, queries, send strings), only dropping it when empty. */
function raw(text: string): string | undefined {
  return text === '' ? undefined : text;
}

export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function list(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A JSON literal (`42`, `true`, `null`, `"42"`) is that value; any other text is a string. */
export function parseLiteral(text: string): string | number | boolean | null {
  const t = text.trim();
  if (/^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null|".*")$/.test(t)) {
    try {
      return JSON.parse(t) as string | number | boolean | null;
    } catch {
      return text;
    }
  }
  return text;
}

/** The inverse of parseLiteral: strings that look like literals get quotes. */
export function formatLiteral(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return parseLiteral(value) === value ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

function keyValueLines(text: string, sep: '=' | ':', path: string, errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const at = line.indexOf(sep);
    if (at <= 0) {
      errors.push({ path, message: `line ${i + 1}: write it as name${sep === '=' ? '=' : ': '}value` });
      return;
    }
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  });
  return out;
}

function compact(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

function httpTarget(t: HttpDraft, errors: FieldError[]): Record<string, unknown> {
  const auth =
    t.authType === 'basic'
      ? { type: 'basic', username: t.username, passwordSecret: t.passwordSecret.trim() }
      : t.authType === 'bearer'
        ? { type: 'bearer', tokenSecret: t.tokenSecret.trim() }
        : undefined;
  return compact({
    url: t.url.trim(),
    method: t.method,
    headers: keyValueLines(t.headers, ':', 'target.headers', errors),
    body: raw(t.body),
    auth,
    followRedirects: t.followRedirects,
    maxRedirects: num(t.maxRedirects),
    tls: compact({ verify: t.tlsVerify, ca: opt(t.tlsCa) }),
    expectStatus: list(t.expectStatus).map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
    bodyContains: lines(t.bodyContains),
    bodyNotContains: lines(t.bodyNotContains),
    bodyRegex: raw(t.bodyRegex),
    json: t.json.map((row) =>
      compact({
        path: row.path.trim(),
        op: row.op,
        value: row.op === 'exists' || row.op === 'not_exists' ? undefined : parseLiteral(row.value),
      }),
    ),
    maxResponseMs: num(t.maxResponseMs),
    maxBodyBytes: num(t.maxBodyBytes),
    certificate: compact({ warnDays: num(t.warnDays), criticalDays: num(t.criticalDays) }),
  });
}

function target(d: CheckDraft, errors: FieldError[]): Record<string, unknown> {
  const t = d.targets;
  switch (d.kind) {
    case 'http':
      return httpTarget(t.http, errors);
    case 'tcp':
      return compact({
        host: t.tcp.host.trim(),
        port: num(t.tcp.port),
        send: raw(t.tcp.send),
        expect: raw(t.tcp.expect),
        tls: t.tcp.tls,
      });
    case 'dns':
      return compact({
        name: t.dns.name.trim(),
        recordType: t.dns.recordType,
        resolver: opt(t.dns.resolver),
        expect: lines(t.dns.expect),
        expectRcode: t.dns.expectRcode,
      });
    case 'tls':
      return compact({
        host: t.tls.host.trim(),
        port: num(t.tls.port),
        serverName: opt(t.tls.serverName),
        ca: opt(t.tls.ca),
        certificate: compact({ warnDays: num(t.tls.warnDays), criticalDays: num(t.tls.criticalDays) }),
      });
    case 'icmp':
      return compact({
        host: t.icmp.host.trim(),
        count: num(t.icmp.count),
        maxLossPercent: num(t.icmp.maxLossPercent),
        maxRttMs: num(t.icmp.maxRttMs),
      });
    case 'heartbeat': {
      const h = t.heartbeat;
      return compact({
        periodSeconds: h.schedule === 'period' ? num(h.periodSeconds) : undefined,
        cron: h.schedule === 'cron' ? h.cron.trim() : undefined,
        timeZone: opt(h.timeZone),
        graceSeconds: num(h.graceSeconds),
        maxRunSeconds: num(h.maxRunSeconds),
      });
    }
    case 'sql': {
      const s = t.sql;
      return compact({
        driver: s.driver,
        connectionSecret: opt(s.connectionSecret),
        host: opt(s.host),
        port: num(s.port),
        database: opt(s.database),
        username: opt(s.username),
        passwordSecret: opt(s.passwordSecret),
        tls: s.tls,
        query: s.query,
        expectRows: num(s.expectRows),
        expectValue: s.expectOp ? { op: s.expectOp, value: parseLiteral(s.expectValue) } : undefined,
      });
    }
    case 'ssh': {
      const s = t.ssh;
      return compact({
        host: s.host.trim(),
        port: num(s.port),
        username: s.username.trim(),
        passwordSecret: opt(s.passwordSecret),
        privateKeySecret: opt(s.privateKeySecret),
        hostKey: s.hostKey.trim(),
        command: s.command,
        expectExitCode: num(s.expectExitCode),
        stdoutContains: raw(s.stdoutContains),
        stdoutRegex: raw(s.stdoutRegex),
        stderrContains: raw(s.stderrContains),
      });
    }
  }
}

/** The API body for POST/PUT /api/v1/checks; throws an ApiError (with field paths) for lines it cannot read. */
export function toBody(d: CheckDraft): CheckBody {
  const errors: FieldError[] = [];
  const labels = keyValueLines(d.labels, '=', 'labels', errors);
  const body = compact({
    name: d.name.trim(),
    kind: d.kind,
    labels,
    description: d.description,
    runbookUrl: opt(d.runbookUrl),
    intervalSeconds: num(d.intervalSeconds),
    timeoutSeconds: num(d.timeoutSeconds),
    retries: num(d.retries),
    recoveryThreshold: num(d.recoveryThreshold),
    enabled: d.enabled,
    dependsOn: list(d.dependsOn),
    severity: d.severity,
    flapping: compact({ low: num(d.flappingLow), high: num(d.flappingHigh) }),
    target: target(d, errors),
  }) as CheckBody;
  if (errors.length) {
    throw new ApiError({
      status: 0,
      code: 'invalid_input',
      message: 'Some fields could not be read',
      fields: errors,
    });
  }
  return body;
}
