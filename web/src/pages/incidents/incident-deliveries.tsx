import { Fragment, useState } from 'react';
import { Badge, Button, Card, EmptyState, Time, type Tone } from '../../ui';
import { ReceiptsTable } from './incident-timeline';
import type { Delivery } from './incidents-api';

const STATUS_TONE: Record<Delivery['status'], Tone> = {
  scheduled: 'info',
  retrying: 'warning',
  delivered: 'success',
  failed: 'danger',
  cancelled: 'neutral',
};

/** Every notification sent for the incident with its receipts: attempts, status code, latency, error. */
export function DeliveriesCard({ deliveries }: { deliveries: readonly Delivery[] | null }) {
  const [open, setOpen] = useState<string | null>(null);
  if (deliveries && !deliveries.length) {
    return (
      <Card title="Deliveries">
        <EmptyState title="Nothing was sent" icon="○">
          Pages and updates sent for this incident show here with each channel's answer. An incident without an
          escalation policy pages nobody until you add a responder.
        </EmptyState>
      </Card>
    );
  }
  return (
    <div className="card table-card">
      <div className="table-scroll">
        <table className="table" aria-label="Deliveries" data-testid="deliveries-table">
          <thead>
            <tr>
              <th className="table-expand">
                <span className="visually-hidden">Receipts</span>
              </th>
              <th scope="col">Event</th>
              <th scope="col">Channel</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last answer</th>
              <th scope="col">Sent</th>
            </tr>
          </thead>
          <tbody>
            {!deliveries ? (
              <tr>
                <td colSpan={7} className="muted">
                  Loading…
                </td>
              </tr>
            ) : null}
            {deliveries?.map((d) => (
              <Fragment key={d.id}>
                <tr data-testid="delivery-row">
                  <td className="table-expand">
                    <Button
                      variant="ghost"
                      size="sm"
                      aria-expanded={open === d.id}
                      aria-label={open === d.id ? 'Hide receipts' : 'Show receipts'}
                      onClick={() => setOpen(open === d.id ? null : d.id)}
                    >
                      {open === d.id ? '▾' : '▸'}
                    </Button>
                  </td>
                  <td>
                    <span className="cell-primary">{d.event}</span>
                    <span className="cell-secondary">
                      {d.lane === 'page' ? 'page' : 'update'} · {d.urgency} urgency
                    </span>
                  </td>
                  <td>
                    {d.channel}
                    <span className="cell-secondary">
                      {d.channelType}
                      {d.address ? ` · ${d.address}` : ''}
                    </span>
                  </td>
                  <td>
                    <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
                  </td>
                  <td className="tabular">{d.attempts}</td>
                  <td className="tabular">
                    {d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : ''}
                    {d.lastLatencyMs !== null ? ` · ${d.lastLatencyMs} ms` : ''}
                    {d.lastError ? <span className="cell-secondary receipt-text">{d.lastError}</span> : null}
                    {d.lastStatusCode === null && d.lastLatencyMs === null && !d.lastError ? (
                      <span className="muted">—</span>
                    ) : null}
                  </td>
                  <td>
                    <Time value={d.deliveredAt ?? d.runAt} relative />
                  </td>
                </tr>
                {open === d.id ? (
                  <tr className="table-detail-row">
                    <td colSpan={7}>
                      <ReceiptsTable receipts={d.receipts} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
