import { useCallback, useState } from 'react';
import { type Check, checks, type Ping } from '../../api/checks';
import {
  Badge,
  Button,
  type Column,
  ConfirmDialog,
  CopyButton,
  DataTable,
  EmptyState,
  type FetchPage,
  Time,
} from '../../ui';
import { formatMs } from './check-format';

function pingType(p: Ping) {
  if (p.type === 'start') return <Badge tone="info">start</Badge>;
  if (p.type === 'success') return <Badge tone="success">success</Badge>;
  if (p.type === 'fail') return <Badge tone="danger">fail</Badge>;
  return <Badge tone={p.exitCode === 0 ? 'success' : 'danger'}>exit {p.exitCode ?? '?'}</Badge>;
}

const COLUMNS: Column<Ping>[] = [
  { key: 'at', header: 'Time', render: (p) => <Time value={p.at} /> },
  { key: 'type', header: 'Type', render: pingType },
  { key: 'duration', header: 'Duration', align: 'right', render: (p) => formatMs(p.durationMs) },
  {
    key: 'body',
    header: 'Body',
    render: (p) =>
      p.body ? (
        <span className="mono body-excerpt" title={p.body}>
          {p.body.length > 120 ? `${p.body.slice(0, 120)}…` : p.body}
        </span>
      ) : (
        <span className="muted">—</span>
      ),
  },
  {
    key: 'source',
    header: 'Source',
    render: (p) => (
      <>
        <span className="mono">{p.sourceIp ?? '—'}</span>
        {p.userAgent ? <span className="cell-secondary">{p.userAgent}</span> : null}
      </>
    ),
  },
];

export interface HeartbeatCardProps {
  checkId: string;
  /** Only editors get it (it is a credential of sorts: anyone with it can ping). */
  pingPath?: string | undefined;
  /** Editors may replace the key; the parent takes the check with the new path. */
  onRotated?: ((check: Check) => void) | undefined;
  reloadKey?: unknown;
}

/** Where a job sends its pings (healthchecks.io style), and the pings received. */
export function HeartbeatCard({ checkId, pingPath, onRotated, reloadKey }: HeartbeatCardProps) {
  const [rotating, setRotating] = useState(false);
  const url = pingPath ? window.location.origin + pingPath : null;
  const fetchPage = useCallback<FetchPage<Ping>>((q, signal) => checks.pings(checkId, q, signal), [checkId]);
  return (
    <section className="stack-tight" data-testid="heartbeat">
      <h2 className="section-title">Pings</h2>
      <div className="card">
        <div className="card-body stack-tight">
          {url ? (
            <>
              <div className="field">
                <label className="field-label" htmlFor="ping-url">
                  Ping URL
                </label>
                <div className="secret-box">
                  <input
                    id="ping-url"
                    className="field-input mono"
                    readOnly
                    value={url}
                    data-testid="ping-url"
                    onFocus={(e) => e.currentTarget.select()}
                  />
                  <CopyButton text={url} testId="copy-ping-url" />
                  {onRotated ? (
                    <Button variant="ghost" onClick={() => setRotating(true)} testId="rotate-ping-key">
                      New URL
                    </Button>
                  ) : null}
                </div>
              </div>
              <p className="field-hint" style={{ margin: 0 }}>
                GET or POST at the end of each run, e.g. <code>curl -fsS -m 10 --retry 3 {url}</code>. Append{' '}
                <code>/start</code> when the job starts, <code>/fail</code> when it fails, or{' '}
                <code>/&lt;exit code&gt;</code>; a POST body is kept as the run’s log.
              </p>
            </>
          ) : (
            <p className="muted" style={{ margin: 0 }}>
              The ping URL is shown to editors. Jobs ping <code>/ping/&lt;key&gt;</code> on this server.
            </p>
          )}
        </div>
      </div>
      <DataTable
        label="Pings"
        columns={COLUMNS}
        fetchPage={fetchPage}
        rowKey={(p) => p.id}
        pageSize={10}
        reloadKey={reloadKey}
        empty={<EmptyState title="No pings yet">Pings show here as soon as the job calls the URL above.</EmptyState>}
        testId="pings-table"
      />
      <ConfirmDialog
        open={rotating}
        title="Replace the ping URL"
        confirmLabel="Replace URL"
        danger
        onClose={() => setRotating(false)}
        onConfirm={async () => onRotated?.(await checks.rotatePingKey(checkId))}
      >
        <p style={{ margin: 0 }}>
          The current URL stops working at once; jobs must be changed to the new one or the check goes down.
        </p>
      </ConfirmDialog>
    </section>
  );
}
