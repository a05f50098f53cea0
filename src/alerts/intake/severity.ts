import type { Severity } from '../alert.model.js';

/**
 * Severity words seen in Prometheus/Alertmanager rules, Grafana, Zabbix-style tools and generic
 * webhooks, mapped onto Mainstay's four levels. Matching is case-insensitive after trimming.
 *
 * - critical: the page-now words (`page`, `fatal`, `emergency`, `disaster`, `p1`, `sev1`…).
 * - error: one step below (`high`, `major`, `severe`, `p2`, `sev2`…). `high` is not critical because
 *   the tools that use it (Zabbix, Grafana OnCall, Datadog) all have a level above it.
 * - warning: `warn`, `minor`, `medium`, `average`, `p3`…
 * - info: `low`, `notice`, `debug`, `none`, `ok`, `p4`, `p5`…
 *
 * Anything else (or no value) is `warning`: an alert of unknown severity still reaches someone,
 * without paging like a critical one.
 */
const WORDS: Record<Severity, string> = {
  critical: 'critical crit fatal emergency emerg alert page disaster p1 sev0 sev1 sev-1',
  error: 'error err high major severe p2 sev2 sev-2',
  warning: 'warning warn minor medium moderate average p3 sev3 sev-3',
  info: 'info information informational notice low debug none ok p4 p5 sev4 sev5 sev-4 sev-5',
};

const ALIASES: ReadonlyMap<string, Severity> = new Map(
  (Object.entries(WORDS) as [Severity, string][]).flatMap(([severity, words]) =>
    words.split(' ').map((w) => [w, severity] as const),
  ),
);

export const DEFAULT_SEVERITY: Severity = 'warning';

/** A severity word from any source as one of Mainstay's four levels (unknown: `warning`). */
export function normalizeSeverity(value: unknown): Severity {
  if (typeof value !== 'string' || value.length > 32) return DEFAULT_SEVERITY;
  return ALIASES.get(value.trim().toLowerCase()) ?? DEFAULT_SEVERITY;
}
