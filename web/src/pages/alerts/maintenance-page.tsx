import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { Button, Card, EmptyState, ErrorAlert, ErrorState, Page, Time } from '../../ui';
import { MatcherChips } from './alert-badges';
import { type MaintenanceOccurrence, type MaintenanceWindowDoc, maintenanceApi } from './alerts-api';
import { addDays, colourSlot, MaintenanceCalendar, weekStart } from './maintenance-calendar';
import { usePolled } from './use-polled';
import './alerts.css';
import './calendar.css';

const WEEKS = 4;
const range = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'long', year: 'numeric' });

const EXAMPLE = `apiVersion: mainstay/v1
kind: MaintenanceWindow
metadata:
  name: db-patching
spec:
  timeZone: Europe/Berlin
  starts: "2026-12-06T02:00"     # wall clock in timeZone
  duration: 2h
  rrule: FREQ=WEEKLY;BYDAY=SU    # leave out for a one-off window
  matchers:
    - service="db"
  checks: [db-primary]           # alerts of these checks are held too
  comment: Sunday patch window`;

function WindowList({
  windows,
  items,
  now,
}: {
  windows: MaintenanceWindowDoc[];
  items: MaintenanceOccurrence[];
  now: number;
}) {
  if (!windows.length) {
    return (
      <EmptyState title="No maintenance windows" icon="◌">
        Define one as code with the example below; its occurrences then show in the calendar and hold matching alerts
        while they last.
      </EmptyState>
    );
  }
  return (
    <div className="table-scroll">
      <table className="table" aria-label="Maintenance windows" data-testid="maintenance-windows">
        <thead>
          <tr>
            <th scope="col">Window</th>
            <th scope="col">Schedule</th>
            <th scope="col">Holds</th>
            <th scope="col">Next</th>
          </tr>
        </thead>
        <tbody>
          {windows.map((w) => {
            const next = items.find((o) => o.window === w.metadata.name && Date.parse(o.end) > now);
            const active = next && Date.parse(next.start) <= now;
            return (
              <tr key={w.metadata.name} data-testid="maintenance-window">
                <td>
                  <span className={`calendar-swatch calendar-slot-${colourSlot(w.metadata.name)}`} aria-hidden="true" />
                  <span className="cell-primary">{w.metadata.name}</span>
                  {w.spec.comment ? <span className="cell-secondary">{w.spec.comment}</span> : null}
                </td>
                <td>
                  <span className="mono">
                    {w.spec.starts} · {w.spec.duration}
                  </span>
                  <span className="cell-secondary">
                    {w.spec.rrule ? <span className="mono">{w.spec.rrule}</span> : 'once'} · {w.spec.timeZone}
                  </span>
                </td>
                <td>
                  {w.spec.matchers.length ? <MatcherChips matchers={w.spec.matchers} /> : null}
                  {w.spec.checks.length ? (
                    <span className="cell-secondary">
                      checks{' '}
                      {w.spec.checks.map((c, i) => (
                        <span key={c}>
                          {i ? ', ' : ''}
                          <Link to={`/checks/${encodeURIComponent(c)}`}>{c}</Link>
                        </span>
                      ))}
                    </span>
                  ) : null}
                </td>
                <td>
                  {active ? (
                    <strong>in progress</strong>
                  ) : next ? (
                    <Time value={next.start} />
                  ) : (
                    <span className="muted">none in view</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Maintenance windows: when they hold alerts over the next weeks, and which ones exist. */
export function MaintenancePage() {
  const [start, setStart] = useState(() => weekStart(new Date()));
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const end = useMemo(() => addDays(start, WEEKS * 7), [start]);
  const loadCalendar = useCallback(
    (signal: AbortSignal) => maintenanceApi.calendar(start.toISOString(), end.toISOString(), signal),
    [start, end],
  );
  const calendar = usePolled(loadCalendar, 60_000);
  const windows = usePolled(maintenanceApi.windows, 60_000);
  const items = calendar.data?.items ?? [];

  return (
    <Page
      title="Maintenance windows"
      breadcrumbs={[{ label: 'Alerts', to: '/alerts' }]}
      description="While a window is open, the alerts it scopes (by matchers or by check) are held: they show here as suppressed and nobody is paged."
      testId="maintenance-page"
    >
      <Card>
        <div className="card-heading calendar-nav">
          <h2 className="card-title">
            {range.format(start)} – {range.format(addDays(end, -1))}
          </h2>
          <div className="row">
            <Button size="sm" onClick={() => setStart(addDays(start, -WEEKS * 7))} testId="calendar-prev">
              ← Previous
            </Button>
            <Button size="sm" onClick={() => setStart(weekStart(new Date()))} testId="calendar-today">
              Today
            </Button>
            <Button size="sm" onClick={() => setStart(addDays(start, WEEKS * 7))} testId="calendar-next">
              Next →
            </Button>
          </div>
        </div>
        {calendar.error ? <ErrorAlert error={calendar.error} /> : null}
        <MaintenanceCalendar start={start} weeks={WEEKS} items={items} now={now} />
        {calendar.data && !items.length ? (
          <p className="muted calendar-empty">No maintenance in these four weeks.</p>
        ) : null}
      </Card>
      <div className="card table-card">
        {windows.error && !windows.data ? (
          <ErrorState error={windows.error} onRetry={windows.reload} />
        ) : windows.data ? (
          <WindowList windows={windows.data.items} items={items} now={now} />
        ) : (
          <p className="alert-note muted">Loading…</p>
        )}
      </div>
      <Card title="Defining a window">
        <p className="muted" style={{ marginTop: 0 }}>
          Windows are configuration as code: write a <code>MaintenanceWindow</code> document and apply it with{' '}
          <code>mainstay apply -f maintenance.yaml</code> (or <code>POST /api/v1/apply</code>). For one-off work, a{' '}
          <Link to="/alerts/silences/new">silence</Link> is quicker.
        </p>
        <pre className="code-block" data-testid="maintenance-example">
          {EXAMPLE}
        </pre>
      </Card>
    </Page>
  );
}
