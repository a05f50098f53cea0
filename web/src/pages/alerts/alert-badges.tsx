import { Link } from 'react-router-dom';
import { Badge } from '../../ui';
import { alertState, formatMatcher, holdReasons, STATE_TONE } from './alert-format';
import type { AlertView, Severity } from './alerts-api';

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`severity severity-${severity}`} data-testid="severity">
      {severity}
    </span>
  );
}

/** Notifying, pending, unrouted, resolved, or suppressed with what holds it; acknowledged beside it. */
export function AlertStateBadge({
  alert,
  detailed = false,
}: {
  alert: Pick<AlertView, 'status' | 'why' | 'acknowledged'>;
  detailed?: boolean;
}) {
  const state = alertState(alert);
  const reasons = state === 'suppressed' ? holdReasons(alert.why) : [];
  return (
    <span className="alert-state" data-testid="alert-state">
      <span className="alert-state-badges">
        <Badge tone={STATE_TONE[state]} title={reasons.join('; ') || undefined}>
          {state}
        </Badge>
        {alert.acknowledged ? <AckBadge /> : null}
      </span>
      {reasons.length ? (
        <span className={detailed ? 'alert-state-reason' : 'alert-state-reason cell-secondary'}>
          {reasons.join('; ')}
        </span>
      ) : null}
    </span>
  );
}

export function AckBadge() {
  return (
    <Badge tone="info" title="Acknowledged: someone is on it" testId="ack">
      ✓ ack
    </Badge>
  );
}

/** Labels as `k=v` chips; with `linkTo`, each chip filters the alert list by that label. */
export function LabelChips({
  labels,
  max,
  link = false,
}: {
  labels: Record<string, string>;
  max?: number | undefined;
  link?: boolean | undefined;
}) {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const shown = max === undefined ? entries : entries.slice(0, max);
  return (
    <span className="label-chips" data-testid="label-chips">
      {shown.map(([k, v]) =>
        link ? (
          <Link
            key={k}
            className="label-chip"
            to={`/alerts?status=all&matcher=${encodeURIComponent(formatMatcher({ name: k, op: '=', value: v }))}`}
            title={`Alerts with ${k}="${v}"`}
          >
            {k}={v}
          </Link>
        ) : (
          <span key={k} className="label-chip" title={`${k}=${v}`}>
            {k}={v}
          </span>
        ),
      )}
      {entries.length > shown.length ? <span className="muted">+{entries.length - shown.length}</span> : null}
    </span>
  );
}

/** Matchers in their text form, as chips. */
export function MatcherChips({ matchers }: { matchers: readonly string[] }) {
  return (
    <span className="label-chips matcher-chips">
      {matchers.map((m) => (
        <span key={m} className="label-chip" title={m}>
          {m}
        </span>
      ))}
    </span>
  );
}
