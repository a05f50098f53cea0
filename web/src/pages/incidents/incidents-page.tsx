import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import {
  Button,
  EmptyState,
  ErrorState,
  Page,
  PageControls,
  Select,
  TextField,
  Time,
  useDebounced,
  useUrlState,
} from '../../ui';
import { usePolled } from '../alerts/use-polled';
import { formatDuration, IncidentSeverity, IncidentStatusBadge } from './incident-format';
import { type Incident, type IncidentStatus, incidentsApi, SEVERITIES, type Severity } from './incidents-api';
import { NewIncidentDialog } from './new-incident-dialog';
import { Tabs } from './tabs';
import '../alerts/alerts.css';
import './incidents.css';

type StatusTab = 'open' | 'resolved' | 'all';
const STATUS_TABS = [
  { key: 'open', label: 'Open' },
  { key: 'resolved', label: 'Resolved' },
  { key: 'all', label: 'All' },
] as const;
const TAB_STATUSES: Record<StatusTab, IncidentStatus[] | undefined> = {
  open: ['triggered', 'acknowledged'],
  resolved: ['resolved'],
  all: undefined,
};
const SORT_OPTIONS = [
  { value: '-createdAt', label: 'Newest first' },
  { value: 'createdAt', label: 'Oldest first' },
  { value: 'severity', label: 'Most severe first' },
  { value: '-updatedAt', label: 'Recently changed' },
];
const PAGE_SIZES = [25, 50, 100];

function isTab(v: string): v is StatusTab {
  return v === 'open' || v === 'resolved' || v === 'all';
}

function Row({ incident: i }: { incident: Incident }) {
  const navigate = useNavigate();
  const to = `/incidents/${i.number}`;
  return (
    <tr
      className="incident-row"
      data-testid="incident-row"
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a,button')) return;
        navigate(to);
      }}
    >
      <td className="tabular muted">#{i.number}</td>
      <td className="incident-cell-title">
        <Link to={to} className="incident-link" data-testid="incident-link">
          {i.title}
        </Link>
        {i.alerts.total ? (
          <span className="cell-secondary">
            {i.alerts.firing} of {i.alerts.total} alert{i.alerts.total === 1 ? '' : 's'} firing
          </span>
        ) : null}
      </td>
      <td>
        <IncidentSeverity severity={i.severity} />
      </td>
      <td>
        <IncidentStatusBadge status={i.status} />
        {i.urgency === 'low' ? <span className="cell-secondary">low urgency</span> : null}
      </td>
      <td>{i.service ?? <span className="muted">—</span>}</td>
      <td>
        <Time value={i.createdAt} relative />
      </td>
      <td className="tabular nowrap" title="Time to acknowledge / time to resolve">
        {formatDuration(i.ttaSeconds)} / {formatDuration(i.ttrSeconds)}
      </td>
    </tr>
  );
}

