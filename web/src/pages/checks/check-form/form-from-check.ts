import type { Check } from '../../../api/checks';
import { type CheckDraft, formatLiteral, type JsonRow, newDraft } from './form-model';

/** A stored check as form state: the inverse of `toBody`. */

type Obj = Record<string, unknown>;

function s(v: unknown, fallback = ''): string {
  if (v === undefined || v === null) return fallback;
  return typeof v === 'string' ? v : String(v);
}

function b(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function keyValues(record: unknown, sep: string): string {
  return Object.entries(obj(record))
    .map(([k, v]) => `${k}${sep}${s(v)}`)
    .join('\n');
}

export function draftFromCheck(check: Check): CheckDraft {
  const d = newDraft(check.kind);
  d.name = check.name;
  d.description = check.description ?? '';
  d.runbookUrl = check.runbookUrl ?? '';
  d.labels = keyValues(check.labels, '=');
  d.intervalSeconds = s(check.intervalSeconds);
  d.timeoutSeconds = s(check.timeoutSeconds);
  d.retries = s(check.retries);
  d.recoveryThreshold = s(check.recoveryThreshold);
  d.enabled = check.enabled;
  d.dependsOn = check.dependsOn.join(', ');
  d.severity = check.severity;
  d.flappingLow = s(check.flapping?.low, '20');
  d.flappingHigh = s(check.flapping?.high, '30');

  const t = check.target;
  const cert = obj(t.certificate);
  switch (check.kind) {
    case 'http': {
      const auth = obj(t.auth);
      const tls = obj(t.tls);
      const h = d.targets.http;
      Object.assign(h, {
        url: s(t.url),
        method: s(t.method, 'GET'),
        headers: keyValues(t.headers, ': '),
        body: s(t.body),
        authType: auth.type === 'basic' || auth.type === 'bearer' ? auth.type : '',
        username: s(auth.username),
        passwordSecret: s(auth.passwordSecret),
        tokenSecret: s(auth.tokenSecret),
        followRedirects: b(t.followRedirects, true),
        maxRedirects: s(t.maxRedirects, '5'),
        tlsVerify: b(tls.verify, true),
        tlsCa: s(tls.ca),
        expectStatus:
          arr(t.expectStatus)
            .map((x) => s(x))
            .join(', ') || '200-299',
        bodyContains: arr(t.bodyContains)
          .map((x) => s(x))
          .join('\n'),
        bodyNotContains: arr(t.bodyNotContains)
          .map((x) => s(x))
          .join('\n'),
        bodyRegex: s(t.bodyRegex),
        json: arr(t.json).map((row): JsonRow => {
          const r = obj(row);
          return { path: s(r.path), op: s(r.op, '=='), value: formatLiteral(r.value) };
        }),
        maxResponseMs: s(t.maxResponseMs),
        maxBodyBytes: s(t.maxBodyBytes, '65536'),
        warnDays: s(cert.warnDays, '14'),
        criticalDays: s(cert.criticalDays, '7'),
      });
      break;
    }
    case 'tcp':
      Object.assign(d.targets.tcp, {
        host: s(t.host),
        port: s(t.port),
        send: s(t.send),
        expect: s(t.expect),
        tls: b(t.tls, false),
      });
      break;
    case 'dns':
      Object.assign(d.targets.dns, {
        name: s(t.name),
        recordType: s(t.recordType, 'A'),
        resolver: s(t.resolver),
        expect: arr(t.expect)
          .map((x) => s(x))
          .join('\n'),
        expectRcode: s(t.expectRcode, 'NOERROR'),
      });
      break;
    case 'tls':
      Object.assign(d.targets.tls, {
        host: s(t.host),
        port: s(t.port, '443'),
        serverName: s(t.serverName),
        ca: s(t.ca),
        warnDays: s(cert.warnDays, '14'),
        criticalDays: s(cert.criticalDays, '7'),
      });
      break;
    case 'icmp':
      Object.assign(d.targets.icmp, {
        host: s(t.host),
        count: s(t.count, '3'),
        maxLossPercent: s(t.maxLossPercent, '0'),
        maxRttMs: s(t.maxRttMs),
      });
      break;
    case 'heartbeat':
      Object.assign(d.targets.heartbeat, {
        schedule: t.cron ? 'cron' : 'period',
        periodSeconds: s(t.periodSeconds, '300'),
        cron: s(t.cron),
        timeZone: s(t.timeZone, 'UTC'),
        graceSeconds: s(t.graceSeconds, '60'),
        maxRunSeconds: s(t.maxRunSeconds, '0'),
      });
      break;
    case 'sql': {
      const ev = obj(t.expectValue);
      Object.assign(d.targets.sql, {
        driver: s(t.driver, 'postgres'),
        connectionSecret: s(t.connectionSecret),
        host: s(t.host),
        port: s(t.port),
        database: s(t.database),
        username: s(t.username),
        passwordSecret: s(t.passwordSecret),
        tls: b(t.tls, false),
        query: s(t.query),
        expectRows: s(t.expectRows),
        expectOp: s(ev.op),
        expectValue: 'value' in ev ? formatLiteral(ev.value) : '',
      });
      break;
    }
    case 'ssh':
      Object.assign(d.targets.ssh, {
        host: s(t.host),
        port: s(t.port, '22'),
        username: s(t.username),
        passwordSecret: s(t.passwordSecret),
        privateKeySecret: s(t.privateKeySecret),
        hostKey: s(t.hostKey),
        command: s(t.command),
        expectExitCode: s(t.expectExitCode, '0'),
        stdoutContains: s(t.stdoutContains),
        stdoutRegex: s(t.stdoutRegex),
        stderrContains: s(t.stderrContains),
      });
      break;
  }
  return d;
}
