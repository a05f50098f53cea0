import { type ReactNode, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Time } from '../../ui';
import { alertState } from './alert-format';
import { type AlertView, alertsApi } from './alerts-api';

const enc = encodeURIComponent;

function Step({
  tone,
  children,
  testId,
}: {
  tone: 'ok' | 'hold' | 'warn' | 'info';
  children: ReactNode;
  testId: string;
}) {
  return (
    <li className={`why-step why-${tone}`} data-testid={testId}>
      <span className="why-dot" aria-hidden="true" />
      <span>{children}</span>
    </li>
  );
}

/** Names the inhibiting alert by its summary, which says more than its id. */
function InhibitorLink({ id }: { id: string }) {
  const [summary, setSummary] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    alertsApi.get(id, controller.signal).then(
      (a) => setSummary(a.summary),
      () => undefined,
    );
    return () => controller.abort();
  }, [id]);
  return (
    <Link to={`/alerts/${enc(id)}`} data-testid="inhibitor-link">
      {summary ?? id}
    </Link>
  );
}

function Headline({ alert }: { alert: AlertView }) {
  switch (alertState(alert)) {
    case 'resolved':
      return (
        <Step tone="ok" testId="why-resolved">
          <strong>Resolved</strong>
          {alert.endsAt ? (
            <>
              {' '}
              <Time value={alert.endsAt} relative />
            </>
          ) : null}
          ; its receivers were told if they ask for resolutions.
        </Step>
      );
    case 'notifying':
      return (
        <Step tone="info" testId="why-notifying">
          <strong>Notifying</strong>: its group sends it to the receivers below, again every repeat interval while it
          fires.
        </Step>
      );
    case 'pending':
      return (
        <Step tone="warn" testId="why-pending">
          <strong>Pending</strong>: waiting for its group’s first notification (the route’s group wait).
        </Step>
      );
    case 'unrouted':
      return (
        <Step tone="warn" testId="why-unrouted">
          <strong>Unrouted</strong>: no <Link to="/alerts/routing">routing tree</Link> is configured, so nobody is told.
        </Step>
      );
    case 'suppressed':
      return (
        <Step tone="hold" testId="why-suppressed">
          <strong>Suppressed</strong>: nobody is told while the holds below last.
        </Step>
      );
  }
}

/** The dispatcher's verdict on an alert, as sentences: where it goes and what holds it. */
export function WhyTrail({ alert }: { alert: AlertView }) {
  const w = alert.why;
  return (
    <ul className="why-trail" data-testid="why-trail">
      <Headline alert={alert} />
      {w.routes.map((r) => (
        <Step key={`${r.route}:${r.group}`} tone="info" testId="why-route">
          Routed to receiver <strong>{r.receiver}</strong> via route{' '}
          <Link to={`/alerts/routing?route=${enc(r.route)}`} className="mono">
            {r.route}
          </Link>{' '}
          in group{' '}
          <span className="mono" title={r.group}>
            {r.group.length > 14 ? `…${r.group.slice(-12)}` : r.group}
          </span>
          .
        </Step>
      ))}
      {w.silencedBy.map((s) => (
        <Step key={`s:${s}`} tone="hold" testId="why-silenced">
          Silenced by{' '}
          <Link to={`/alerts/silences/${enc(s)}`} className="mono">
            {s}
          </Link>
          .
        </Step>
      ))}
      {w.inhibitedBy.map((i) => (
        <Step key={`i:${i.rule}:${i.alert}`} tone="hold" testId="why-inhibited">
          Inhibited by rule <strong>{i.rule}</strong> because alert <InhibitorLink id={i.alert} /> fires.
        </Step>
      ))}
      {w.maintenance.map((m) => (
        <Step key={`m:${m}`} tone="hold" testId="why-maintenance">
          In maintenance window <Link to="/alerts/maintenance">{m}</Link>.
        </Step>
      ))}
      {w.dependency.map((d) => (
        <Step key={`d:${d}`} tone="hold" testId="why-dependency">
          Suppressed by its dependency on check <Link to={`/checks/${enc(d)}`}>{d}</Link>, which is down.
        </Step>
      ))}
      {w.muted.map((t) => (
        <Step key={`t:${t}`} tone="hold" testId="why-muted">
          Muted by time interval <strong>{t}</strong>.
        </Step>
      ))}
      {w.flapping ? (
        <Step tone="warn" testId="why-flapping">
          <strong>Flapping</strong>: it changes state often; a recovery is not reported until it settles.
        </Step>
      ) : null}
      {w.acknowledged ? (
        <Step tone="ok" testId="why-acknowledged">
          <strong>Acknowledged</strong>
          {alert.acknowledgedAt ? (
            <>
              {' '}
              <Time value={alert.acknowledgedAt} relative />
            </>
          ) : null}
          : someone is on it.
        </Step>
      ) : null}
    </ul>
  );
}
