import { useCallback } from 'react';
import { type CheckEvent, type CheckEventType, checks } from '../../api/checks';
import { Badge, type Column, DataTable, EmptyState, type FetchPage, Time, type Tone } from '../../ui';

const EVENT_TONE: Record<CheckEventType, Tone> = {
  down: 'danger',
  up: 'success',
  flapping_start: 'warning',
  flapping_end: 'info',
  certificate_expiring: 'warning',
  paused: 'neutral',
  resumed: 'info',
};

const COLUMNS: Column<CheckEvent>[] = [
  { key: 'at', header: 'Time', render: (e) => <Time value={e.at} /> },
  {
    key: 'type',
    header: 'Event',
    render: (e) => <Badge tone={EVENT_TONE[e.type] ?? 'neutral'}>{e.type.replace(/_/g, ' ')}</Badge>,
  },
  {
    key: 'change',
    header: 'Change',
    render: (e) =>
      e.from || e.to ? (
        <span className="mono nowrap">
          {e.from ?? '—'} → {e.to ?? '—'}
        </span>
      ) : (
        <span className="muted">—</span>
      ),
  },
  { key: 'message', header: 'Message', render: (e) => e.message },
];

/** State changes of a check (down, up, flapping, certificate, pause), newest first. */
export function EventLog({ checkId, reloadKey }: { checkId: string; reloadKey?: unknown }) {
  const fetchPage = useCallback<FetchPage<CheckEvent>>((q, signal) => checks.events(checkId, q, signal), [checkId]);
  return (
    <section className="stack-tight" data-testid="event-log">
      <h2 className="section-title">State changes</h2>
      <DataTable
        label="State changes"
        columns={COLUMNS}
        fetchPage={fetchPage}
        rowKey={(e) => e.id}
        pageSize={10}
        reloadKey={reloadKey}
        empty={<EmptyState title="No state changes yet">Going down, coming back up and flapping show here.</EmptyState>}
        testId="events-table"
      />
    </section>
  );
}