/** Incidents, live: the server filters by status, severity and text and pages; refreshes every 5 s. */
export function IncidentsPage() {
  const { user } = useCurrentUser();
  const [tabParam, setTab] = useUrlState('status', 'open');
  const tab: StatusTab = isTab(tabParam) ? tabParam : 'open';
  const [sevParam, setSevParam] = useUrlState('severity');
  const severities = sevParam.split(',').filter((s): s is Severity => (SEVERITIES as readonly string[]).includes(s));
  const [qParam, setQParam] = useUrlState('q');
  const [qInput, setQInput] = useState(qParam);
  const q = useDebounced(qInput.trim(), 300);
  useEffect(() => setQParam(q), [q, setQParam]);
  const [sort, setSort] = useUrlState('sort', '-createdAt');
  const [offsetParam, setOffsetParam] = useUrlState('offset', '0');
  const offset = Math.max(0, Number.parseInt(offsetParam, 10) || 0);
  const setOffset = (n: number) => setOffsetParam(String(n));
  const [limit, setLimit] = useState(25);
  const [creating, setCreating] = useState(false);

  const filterKey = `${tab}\u0000${sevParam}\u0000${q}\u0000${sort}\u0000${limit}`;
  const [seenFilters, setSeenFilters] = useState(filterKey);
  if (seenFilters !== filterKey) {
    setSeenFilters(filterKey);
    if (offset !== 0) setOffsetParam('0');
  }

  const sevKey = severities.join(',');
  const load = useCallback(
    (signal: AbortSignal) =>
      incidentsApi.list(
        {
          status: TAB_STATUSES[tab],
          severity: sevKey ? (sevKey.split(',') as Severity[]) : undefined,
          q: q || undefined,
          sort,
          limit,
          offset,
        },
        signal,
      ),
    [tab, sevKey, q, sort, limit, offset],
  );
  const { data, error, loading, reload } = usePolled(load, 5000);
  const total = data?.total ?? 0;
  const items = data?.items ?? [];
  const filtered = Boolean(q || sevKey);

  function toggleSeverity(s: Severity) {
    const next = severities.includes(s) ? severities.filter((x) => x !== s) : [...severities, s];
    setSevParam(SEVERITIES.filter((x) => next.includes(x)).join(','));
  }

  return (
    <Page
      title="Incidents"
      description="What is broken and who is on it: every incident with its status, severity, and how long it took to acknowledge and resolve."
      actions={
        roleAtLeast(user.role, 'responder') ? (
          <Button variant="primary" onClick={() => setCreating(true)} testId="new-incident">
            New incident
          </Button>
        ) : null
      }
      testId="incidents-page"
    >
      <div className="card table-card" data-testid="incidents-table">
        <div className="incident-tabs-row">
          <Tabs label="Status" tabs={STATUS_TABS} value={tab} onChange={setTab} testId="status-tabs" />
        </div>
        <div className="table-toolbar incident-toolbar">
          <fieldset className="fieldset-plain">
            <legend className="field-label">Severity</legend>
            <div className="choice-group">
              {SEVERITIES.map((s) => (
                <label key={s} className="choice" data-testid={`filter-${s}`}>
                  <input type="checkbox" checked={severities.includes(s)} onChange={() => toggleSeverity(s)} />
                  {s}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="toolbar-search">
            <TextField
              name="q"
              label="Search"
              type="search"
              value={qInput}
              onChange={setQInput}
              placeholder="Title contains…"
              testId="filter-q"
            />
          </div>
          <div className="toolbar-sort">
            <Select name="sort" label="Sort" value={sort} onChange={setSort} options={SORT_OPTIONS} testId="sort" />
          </div>
        </div>
        {error && !data ? <ErrorState error={error} onRetry={reload} /> : null}
        {error && data ? <ErrorState error={error} title="Could not refresh the list" onRetry={reload} /> : null}
        {items.length ? (
          <div className="table-scroll">
            <table className={`table incident-table ${loading ? 'table-loading' : ''}`} aria-label="Incidents">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Title</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Status</th>
                  <th scope="col">Service</th>
                  <th scope="col">Created</th>
                  <th scope="col" title="Time to acknowledge / time to resolve">
                    TTA / TTR
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <Row key={i.id} incident={i} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {data && total === 0 ? (
          filtered ? (
            <EmptyState title="No incidents match" icon="∅">
              Nothing matches these filters. Change or clear them to see more.
            </EmptyState>
          ) : tab === 'open' ? (
            <EmptyState title="No open incidents" icon="✓" testId="incidents-empty">
              Incidents open from alerts routed to an escalation policy, or by hand with <em>New incident</em>. See{' '}
              <Link to="/incidents?status=resolved">resolved incidents</Link> for the past.
            </EmptyState>
          ) : (
            <EmptyState title="No incidents here yet" icon="○" />
          )
        ) : null}
        {!data && loading ? <p className="alert-note muted">Loading…</p> : null}
        <div className="table-footer">
          <span aria-live="polite" data-testid="table-range">
            {data
              ? total === 0
                ? 'No incidents'
                : `${offset + 1}–${Math.min(offset + items.length, total)} of ${total}`
              : ' '}
            {data ? <span className="muted"> · refreshes every 5 s</span> : null}
          </span>
          <PageControls
            id="incidents-page-size"
            limit={limit}
            offset={offset}
            total={total}
            sizes={PAGE_SIZES}
            onLimit={setLimit}
            onOffset={setOffset}
          />
        </div>
      </div>
      <NewIncidentDialog open={creating} onClose={() => setCreating(false)} />
    </Page>
  );
}
