import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { CHECK_KINDS, CHECK_STATUSES, type CheckSummary, checks } from '../../api/checks';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import { formatMs, formatUptime, isCheckKind, isCheckStatus, KIND_LABELS } from '../../features/checks/check-format';
import { CheckStatusBadge } from '../../features/checks/status-badge';
import { UptimeBar } from '../../features/checks/uptime-bar';
import {
  Button,
  type Column,
  DataTable,
  EmptyState,
  type FetchPage,
  Page,
  Select,
  TextField,
  Time,
  useDebounced,
  useUrlState,
} from '../../ui';

const LABEL_FILTER = /^[^=\s]+=.*$/;

/**
 * Every check, one server page at a time: status, kind and label filters and the search box all go
 * to the server, so the list stays as fast at 10,000 checks as at 10.
 */
export function ChecksPage() {
  const { user } = useCurrentUser();
  const canEdit = roleAtLeast(user.role, 'editor');
  const navigate = useNavigate();
  const [statusParam, setStatusParam] = useUrlState('status');
  const [kindParam, setKindParam] = useUrlState('kind');
  const [labelParam, setLabelParam] = useUrlState('label');
  const status = isCheckStatus(statusParam) ? statusParam : undefined;
  const kind = isCheckKind(kindParam) ? kindParam : undefined;
  const [labelInput, setLabelInput] = useState(labelParam);
  const labelTyped = useDebounced(labelInput.trim(), 300);
  // Only a complete `key=value` goes to the server; half-typed text would match nothing.
  const label = LABEL_FILTER.test(labelTyped) ? labelTyped : '';
  useEffect(() => setLabelParam(label), [label, setLabelParam]);
  // Statuses change all the time: refresh the page on screen every 30 s while the tab is visible.
  const [reloadKey, setReloadKey] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setReloadKey((n) => n + 1);
    }, 30_000);
    return () => clearInterval(timer);
  }, []);

  const fetchPage = useCallback<FetchPage<CheckSummary>>(
    (q, signal) => checks.list({ ...q, status, kind, label: label || undefined }, signal),
    [status, kind, label],
  );

  const columns: Column<CheckSummary>[] = [
    {
      key: 'status',
      header: 'Status',
      sort: 'status',
      render: (c) => <CheckStatusBadge state={c.state} />,
    },
    {
      key: 'name',
      header: 'Name',
      sort: 'name',
      render: (c) => (
        <>
          <Link to={`/checks/${encodeURIComponent(c.id)}`} className="cell-primary check-name" data-testid="check-link">
            {c.name}
          </Link>
          {Object.keys(c.labels).length ? (
            <span className="cell-secondary label-chips">
              {Object.entries(c.labels)
                .slice(0, 4)
                .map(([k, v]) => (
                  <span key={k} className="label-chip">
                    {k}={v}
                  </span>
                ))}
            </span>
          ) : null}
        </>
      ),
    },
    { key: 'kind', header: 'Kind', sort: 'kind', render: (c) => <span className="mono">{c.kind}</span> },
    {
      key: 'target',
      header: 'Target',
      render: (c) => (
        <span className="mono target-summary" title={c.targetSummary}>
          {c.targetSummary}
        </span>
      ),
    },
    {
      key: 'latency',
      header: 'Latency',
      sort: 'lastLatencyMs',
      align: 'right',
      render: (c) => <span className="nowrap">{formatMs(c.state.lastLatencyMs)}</span>,
    },
    {
      key: 'checked',
      header: 'Last checked',
      sort: 'lastCheckedAt',
      render: (c) => <Time value={c.state.lastCheckedAt} relative empty="never" />,
    },
    {
      key: 'uptime',
      header: 'Uptime 24 h',
      render: (c) => (
        <span className="uptime-cell-wrap">
          <UptimeBar hours={c.hourly24h} total={c.uptime24h} />
          <span className="uptime-value">{formatUptime(c.uptime24h)}</span>
        </span>
      ),
    },
  ];

  const newCheck = (testId: string) =>
    canEdit ? (
      <Button variant="primary" onClick={() => navigate('/checks/new')} testId={testId}>
        New check
      </Button>
    ) : null;

  return (
    <Page
      title="Checks"
      description="Synthetic checks of your services: HTTP, TCP, DNS, TLS, ping, heartbeats, SQL and SSH, with their latest result and uptime."
      actions={newCheck('new-check')}
      testId="checks-page"
    >
      <DataTable
        label="Checks"
        columns={columns}
        fetchPage={fetchPage}
        rowKey={(c) => c.id}
        defaultSort="name"
        pageSize={50}
        search={{ label: 'Search checks', placeholder: 'Name, target or description' }}
        filtered={Boolean(status || kind || label)}
        toolbar={
          <>
            <Select
              name="statusFilter"
              label="Status"
              value={status ?? ''}
              onChange={setStatusParam}
              options={[{ value: '', label: 'Any status' }, ...CHECK_STATUSES.map((s) => ({ value: s, label: s }))]}
              testId="filter-status"
            />
            <Select
              name="kindFilter"
              label="Kind"
              value={kind ?? ''}
              onChange={setKindParam}
              options={[
                { value: '', label: 'Any kind' },
                ...CHECK_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] })),
              ]}
              testId="filter-kind"
            />
            <TextField
              name="labelFilter"
              label="Label"
              value={labelInput}
              onChange={setLabelInput}
              placeholder="team=payments"
              spellCheck={false}
              error={labelTyped && !label ? 'use key=value' : undefined}
              testId="filter-label"
            />
          </>
        }
        empty={
          <EmptyState title="No checks yet" icon="◎" action={newCheck('new-check-empty')}>
            A check probes a service on a schedule and records whether it answered, how fast, and for how long it has
            been up. Create one here, with <code>mainstay apply</code>, or through the REST API.
          </EmptyState>
        }
        reloadKey={reloadKey}
        urlState
        testId="checks-table"
      />
    </Page>
  );
}
