import { useCallback, useState } from 'react';
import { Link } from 'react-router-dom';
import { useCurrentUser } from '../../auth/session';
import { Badge, Button, Card, type Column, DataTable, EmptyState, ErrorState, type FetchPage, Page } from '../../ui';
import { usePolled } from '../alerts/use-polled';
import { type OnCall, oncallApi, type Shift } from './oncall-api';
import { personSlot } from './schedule-calendar';
import { FeedDialog } from './schedule-forms';
import { formatInZone } from './zone-time';
import '../incidents/incidents.css';
import './oncall.css';

const DAY = 86_400_000;

function Person({ shift }: { shift: Shift }) {
  return (
    <span className="oncall-person">
      <span className={`oncall-dot sched-slot-${personSlot(shift.user)}`} aria-hidden="true" />
      <span>
        <span className="cell-primary">{shift.name || shift.user}</span>
        <span className="cell-secondary">{shift.user}</span>
      </span>
      {shift.source !== 'layer' ? <Badge tone="warning">{shift.source}</Badge> : null}
    </span>
  );
}

const columns: Column<OnCall>[] = [
  {
    key: 'schedule',
    header: 'Schedule',
    render: (o) => (
      <>
        <Link
          to={`/oncall/schedules/${encodeURIComponent(o.schedule)}`}
          className="cell-primary"
          data-testid="schedule-link"
        >
          {o.schedule}
        </Link>
        <span className="cell-secondary">{o.timeZone}</span>
      </>
    ),
  },
  {
    key: 'now',
    header: 'On call now',
    render: (o) =>
      o.onCall ? (
        <div data-testid="oncall-now">
          <Person shift={o.onCall} />
          <span className="cell-secondary">until {formatInZone(o.timeZone, o.onCall.end)}</span>
        </div>
      ) : (
        <span className="muted" data-testid="oncall-now">
          nobody
        </span>
      ),
  },
  {
    key: 'next',
    header: 'Next',
    render: (o) =>
      o.next ? (
        <div>
          <Person shift={o.next} />
          <span className="cell-secondary">from {formatInZone(o.timeZone, o.next.start)}</span>
        </div>
      ) : (
        <span className="muted">—</span>
      ),
  },
];

const fetchOnCall: FetchPage<OnCall> = (q, signal) => oncallApi.now({ limit: q.limit, offset: q.offset }, signal);

function MyShifts() {
  const load = useCallback((signal: AbortSignal) => {
    const from = Date.now();
    return oncallApi.myShifts(new Date(from).toISOString(), new Date(from + 28 * DAY).toISOString(), signal);
  }, []);
  const { data, error, reload } = usePolled(load, 60_000);
  const [feed, setFeed] = useState(false);
  const { user } = useCurrentUser();
  const zone = user.timeZone || 'UTC';
  return (
    <Card title="Your shifts, next four weeks">
      <Button size="sm" className="card-corner" onClick={() => setFeed(true)} testId="my-feed">
        Your calendar feed
      </Button>
      {error && !data ? <ErrorState error={error} onRetry={reload} /> : null}
      {data && !data.length ? <p className="muted card-note">You have no shifts in the next four weeks.</p> : null}
      {data?.length ? (
        <ul className="shift-list" data-testid="my-shifts">
          {data.map((s) => (
            <li key={`${s.schedule}-${s.start}`}>
              <span className={`oncall-dot sched-slot-${personSlot(s.user)}`} aria-hidden="true" />
              <span className="nowrap">
                {formatInZone(zone, s.start)} – {formatInZone(zone, s.end)}
              </span>
              <Link to={`/oncall/schedules/${encodeURIComponent(s.schedule)}`}>{s.schedule}</Link>
              {s.source !== 'layer' ? <Badge tone="warning">{s.source}</Badge> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="field-hint card-note">
        Times in your zone, {zone} (set in <Link to="/settings/profile">your profile</Link>).
      </p>
      {feed ? <FeedDialog title="Your calendar feed" onClose={() => setFeed(false)} /> : null}
    </Card>
  );
}

/** Who is on call now on every schedule, and your own coming shifts. */
export function OnCallPage() {
  return (
    <Page
      title="On-call"
      description="Who is paged right now on every schedule, and who takes over next. Schedules and escalation policies are configuration as code; overrides and swaps are made here."
      actions={
        <Link className="btn" to="/oncall/policies">
          Escalation policies
        </Link>
      }
      testId="oncall-page"
    >
      <DataTable
        label="On call now"
        columns={columns}
        fetchPage={fetchOnCall}
        rowKey={(o) => o.schedule}
        pageSize={25}
        empty={
          <EmptyState title="No schedules yet" icon="◌">
            A schedule is a <code>Schedule</code> document (layers of rotations in a time zone) applied with{' '}
            <code>mainstay apply</code> or <code>POST /api/v1/apply</code>. It shows here once it exists.
          </EmptyState>
        }
        testId="oncall-table"
      />
      <MyShifts />
    </Page>
  );
}
