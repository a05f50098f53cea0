import { useEffect, useState } from 'react';
import type { Page as ApiPage } from '../../api/types';
import { Badge, Button, Card, ErrorState, Time, type Tone } from '../../ui';
import { type AlertHistoryEntry, type AlertHistoryType, alertsApi } from './alerts-api';

const TONE: Record<AlertHistoryType, Tone> = {
  triggered: 'danger',
  retriggered: 'warning',
  acknowledged: 'info',
  resolved: 'success',
  flapping_start: 'warning',
  flapping_end: 'info',
  notified: 'info',
  suppressed: 'neutral',
  released: 'neutral',
};

const PAGE = 20;

function detailText(details: Record<string, unknown> | null): string | null {
  if (!details) return null;
  const parts = Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length ? parts.join(' · ') : null;
}

/** What happened to an alert, newest first: triggers, repeats, notifications, holds, resolution. */
export function AlertHistory({ alertId, reloadKey }: { alertId: string; reloadKey?: unknown }) {
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<ApiPage<AlertHistoryEntry> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadKey and attempt only trigger a reload
  useEffect(() => {
    const controller = new AbortController();
    alertsApi.history(alertId, { limit: PAGE, offset }, controller.signal).then(
      (p) => {
        if (controller.signal.aborted) return;
        setPage(p);
        setError(null);
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setError(err);
      },
    );
    return () => controller.abort();
  }, [alertId, offset, reloadKey, attempt]);

  const total = page?.total ?? 0;
  return (
    <Card title="History">
      {error && !page ? <ErrorState error={error} onRetry={() => setAttempt((n) => n + 1)} /> : null}
      {page && total === 0 ? <p className="muted">Nothing recorded yet.</p> : null}
      <ol className="timeline" data-testid="alert-history">
        {page?.items.map((e) => {
          const detail = detailText(e.details);
          return (
            <li
              key={e.id}
              className={`timeline-item timeline-${TONE[e.type] ?? 'neutral'}`}
              data-testid="history-entry"
            >
              <span className="timeline-dot" aria-hidden="true" />
              <div className="timeline-body">
                <div className="timeline-head">
                  <Badge tone={TONE[e.type] ?? 'neutral'}>{e.type.replace(/_/g, ' ')}</Badge>
                  <Time value={e.at} />
                </div>
                <div>{e.message}</div>
                {detail ? <div className="timeline-detail mono">{detail}</div> : null}
              </div>
            </li>
          );
        })}
      </ol>
      {total > PAGE ? (
        <div className="table-footer timeline-footer">
          <span>
            {offset + 1}–{Math.min(offset + PAGE, total)} of {total}
          </span>
          <div className="row">
            <Button size="sm" onClick={() => setOffset(Math.max(0, offset - PAGE))} disabled={offset === 0}>
              Newer
            </Button>
            <Button size="sm" onClick={() => setOffset(offset + PAGE)} disabled={offset + PAGE >= total}>
              Older
            </Button>
          </div>
        </div>
      ) : null}
    </Card>
  );
}
