import { useCallback, useState } from 'react';
import { Badge, Button, Card, ErrorState, Form, TextArea, Time, type Tone } from '../../ui';
import { usePolled } from '../alerts/use-polled';
import { actorText } from './incident-format';
import { type Delivery, incidentsApi, type Receipt, type TimelineEntry } from './incidents-api';

const PAGE = 50;

function tone(type: string): Tone {
  if (type === 'created' || type === 'notification.failed' || type === 'escalation.exhausted' || type === 'ack.timeout')
    return 'danger';
  if (type === 'acknowledged' || type.startsWith('escalation.')) return 'warning';
  if (type === 'resolved' || type === 'notification.delivered' || type === 'alert.resolved') return 'success';
  if (type.startsWith('notification.') || type === 'note') return 'info';
  return 'neutral';
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/** The channel's answer in one line: `HTTP 200 · 9 ms`, or the error. */
function answer(d: Record<string, unknown>): string | null {
  const parts: string[] = [];
  if (typeof d.statusCode === 'number') parts.push(`HTTP ${d.statusCode}`);
  if (typeof d.latencyMs === 'number') parts.push(`${d.latencyMs} ms`);
  if (typeof d.attempt === 'number' && d.attempt > 1) parts.push(`attempt ${d.attempt}`);
  const err = str(d.error);
  if (err) parts.push(err);
  return parts.length ? parts.join(' · ') : null;
}

export function ReceiptsTable({ receipts }: { receipts: readonly Receipt[] }) {
  if (!receipts.length) return <p className="muted receipts-none">No attempt yet.</p>;
  return (
    <div className="table-scroll receipts-scroll">
      <table className="table receipts" aria-label="Delivery receipts" data-testid="receipts">
        <thead>
          <tr>
            <th scope="col">Attempt</th>
            <th scope="col">At</th>
            <th scope="col">Result</th>
            <th scope="col">Status code</th>
            <th scope="col">Latency</th>
            <th scope="col">Error / response</th>
          </tr>
        </thead>
        <tbody>
          {receipts.map((r) => (
            <tr key={`${r.attempt}-${r.at}`} data-testid="receipt">
              <td className="tabular">
                {r.attempt}
                {r.final ? <span className="muted"> (final)</span> : null}
              </td>
              <td>
                <Time value={r.at} />
              </td>
              <td>
                <Badge tone={r.ok ? 'success' : 'danger'}>{r.ok ? 'ok' : 'failed'}</Badge>
              </td>
              <td className="tabular">{r.statusCode ?? '—'}</td>
              <td className="tabular">{r.latencyMs} ms</td>
              <td className="receipt-text">{r.error ?? r.response ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Entry({ entry, delivery }: { entry: TimelineEntry; delivery: Delivery | undefined }) {
  const [open, setOpen] = useState(false);
  const t = tone(entry.type);
  const line = entry.type.startsWith('notification.') ? answer(entry.details) : null;
  return (
    <li className={`timeline-item timeline-${t}`} data-testid="timeline-entry" data-type={entry.type}>
      <span className="timeline-dot" aria-hidden="true" />
      <div className="timeline-body">
        <div className="timeline-head">
          <Badge tone={t}>{entry.type.replace(/\./g, ' ')}</Badge>
          <Time value={entry.at} />
          <span className="timeline-actor" data-testid="timeline-actor">
            by {actorText(entry.actor)}
          </span>
        </div>
        <div className={entry.type === 'note' ? 'timeline-note pre-line' : undefined}>{entry.message}</div>
        {line ? <div className="timeline-detail mono">{line}</div> : null}
        {delivery ? (
          <Button
            size="sm"
            variant="ghost"
            className="timeline-toggle"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
            testId="receipts-toggle"
          >
            {open ? '▾' : '▸'} Delivery receipts ({delivery.receipts.length}) · {delivery.status}
          </Button>
        ) : null}
        {open && delivery ? <ReceiptsTable receipts={delivery.receipts} /> : null}
      </div>
    </li>
  );
}

export interface IncidentTimelineProps {
  incidentId: string;
  deliveries: readonly Delivery[];
  canWrite: boolean;
  /** Changes when something else wrote to the incident, so the timeline reloads at once. */
  reloadKey: unknown;
}

/** The incident's story, oldest first: every entry with its actor and time; notes are added on top. */
export function IncidentTimeline({ incidentId, deliveries, canWrite, reloadKey }: IncidentTimelineProps) {
  const [offset, setOffset] = useState(0);
  const [note, setNote] = useState('');
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadKey only triggers a reload
  const load = useCallback(
    (signal: AbortSignal) => incidentsApi.timeline(incidentId, { limit: PAGE, offset }, signal),
    [incidentId, offset, reloadKey],
  );
  const { data, error, reload } = usePolled(load, 5000);
  const byId = new Map(deliveries.map((d) => [d.id, d]));
  const total = data?.total ?? 0;

  return (
    <Card title="Timeline">
      {canWrite ? (
        <Form
          onSubmit={async () => {
            await incidentsApi.note(incidentId, note.trim());
            setNote('');
            // The new note is the newest entry: show the last page.
            const last = Math.max(0, Math.floor(total / PAGE) * PAGE);
            if (last !== offset) setOffset(last);
            else reload();
          }}
          submitLabel="Add note"
          submitDisabled={!note.trim()}
          testId="note-form"
          className="note-form"
        >
          <TextArea
            name="text"
            label="Note"
            value={note}
            onChange={setNote}
            rows={2}
            placeholder="What you tried, what you found, what comes next."
            testId="note-text"
          />
        </Form>
      ) : null}
      {error && !data ? <ErrorState error={error} onRetry={reload} /> : null}
      <ol className="timeline incident-timeline" data-testid="incident-timeline">
        {data?.items.map((e) => (
          <Entry key={e.id} entry={e} delivery={byId.get(str(e.details.delivery) ?? '')} />
        ))}
      </ol>
      {total > PAGE ? (
        <div className="table-footer timeline-footer">
          <span>
            {offset + 1}–{Math.min(offset + PAGE, total)} of {total}
          </span>
          <div className="row">
            <Button size="sm" onClick={() => setOffset(Math.max(0, offset - PAGE))} disabled={offset === 0}>
              Earlier
            </Button>
            <Button size="sm" onClick={() => setOffset(offset + PAGE)} disabled={offset + PAGE >= total}>
              Later
            </Button>
          </div>
        </div>
      ) : null}
    </Card>
  );
}
