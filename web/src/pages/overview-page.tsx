import { useCallback } from 'react';
import { Link } from 'react-router-dom';
import { type CheckStatus, type CheckSummary, checks } from '../api/checks';
import { useCurrentUser } from '../auth/session';
import { CheckStatusBadge } from '../features/checks/status-badge';
import { Badge, Card, ErrorAlert, Page, Time } from '../ui';
import { SeverityBadge } from './alerts/alert-badges';
import { alertsApi } from './alerts/alerts-api';
import { usePolled } from './alerts/use-polled';
import { IncidentSeverity, IncidentStatusBadge } from './incidents/incident-format';
import { incidentsApi } from './incidents/incidents-api';
import { oncallApi } from './oncall/oncall-api';

/** What needs attention now: open incidents, failing checks, firing alerts and who is on call. */

const REFRESH_MS = 15_000;
const SHOWN = 8;
const STATUSES: CheckStatus[] = ['down', 'up', 'pending', 'paused'];
const enc = encodeURIComponent;

function More({ shown, total, to, what }: { shown: number; total: number; to: string; what: string }) {
  if (total <= shown) return null;
  return (
    <p className="overview-more">
      <Link to={to}>
        All {total} {what} →
      </Link>
    </p>
  );
}

function OpenIncidents() {
  const load = useCallback(
    (signal: AbortSignal) =>
      incidentsApi.list({ status: ['triggered', 'acknowledged'], limit: SHOWN, offset: 0 }, signal),
    [],
  );
  const { data, error } = usePolled(load, REFRESH_MS);
  return (
    <Card title={`Open incidents${data ? ` (${data.total})` : ''}`} className="overview-card">
      <ErrorAlert error={error} />
      {data && data.items.length === 0 ? (
        <p className="muted">
          No open incidents. <Link to="/incidents?status=all">Past incidents</Link>
        </p>
      ) : null}
      <ul className="overview-list" data-testid="overview-incidents">
        {data?.items.map((i) => (
          <li key={i.id} className="overview-item">
            <IncidentSeverity severity={i.severity} />
            <IncidentStatusBadge status={i.status} />
            <Link to={`/incidents/${i.number}`} className="overview-title">
              #{i.number} {i.title}
            </Link>
            <span className="muted overview-when">
              <Time value={i.createdAt} relative />
            </span>
          </li>
        ))}
      </ul>
      {data ? <More shown={data.items.length} total={data.total} to="/incidents" what="open incidents" /> : null}
    </Card>
  );
}

interface CheckCounts {
  counts: Record<CheckStatus, number>;
  down: CheckSummary[];
}

function Checks() {
  const load = useCallback(async (signal: AbortSignal): Promise<CheckCounts> => {
    const pages = await Promise.all(
      STATUSES.map((status) => checks.list({ status, limit: status === 'down' ? SHOWN : 1, offset: 0 }, signal)),
    );
    const counts = Object.fromEntries(STATUSES.map((s, i) => [s, pages[i]?.total ?? 0])) as Record<CheckStatus, number>;
    return { counts, down: pages[0]?.items ?? [] };
  }, []);
  const { data, error } = usePolled(load, REFRESH_MS);
  const total = data ? STATUSES.reduce((n, s) => n + data.counts[s], 0) : 0;
  return (
    <Card title="Checks" className="overview-card">
      <ErrorAlert error={error} />
      {data ? (
        <p className="overview-counts" data-testid="overview-check-counts">
          {STATUSES.map((s) => (
            <Link key={s} to={`/checks?status=${s}`} className={`overview-count overview-count-${s}`}>
              <strong>{data.counts[s]}</strong> {s}
            </Link>
          ))}
        </p>
      ) : null}
      {data && total === 0 ? (
        <p className="muted">
          No checks yet. <Link to="/checks/new">Add one</Link>, or apply <code>examples/</code> as the README’s tour
          does.
        </p>
      ) : null}
      <ul className="overview-list">
        {data?.down.map((c) => (
          <li key={c.id} className="overview-item">
            <CheckStatusBadge state={c.state} />
            <Link to={`/checks/${enc(c.id)}`} className="overview-title">
              {c.name}
            </Link>
            <span className="muted overview-detail">{c.state.lastMessage}</span>
          </li>
        ))}
      </ul>
      {data ? (
        <More shown={data.down.length} total={data.counts.down} to="/checks?status=down" what="down checks" />
      ) : null}
    </Card>
  );
}

