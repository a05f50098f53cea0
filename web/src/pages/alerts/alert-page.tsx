import { Fragment, useCallback, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import { Badge, Button, Card, ErrorAlert, ErrorState, JsonBlock, Page, Time } from '../../ui';
import { AlertStateBadge, LabelChips, SeverityBadge } from './alert-badges';
import { labelMatchers } from './alert-format';
import { AlertHistory } from './alert-history';
import { type AlertView, alertsApi } from './alerts-api';
import { usePolled } from './use-polled';
import { WhyTrail } from './why-trail';
import './alerts.css';

const SOURCE_LABELS: Record<AlertView['source'], string> = {
  check: 'Check',
  pagerduty: 'PagerDuty Events API',
  alertmanager: 'Alertmanager',
  opsgenie: 'Opsgenie API',
  webhook: 'Webhook',
  api: 'REST API',
};

function isUrl(text: string): boolean {
  return /^https?:\/\/\S+$/.test(text);
}

function FactsCard({ alert }: { alert: AlertView }) {
  return (
    <Card title="Details">
      <dl className="dl" data-testid="alert-facts">
        <dt>Source</dt>
        <dd>
          {SOURCE_LABELS[alert.source]}
          {alert.integration ? (
            <>
              {' '}
              via integration <strong>{alert.integration}</strong>
            </>
          ) : null}
        </dd>
        {alert.dedupKey ? (
          <>
            <dt>Dedup key</dt>
            <dd className="mono">{alert.dedupKey}</dd>
          </>
        ) : null}
        <dt>Started</dt>
        <dd>
          <Time value={alert.startsAt} />{' '}
          <span className="muted">
            (first seen <Time value={alert.firstSeenAt} relative />)
          </span>
        </dd>
        <dt>Ended</dt>
        <dd>
          <Time value={alert.endsAt} empty="still firing" />
        </dd>
        <dt>Last seen</dt>
        <dd>
          <Time value={alert.lastSeenAt} relative />
        </dd>
        <dt>Repeats</dt>
        <dd>
          {alert.repeats === 0
            ? 'none: triggered once'
            : `${alert.repeats} repeated trigger${alert.repeats === 1 ? '' : 's'}, deduplicated`}
        </dd>
        {alert.generatorURL ? (
          <>
            <dt>Generator</dt>
            <dd>
              <a href={alert.generatorURL} target="_blank" rel="noopener noreferrer">
                {alert.generatorURL}
              </a>
            </dd>
          </>
        ) : null}
        <dt>Fingerprint</dt>
        <dd className="mono">{alert.fingerprint}</dd>
      </dl>
    </Card>
  );
}

function AnnotationsCard({ annotations }: { annotations: Record<string, string> }) {
  const entries = Object.entries(annotations);
  return (
    <Card title="Annotations">
      {entries.length ? (
        <dl className="dl" data-testid="alert-annotations">
          {entries.map(([k, v]) => (
            <Fragment key={k}>
              <dt className="mono">{k}</dt>
              <dd className="pre-line">
                {isUrl(v) ? (
                  <a href={v} target="_blank" rel="noopener noreferrer">
                    {v}
                  </a>
                ) : (
                  v
                )}
              </dd>
            </Fragment>
          ))}
        </dl>
      ) : (
        <p className="muted" style={{ margin: 0 }}>
          No annotations.
        </p>
      )}
    </Card>
  );
}

/** One alert: what it is, where it went and why, what happened to it; acknowledge, resolve, silence. */
export function AlertPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { user } = useCurrentUser();
  const canRespond = roleAtLeast(user.role, 'responder');
  const load = useCallback((signal: AbortSignal) => alertsApi.get(id, signal), [id]);
  const { data: alert, error, reload } = usePolled(load, 5000);
  // An action's answer is newer than the poll it was made on, until the next poll arrives.
  const [acted, setActed] = useState<{ view: AlertView; basis: AlertView | null } | null>(null);
  const [busy, setBusy] = useState<'acknowledge' | 'resolve' | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [historyKey, setHistoryKey] = useState(0);

  const shown = acted && acted.basis === alert ? acted.view : alert;

  if (error && !alert) {
    return (
      <Page title="Alert" breadcrumbs={[{ label: 'Alerts', to: '/alerts' }]} testId="alert-page">
        <ErrorState error={error} onRetry={reload} />
      </Page>
    );
  }
  if (!shown) {
    return (
      <div className="page muted" aria-busy="true">
        Loading…
      </div>
    );
  }

  async function act(action: 'acknowledge' | 'resolve') {
    setBusy(action);
    setActionError(null);
    try {
      setActed({ view: await alertsApi[action](id), basis: alert });
      reload();
      setHistoryKey((n) => n + 1);
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(null);
    }
  }

  const firing = shown.status === 'firing';
  const silenceLink = `/alerts/silences/new?${labelMatchers(shown.labels)
    .map((m) => `matcher=${encodeURIComponent(m)}`)
    .join('&')}`;
  return (
    <Page
      title={<span className="alert-title">{shown.summary}</span>}
      breadcrumbs={[{ label: 'Alerts', to: '/alerts' }]}
      description={
        <span className="alert-subtitle">
          <SeverityBadge severity={shown.severity} />
          <Badge tone={firing ? 'danger' : 'success'} testId="alert-status">
            {shown.status}
          </Badge>
          <AlertStateBadge alert={shown} detailed />
          {shown.flapping ? <Badge tone="warning">flapping</Badge> : null}
        </span>
      }
      actions={
        canRespond ? (
          <>
            {firing && !shown.acknowledged ? (
              <Button busy={busy === 'acknowledge'} onClick={() => act('acknowledge')} testId="acknowledge">
                Acknowledge
              </Button>
            ) : null}
            {firing ? (
              <Button busy={busy === 'resolve'} onClick={() => act('resolve')} testId="resolve">
                Resolve
              </Button>
            ) : null}
            <Button variant="primary" onClick={() => navigate(silenceLink)} testId="silence-alert">
              Silence…
            </Button>
          </>
        ) : null
      }
      testId="alert-page"
    >
      {actionError ? <ErrorAlert error={actionError} onDismiss={() => setActionError(null)} /> : null}
      <Card title="Labels">
        <LabelChips labels={shown.labels} link />
      </Card>
      <div className="alert-grid">
        <Card title="Why">
          <WhyTrail alert={shown} />
        </Card>
        <FactsCard alert={shown} />
      </div>
      <AnnotationsCard annotations={shown.annotations} />
      {shown.details !== undefined && shown.details !== null ? (
        <Card title="Source details">
          <JsonBlock value={shown.details} label="Details sent by the source" />
        </Card>
      ) : null}
      <AlertHistory alertId={shown.id} reloadKey={historyKey} />
    </Page>
  );
}
