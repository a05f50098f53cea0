import type { CheckEvent, CheckRecord } from '../checks/index.js';
import type { AlertEvent, Severity } from './alert.model.js';

/** What the alert pipeline reads about checks (the checks module's public API answers). */
export interface ChecksPort {
  describe(checkId: string): CheckRecord | undefined;
  byName(name: string): CheckRecord | undefined;
  statusOf(checkId: string): string | undefined;
  dependents(name: string): CheckRecord[];
}

/** Labels of a check's alert: its own labels plus alertname, check, kind and severity. */
export function checkLabels(c: CheckRecord): Record<string, string> {
  return { ...c.labels, alertname: c.name, check: c.name, kind: c.kind, severity: c.spec.severity };
}

/**
 * A check's state change as an alert event. The alert's identity is the check id. While a check
 * flaps its alert stays open and marked (one notification per flap period, not one per change):
 * recoveries during the flap are ignored, and the end of the flap resolves the alert if the check
 * is up by then.
 */
export function checkEventToAlert(e: CheckEvent, check: CheckRecord, checks: ChecksPort): AlertEvent | undefined {
  const base = {
    source: 'check' as const,
    integrationId: null,
    dedupKey: check.id,
    labels: checkLabels(check),
    annotations: { summary: '', description: e.message },
    severity: check.spec.severity as Severity,
  };
  const trigger = (summary: string, flapping?: boolean): AlertEvent => ({
    ...base,
    action: 'trigger',
    summary,
    annotations: { ...base.annotations, summary },
    startsAt: e.at,
    flapping,
  });
  const resolve = (summary: string): AlertEvent => ({ ...base, action: 'resolve', summary, endsAt: e.at });
  switch (e.type) {
    case 'down':
      return trigger(`${check.name} is down: ${e.message}`);
    case 'up':
      // A recovery in the middle of a flap does not close the alert; the flap's end does.
      return { ...resolve(`${check.name} is up`), unlessFlapping: true };
    case 'flapping_start':
      return trigger(`${check.name} is flapping: ${e.message}`, true);
    case 'flapping_end':
      if (checks.statusOf(check.id) === 'down') return trigger(`${check.name} is down (stopped flapping)`, false);
      return resolve(`${check.name} stopped flapping and is up`);
    case 'paused':
      return resolve(`${check.name} was paused`);
    default:
      return undefined;
  }
}
