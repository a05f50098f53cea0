import { useCallback, useState } from 'react';
import { useParams } from 'react-router-dom';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import { Button, Card, EmptyState, ErrorAlert, ErrorState, type FetchPage, Page, useUrlState } from '../../ui';
import { usePolled } from '../alerts/use-polled';
import { ActionItemDialog, ActionItemsTable } from './action-items';
import { DeliveriesCard } from './incident-deliveries';
import { DetailsCard, LinkedAlertsCard } from './incident-details';
import { IncidentSeverity, IncidentStatusBadge } from './incident-format';
import { PeopleCard } from './incident-people';
import { IncidentTimeline } from './incident-timeline';
import { type ActionItem, actionItemsApi, type Incident, incidentsApi } from './incidents-api';
import { PostmortemPanel } from './postmortem-panel';
import { Tabs } from './tabs';
import '../alerts/alerts.css';
import './incidents.css';

type Tab = 'overview' | 'postmortem' | 'deliveries';
type Action = 'acknowledge' | 'resolve' | 'reopen';

function isTab(v: string): v is Tab {
  return v === 'overview' || v === 'postmortem' || v === 'deliveries';
}

function IncidentActionItems({ incidentId, canWrite }: { incidentId: string; canWrite: boolean }) {
  const [adding, setAdding] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const fetchPage = useCallback<FetchPage<ActionItem>>(
    (q, signal) => actionItemsApi.ofIncident(incidentId, q, signal),
    [incidentId],
  );
  return (
    <section className="stack" aria-labelledby="action-items-heading">
      <div className="section-heading">
        <h2 id="action-items-heading" className="card-title">
          Action items
        </h2>
        {canWrite ? (
          <Button size="sm" variant="primary" onClick={() => setAdding(true)} testId="add-action-item">
            Add action item
          </Button>
        ) : null}
      </div>
      <ActionItemsTable
        fetchPage={fetchPage}
        canWrite={canWrite}
        reloadKey={reloadKey}
        onChanged={() => setReloadKey((n) => n + 1)}
        empty={
          <EmptyState title="No action items yet" icon="○">
            Add the changes that would have prevented this incident or made it shorter, each with an owner and a due
            date.
          </EmptyState>
        }
      />
      {adding ? (
        <ActionItemDialog
          item={null}
          incidentId={incidentId}
          onClose={() => setAdding(false)}
          onSaved={() => setReloadKey((n) => n + 1)}
        />
      ) : null}
    </section>
  );
}

/** One incident: status actions, details, people, timeline with receipts, linked alerts, postmortem. */
export function IncidentPage() {
  const { id = '' } = useParams();
  const { user } = useCurrentUser();
  const canWrite = roleAtLeast(user.role, 'responder');
  const [tabParam, setTab] = useUrlState('tab', 'overview');
  const tab: Tab = isTab(tabParam) ? tabParam : 'overview';
  const load = useCallback((signal: AbortSignal) => incidentsApi.get(id, signal), [id]);
  const { data: polled, error, reload } = usePolled(load, 5000);
  const loadDeliveries = useCallback((signal: AbortSignal) => incidentsApi.deliveries(id, signal), [id]);
  const deliveries = usePolled(loadDeliveries, 5000);
  // A write's answer is newer than the poll it was made on, until the next poll arrives.
  const [acted, setActed] = useState<{ view: Incident; basis: Incident | null } | null>(null);
  const [busy, setBusy] = useState<Action | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [timelineKey, setTimelineKey] = useState(0);

  const incident = acted && acted.basis === polled ? acted.view : polled;
  const changed = (view: Incident) => {
    setActed({ view, basis: polled });
    setTimelineKey((n) => n + 1);
    reload();
  };

  if (error && !incident) {
    return (
      <Page title="Incident" breadcrumbs={[{ label: 'Incidents', to: '/incidents' }]} testId="incident-page">
        <ErrorState error={error} onRetry={reload} />
      </Page>
    );
  }
  if (!incident) {
    return (
      <div className="page muted" aria-busy="true">
        Loading…
      </div>
    );
  }

  async function act(action: Action) {
    setBusy(action);
    setActionError(null);
    try {
      changed(await incidentsApi.act(id, action));
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(null);
    }
  }

  const i = incident;
  const deliveryList = deliveries.data ?? [];
  return (
    <Page
      title={
        <span className="incident-title">
          <span className="muted">#{i.number}</span> {i.title}
        </span>
      }
      breadcrumbs={[{ label: 'Incidents', to: '/incidents' }]}
      description={
        <span className="incident-subtitle">
          <IncidentSeverity severity={i.severity} />
          <IncidentStatusBadge status={i.status} />
          <span className="muted">{i.urgency} urgency</span>
          {i.service ? <span className="muted">· {i.service}</span> : null}
        </span>
      }
      actions={
        canWrite ? (
          <>
            {i.status === 'triggered' ? (
              <Button
                variant="primary"
                busy={busy === 'acknowledge'}
                onClick={() => act('acknowledge')}
                testId="acknowledge"
              >
                Acknowledge
              </Button>
            ) : null}
            {i.status !== 'resolved' ? (
              <Button busy={busy === 'resolve'} onClick={() => act('resolve')} testId="resolve">
                Resolve
              </Button>
            ) : (
              <Button busy={busy === 'reopen'} onClick={() => act('reopen')} testId="reopen">
                Reopen
              </Button>
            )}
          </>
        ) : null
      }
      testId="incident-page"
    >
      {actionError ? <ErrorAlert error={actionError} onDismiss={() => setActionError(null)} /> : null}
      <Tabs
        label="Incident"
        value={tab}
        onChange={setTab}
        tabs={[
          { key: 'overview', label: 'Overview' },
          { key: 'postmortem', label: 'Postmortem' },
          { key: 'deliveries', label: `Deliveries (${deliveryList.length})` },
        ]}
        testId="incident-tabs"
      />
      <div role="tabpanel" aria-label={tab} className="stack">
        {tab === 'overview' ? (
          <div className="incident-layout">
            <div className="stack incident-main">
              {i.description ? (
                <Card title="Description">
                  <p className="pre-line incident-description" data-testid="incident-description">
                    {i.description}
                  </p>
                </Card>
              ) : null}
              <IncidentTimeline
                incidentId={i.id}
                deliveries={deliveryList}
                canWrite={canWrite}
                reloadKey={`${timelineKey}:${i.updatedAt}`}
              />
            </div>
            <div className="stack incident-aside">
              <DetailsCard incident={i} canWrite={canWrite} onChanged={changed} />
              <PeopleCard incident={i} canWrite={canWrite} onChanged={changed} />
              <LinkedAlertsCard incidentId={i.id} count={i.alerts.total} />
            </div>
          </div>
        ) : null}
        {tab === 'postmortem' ? (
          <>
            <PostmortemPanel incidentId={i.id} canWrite={canWrite} />
            <IncidentActionItems incidentId={i.id} canWrite={canWrite} />
          </>
        ) : null}
        {tab === 'deliveries' ? (
          <>
            {deliveries.error ? <ErrorAlert error={deliveries.error} /> : null}
            <DeliveriesCard deliveries={deliveries.data} />
          </>
        ) : null}
      </div>
    </Page>
  );
}
