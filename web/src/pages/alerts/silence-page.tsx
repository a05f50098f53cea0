import { useCallback, useState } from 'react';
import { useParams } from 'react-router-dom';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import { Badge, Button, Card, ConfirmDialog, ErrorState, Page, Time } from '../../ui';
import { MatcherChips } from './alert-badges';
import { SILENCE_TONE } from './alert-format';
import { silencesApi } from './alerts-api';
import { SilencePreview } from './silence-preview';
import { usePolled } from './use-polled';
import './alerts.css';

/** One silence: its matchers, when it holds, why, and the firing alerts it matches now. */
export function SilencePage() {
  const { name = '' } = useParams();
  const { user } = useCurrentUser();
  const canRespond = roleAtLeast(user.role, 'responder');
  const load = useCallback((signal: AbortSignal) => silencesApi.get(name, signal), [name]);
  const { data: silence, error, reload } = usePolled(load, 30_000);
  const [expiring, setExpiring] = useState(false);
  const crumbs = [
    { label: 'Alerts', to: '/alerts' },
    { label: 'Silences', to: '/alerts/silences' },
  ];

  if (error && !silence) {
    return (
      <Page title="Silence" breadcrumbs={crumbs} testId="silence-page">
        <ErrorState error={error} onRetry={reload} />
      </Page>
    );
  }
  if (!silence) {
    return (
      <div className="page muted" aria-busy="true">
        Loading…
      </div>
    );
  }
  return (
    <Page
      title={
        <span className="alert-title">
          <span className="mono">{silence.name}</span>{' '}
          <Badge tone={SILENCE_TONE[silence.state]} testId="silence-state">
            {silence.state}
          </Badge>
        </span>
      }
      breadcrumbs={crumbs}
      actions={
        canRespond && silence.state !== 'expired' ? (
          <Button onClick={() => setExpiring(true)} testId="expire-silence">
            Expire now
          </Button>
        ) : null
      }
      testId="silence-page"
    >
      <div className="silence-layout">
        <Card title="Silence">
          <dl className="dl" data-testid="silence-facts">
            <dt>Matchers</dt>
            <dd>
              <MatcherChips matchers={silence.matchers} />
            </dd>
            <dt>Starts</dt>
            <dd>
              <Time value={silence.startsAt} />{' '}
              <span className="muted">
                (<Time value={silence.startsAt} relative />)
              </span>
            </dd>
            <dt>Ends</dt>
            <dd>
              <Time value={silence.endsAt} />{' '}
              <span className="muted">
                (<Time value={silence.endsAt} relative />)
              </span>
            </dd>
            <dt>Created by</dt>
            <dd>{silence.createdBy}</dd>
            <dt>Comment</dt>
            <dd className="pre-line">{silence.comment}</dd>
          </dl>
        </Card>
        <Card>
          <SilencePreview
            matchers={silence.matchers}
            title={silence.state === 'expired' ? 'Would match now' : 'Matches now'}
          />
        </Card>
      </div>
      <ConfirmDialog
        open={expiring}
        title="Expire silence"
        confirmLabel="Expire now"
        onClose={() => setExpiring(false)}
        onConfirm={async () => {
          await silencesApi.expire(silence.name);
          reload();
        }}
        testId="expire-dialog"
      >
        <p style={{ margin: 0 }}>
          End <strong className="mono">{silence.name}</strong> now? Alerts it holds notify at once if nothing else holds
          them.
        </p>
      </ConfirmDialog>
    </Page>
  );
}
