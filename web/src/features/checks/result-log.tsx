import { useCallback, useMemo, useState } from 'react';
import { type CheckKind, type CheckResult, checks } from '../../api/checks';
import { Badge, type Column, DataTable, EmptyState, type FetchPage, Select, Time } from '../../ui';
import { formatMs, resultText } from './check-format';
import { ProbeResultView } from './probe-result-view';

const columns = (kind: CheckKind): Column<CheckResult>[] => [
  { key: 'at', header: 'Time', render: (r) => <Time value={r.at} /> },
  {
    key: 'ok',
    header: 'Result',
    render: (r) => (r.ok ? <Badge tone="success">ok</Badge> : <Badge tone="danger">fail</Badge>),
  },
  {
    key: 'latency',
    header: 'Latency',
    align: 'right',
    render: (r) => <span className="nowrap">{formatMs(r.latencyMs)}</span>,
  },
  {
    key: 'message',
    header: 'Message',
    render: (r) => (
      <span className="result-message">
        {resultText(kind, r) || <span className="muted">—</span>}
        {r.error ? (
          <span className="cell-secondary mono">
            {r.error.phase} · {r.error.code}
          </span>
        ) : null}
      </span>
    ),
  },
];

/** The stored results of a check, newest first, each expandable to its details and timings. */
export function ResultLog({ checkId, kind, reloadKey }: { checkId: string; kind: CheckKind; reloadKey?: unknown }) {
  const cols = useMemo(() => columns(kind), [kind]);
  const [ok, setOk] = useState<'' | 'true' | 'false'>('');
  const fetchPage = useCallback<FetchPage<CheckResult>>(
    (q, signal) => checks.results(checkId, { ...q, ok: ok === '' ? undefined : ok === 'true' }, signal),
    [checkId, ok],
  );
  return (
    <section className="stack-tight" data-testid="result-log">
      <h2 className="section-title">Results</h2>
      <DataTable
        label="Results"
        columns={cols}
        fetchPage={fetchPage}
        rowKey={(r) => r.id}
        pageSize={10}
        filtered={ok !== ''}
        toolbar={
          <Select
            name="okFilter"
            label="Outcome"
            value={ok}
            onChange={(v) => setOk(v === 'true' || v === 'false' ? v : '')}
            options={[
              { value: '', label: 'All results' },
              { value: 'false', label: 'Failures only' },
              { value: 'true', label: 'Successes only' },
            ]}
          />
        }
        renderDetail={(r) => <ProbeResultView result={{ ...r, message: resultText(kind, r) }} />}
        reloadKey={reloadKey}
        empty={<EmptyState title="No results yet">The scheduler records a result every interval.</EmptyState>}
        testId="results-table"
      />
    </section>
  );
}
