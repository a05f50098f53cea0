import { useCallback, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import {
  Badge,
  Button,
  type Column,
  ConfirmDialog,
  DataTable,
  EmptyState,
  type FetchPage,
  Page,
  Select,
  Time,
  useUrlState,
} from '../../ui';
import { MatcherChips } from './alert-badges';
import { SILENCE_TONE } from './alert-format';
import { type Silence, silencesApi } from './alerts-api';
import './alerts.css';

const STATES = ['all', 'active', 'pending', 'expired'] as const;
type StateFilter = (typeof STATES)[number];

function isStateFilter(v: string): v is StateFilter {
  return (STATES as readonly string[]).includes(v);
}

/** Silences by state; a responder can end one now. Created from an alert, or with New silence. */
export function SilencesPage() {
  const { user } = useCurrentUser();
  const canRespond = roleAtLeast(user.role, 'responder');
  const navigate = useNavigate();
  const [stateParam, setState] = useUrlState('state', 'all');
  const state: StateFilter = isStateFilter(stateParam) ? stateParam : 'all';
  const [expiring, setExpiring] = useState<Silence | null>(null);
  const [reloadKey, setReloadKey] = useState(0);

  const fetchPage = useCallback<FetchPage<Silence>>((q, signal) => silencesApi.list({ ...q, state }, signal), [state]);

  const columns: Column<Silence>[] = [
    {
      key: 'state',
      header: 'State',
      render: (s) => (
        <Badge tone={SILENCE_TONE[s.state]} testId="silence-state">
          {s.state}
        </Badge>
      ),
    },
    {
      key: 'matchers',
      header: 'Matchers',
      render: (s) => (
        <>
          <Link
            to={`/alerts/silences/${encodeURIComponent(s.name)}`}
            className="cell-primary mono"
            data-testid="silence-link"
          >
            {s.name}
          </Link>
          <span className="cell-secondary">
            <MatcherChips matchers={s.matchers} />
          </span>
        </>
      ),
    },
    {
      key: 'comment',
      header: 'Comment',
      render: (s) => (
        <>
          <span className="silence-comment" title={s.comment}>
            {s.comment}
          </span>
          <span className="cell-secondary">by {s.createdBy}</span>
        </>
      ),
    },
    { key: 'starts', header: 'Starts', render: (s) => <Time value={s.startsAt} relative /> },
    { key: 'ends', header: 'Ends', render: (s) => <Time value={s.endsAt} relative /> },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'right',
      render: (s) =>
        canRespond && s.state !== 'expired' ? (
          <Button size="sm" onClick={() => setExpiring(s)} testId="expire-silence">
            Expire
          </Button>
        ) : null,
    },
  ];

  const newSilence = canRespond ? (
    <Button variant="primary" onClick={() => navigate('/alerts/silences/new')} testId="new-silence">
      New silence
    </Button>
  ) : null;

  return (
    <Page
      title="Silences"
      breadcrumbs={[{ label: 'Alerts', to: '/alerts' }]}
      description="A silence holds the notifications of every alert its matchers match, from its start to its end. The alerts still show here, marked suppressed."
      actions={newSilence}
      testId="silences-page"
    >
      <DataTable
        label="Silences"
        columns={columns}
        fetchPage={fetchPage}
        rowKey={(s) => s.name}
        pageSize={50}
        filtered={state !== 'all'}
        toolbar={
          <Select
            name="state"
            label="State"
            value={state}
            onChange={setState}
            options={STATES.map((s) => ({ value: s, label: s === 'all' ? 'Any state' : s }))}
            testId="filter-state"
          />
        }
        empty={
          <EmptyState title="No silences" icon="◌" action={newSilence}>
            Silence an alert from its page (Silence…), or create one here for planned work. Recurring work belongs in a{' '}
            <Link to="/alerts/maintenance">maintenance window</Link>.
          </EmptyState>
        }
        reloadKey={reloadKey}
        testId="silences-table"
      />
      <ConfirmDialog
        open={expiring !== null}
        title="Expire silence"
        confirmLabel="Expire now"
        onClose={() => setExpiring(null)}
        onConfirm={async () => {
          if (expiring) await silencesApi.expire(expiring.name);
          setReloadKey((n) => n + 1);
        }}
        testId="expire-dialog"
      >
        <p style={{ margin: 0 }}>
          End <strong className="mono">{expiring?.name}</strong> now? Alerts it holds notify at once if nothing else
          holds them.
        </p>
      </ConfirmDialog>
    </Page>
  );
}