function FiringAlerts() {
  const load = useCallback(
    (signal: AbortSignal) => alertsApi.list({ status: 'firing', matchers: [], limit: SHOWN, offset: 0 }, signal),
    [],
  );
  const { data, error } = usePolled(load, REFRESH_MS);
  return (
    <Card title={`Firing alerts${data ? ` (${data.total})` : ''}`} className="overview-card">
      <ErrorAlert error={error} />
      {data && data.items.length === 0 ? <p className="muted">Nothing is firing.</p> : null}
      <ul className="overview-list" data-testid="overview-alerts">
        {data?.items.map((a) => (
          <li key={a.id} className="overview-item">
            <SeverityBadge severity={a.severity} />
            {a.acknowledged ? <Badge tone="neutral">acknowledged</Badge> : null}
            <Link to={`/alerts/${enc(a.id)}`} className="overview-title">
              {a.summary}
            </Link>
            <span className="muted overview-when">
              <Time value={a.startsAt} relative />
            </span>
          </li>
        ))}
      </ul>
      {data ? <More shown={data.items.length} total={data.total} to="/alerts" what="firing alerts" /> : null}
    </Card>
  );
}

function OnCallNow() {
  const load = useCallback((signal: AbortSignal) => oncallApi.now({ limit: SHOWN, offset: 0 }, signal), []);
  const { data, error } = usePolled(load, REFRESH_MS);
  return (
    <Card title="On call now" className="overview-card">
      <ErrorAlert error={error} />
      {data && data.items.length === 0 ? (
        <p className="muted">
          No schedules yet. <Link to="/oncall">On-call</Link> explains how to add one.
        </p>
      ) : null}
      <ul className="overview-list" data-testid="overview-oncall">
        {data?.items.map((o) => (
          <li key={o.schedule} className="overview-item">
            <Link to={`/oncall/schedules/${enc(o.schedule)}`} className="overview-title">
              {o.schedule}
            </Link>
            {o.onCall ? (
              <span>
                {o.onCall.name ?? o.onCall.user}
                <span className="muted">
                  {' '}
                  until <Time value={o.onCall.end} />
                </span>
              </span>
            ) : (
              <Badge tone="warning">nobody</Badge>
            )}
          </li>
        ))}
      </ul>
      {data ? <More shown={data.items.length} total={data.total} to="/oncall" what="schedules" /> : null}
    </Card>
  );
}

/** The landing page. */
export function OverviewPage() {
  const { user, isAdmin } = useCurrentUser();
  return (
    <Page
      title="Overview"
      description={`What needs attention now. Signed in as ${user.name || user.email}.`}
      testId="overview-page"
    >
      <div className="overview-grid">
        <OpenIncidents />
        <Checks />
        <FiringAlerts />
        <OnCallNow />
      </div>
      <Card title="Set up your workspace">
        <ul className="checklist">
          {isAdmin ? (
            <li>
              <Link to="/settings/users">Invite users</Link> and give them a role.
            </li>
          ) : null}
          <li>
            <Link to="/settings/teams">Create teams</Link> so alerts and schedules have owners.
          </li>
          <li>
            <Link to="/settings/tokens">Create an API token</Link> for the <code>mainstay</code> CLI and scripts.
          </li>
          <li>
            Read the <a href="/api/v1/docs">API documentation</a>: everything in this UI is also in the REST API.
          </li>
        </ul>
      </Card>
    </Page>
  );
}
