import type { CheckStatus } from './check.model.js';
import type { CertificateInfo } from './probes/probe.js';

/** A check's live state: what the list shows and what the state machine advances. */
export interface CheckState {
  status: CheckStatus;
  since: number | null;
  lastCheckedAt: number | null;
  lastLatencyMs: number | null;
  lastOk: boolean | null;
  lastMessage: string | null;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** The last 21 results, oldest first: '1' ok, '0' failed. */
  history: string;
  flapping: boolean;
  flapPercent: number;
  certificate: CertificateInfo | null;
  certExpiry: CertificateInfo['expiry'] | null;
  lastPingAt: number | null;
  runStartedAt: number | null;
}

export const EVENT_TYPES = [
  'down',
  'up',
  'flapping_start',
  'flapping_end',
  'certificate_expiring',
  'paused',
  'resumed',
] as const;
export type CheckEventType = (typeof EVENT_TYPES)[number];

export interface CheckEventInput {
  type: CheckEventType;
  at: number;
  from: string | null;
  to: string | null;
  message: string;
  details?: Record<string, unknown>;
}

export interface ResultInput {
  at: number;
  ok: boolean;
  latencyMs: number;
  message: string;
  certificate?: CertificateInfo | undefined;
}

export interface StatePolicy {
  retries: number;
  recoveryThreshold: number;
  flapping: { low: number; high: number };
}

export const FLAP_WINDOW = 21;

export function initialState(enabled: boolean, now: number): CheckState {
  return {
    status: enabled ? 'pending' : 'paused',
    since: now,
    lastCheckedAt: null,
    lastLatencyMs: null,
    lastOk: null,
    lastMessage: null,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    history: '',
    flapping: false,
    flapPercent: 0,
    certificate: null,
    certExpiry: null,
    lastPingAt: null,
    runStartedAt: null,
  };
}

/**
 * Nagios's percent state change: transitions between consecutive results in the
 * window, weighted from 0.8 (oldest) to 1.2 (newest), as a percentage of the 20
 * possible transitions.
 */
export function flapPercent(history: string): number {
  if (history.length < 2) return 0;
  const transitions = history.length - 1;
  let sum = 0;
  for (let i = 1; i < history.length; i++) {
    if (history[i] !== history[i - 1]) sum += 0.8 + (0.4 * (i - 1)) / Math.max(1, FLAP_WINDOW - 2);
  }
  return Math.round((sum / Math.max(transitions, FLAP_WINDOW - 1)) * 1000) / 10;
}

/**
 * Advances the state by one result: a failure counts only after `retries`
 * consecutive failures (confirmation), a down check needs `recoveryThreshold` good
 * results to be up, and flapping starts at `high` percent and ends below `low`.
 */
export function applyResult(
  prev: CheckState,
  r: ResultInput,
  policy: StatePolicy,
): { state: CheckState; events: CheckEventInput[] } {
  const events: CheckEventInput[] = [];
  const s: CheckState = { ...prev };
  s.lastCheckedAt = r.at;
  s.lastLatencyMs = Math.round(r.latencyMs);
  s.lastOk = r.ok;
  s.lastMessage = r.message;
  if (r.ok) {
    s.consecutiveSuccesses++;
    s.consecutiveFailures = 0;
  } else {
    s.consecutiveFailures++;
    s.consecutiveSuccesses = 0;
  }
  s.history = (prev.history + (r.ok ? '1' : '0')).slice(-FLAP_WINDOW);

  if (prev.status !== 'paused') {
    if (!r.ok && prev.status !== 'down' && s.consecutiveFailures > policy.retries) {
      s.status = 'down';
      s.since = r.at;
      events.push({
        type: 'down',
        at: r.at,
        from: prev.status,
        to: 'down',
        message: r.message,
        details: { consecutiveFailures: s.consecutiveFailures },
      });
    } else if (r.ok && prev.status === 'down' && s.consecutiveSuccesses >= policy.recoveryThreshold) {
      s.status = 'up';
      s.since = r.at;
      events.push({
        type: 'up',
        at: r.at,
        from: 'down',
        to: 'up',
        message: r.message,
        details: { downSince: prev.since },
      });
    } else if (r.ok && prev.status === 'pending') {
      s.status = 'up';
      s.since = r.at;
    }
  }

  s.flapPercent = flapPercent(s.history);
  if (!prev.flapping && s.history.length >= FLAP_WINDOW && s.flapPercent >= policy.flapping.high) {
    s.flapping = true;
    events.push({
      type: 'flapping_start',
      at: r.at,
      from: null,
      to: null,
      message: `state changed ${s.flapPercent}% over the last ${FLAP_WINDOW} results`,
      details: { percent: s.flapPercent },
    });
  } else if (prev.flapping && s.flapPercent < policy.flapping.low) {
    s.flapping = false;
    events.push({
      type: 'flapping_end',
      at: r.at,
      from: null,
      to: null,
      message: `state change down to ${s.flapPercent}%`,
      details: { percent: s.flapPercent },
    });
  }

  if (r.certificate) {
    s.certificate = r.certificate;
    s.certExpiry = r.certificate.expiry;
    const wasFine = prev.certExpiry === null || prev.certExpiry === 'ok';
    if (wasFine && r.certificate.expiry !== 'ok') {
      events.push({
        type: 'certificate_expiring',
        at: r.at,
        from: prev.certExpiry,
        to: r.certificate.expiry,
        message: `certificate for ${r.certificate.subject} ${r.certificate.daysLeft < 0 ? 'expired' : `expires in ${r.certificate.daysLeft} days`} (${r.certificate.validTo})`,
        details: { daysLeft: r.certificate.daysLeft, validTo: r.certificate.validTo, expiry: r.certificate.expiry },
      });
    }
  }
  return { state: s, events };
}
