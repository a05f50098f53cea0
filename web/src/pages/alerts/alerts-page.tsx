import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { ApiError } from '../../api/client';
import {
  Button,
  EmptyState,
  ErrorState,
  Page,
  PageControls,
  Select,
  TextField,
  useDebounced,
  useUrlState,
} from '../../ui';
import { AlertTable } from './alert-table';
import { type AlertStatusFilter, alertsApi } from './alerts-api';
import { usePolled } from './use-polled';
import './alerts.css';

const STATUS_OPTIONS = [
  { value: 'firing', label: 'Firing' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'all', label: 'All' },
];

const SORT_OPTIONS = [
  { value: '-lastSeenAt', label: 'Last seen' },
  { value: '-startsAt', label: 'Newest first' },
  { value: 'startsAt', label: 'Oldest first' },
  { value: '-repeats', label: 'Most repeats' },
  { value: 'summary', label: 'Summary, A–Z' },
];

const NO_GROUPING = '-';
const PAGE_SIZES = [25, 50, 100, 250];

function isStatus(v: string): v is AlertStatusFilter {
  return v === 'firing' || v === 'resolved' || v === 'all';
}

/** The error of the `matcher` parameter, if the server rejected it; shown under the filter box. */
function matcherError(err: unknown): string | undefined {
  if (!(err instanceof ApiError) || err.status !== 400) return undefined;
  const field = err.fields.find((f) => f.path.startsWith('matcher'));
  return field?.message;
}

/**
 * Alerts, live: the server filters (status, matchers, text) and pages; this page groups the page
 * on screen by one label and refreshes every 5 s while the tab is visible.
 */
export function AlertsPage() {
  const [statusParam, setStatus] = useUrlState('status', 'firing');
  const status: AlertStatusFilter = isStatus(statusParam) ? statusParam : 'firing';
  const [matcherParam, setMatcherParam] = useUrlState('matcher');
  const [matcherInput, setMatcherInput] = useState(matcherParam);
  const matcher = useDebounced(matcherInput.trim(), 400);
  useEffect(() => setMatcherParam(matcher), [matcher, setMatcherParam]);
  const [qParam, setQParam] = useUrlState('q');
  const [qInput, setQInput] = useState(qParam);
  const q = useDebounced(qInput.trim(), 300);
  useEffect(() => setQParam(q), [q, setQParam]);
  const [groupBy, setGroupBy] = useUrlState('group', 'alertname');
  const [sort, setSort] = useUrlState('sort', '-lastSeenAt');
  const [offsetParam, setOffsetParam] = useUrlState('offset', '0');
  const offset = Math.max(0, Number.parseInt(offsetParam, 10) || 0);
  const setOffset = (n: number) => setOffsetParam(String(n));
  const [limit, setLimit] = useState(50);

  // New filters start again from the first page.
  const filterKey = `${status}\u0000${matcher}\u0000${q}\u0000${sort}\u0000${limit}`;
  const [seenFilters, setSeenFilters] = useState(filterKey);
  if (seenFilters !== filterKey) {
    setSeenFilters(filterKey);
    if (offset !== 0) setOffsetParam('0');
  }

  const load = useCallback(
    (signal: AbortSignal) =>
      alertsApi.list({ status, matchers: matcher ? [matcher] : [], q: q || undefined, sort, limit, offset }, signal),
    [status, matcher, q, sort, limit, offset],
  );
  const [paused, setPaused] = useState(false);
  // A rejected filter would fail the same way every 5 s: stop asking until it changes.
  const [rejected, setRejected] = useState<string | null>(null);
  const { data, error, loading, reload } = usePolled(load, 5000, !paused && rejected !== matcher);
  const badMatcher = matcherError(error);
  useEffect(() => setRejected(badMatcher ? matcher : null), [badMatcher, matcher]);

  const labelNames = useMemo(() => {
    const names = new Set(['alertname', 'severity', 'service', 'source']);
    for (const a of data?.items ?? []) for (const k of Object.keys(a.labels)) names.add(k);
    if (groupBy !== NO_GROUPING) names.add(groupBy);
    return [...names].sort();
  }, [data, groupBy]);

  const total = data?.total ?? 0;
  const items = badMatcher ? [] : (data?.items ?? []);
  const filtered = Boolean(matcher || q) || status !== 'firing';

  return (
    <Page
      title="Alerts"
      description="Alerts from checks and from other tools, with what each one is doing right now: notifying, waiting for its group, or held by a silence, an inhibition, a maintenance window, a dependency or a mute interval."
      actions={
        <Button onClick={() => setPaused((p) => !p)} testId="live-toggle" title="Refreshes every 5 s">
          <span className={`live-dot ${paused ? 'live-dot-paused' : ''}`} aria-hidden="true" />
          {paused ? 'Paused' : 'Live'}
        </Button>
      }
      testId="alerts-page"
    >
      <div className="card table-card" data-testid="alerts-table">
        <div className="table-toolbar alert-toolbar">
          <div className="toolbar-narrow">
            <Select
              name="status"
              label="Status"
              value={status}
              onChange={setStatus}
              options={STATUS_OPTIONS}
              testId="filter-status"
            />
          </div>
          <div className="alert-matcher-filter">
            <TextField
              name="matcher"
              label="Matchers"
              value={matcherInput}
              onChange={setMatcherInput}
              placeholder={'severity="critical", service=~"api|web"'}
              spellCheck={false}
              autoComplete="off"
              error={badMatcher}
              testId="filter-matcher"
            />
          </div>
          <div className="toolbar-search">
            <TextField
              name="q"
              label="Summary contains"
              type="search"
              value={qInput}
              onChange={setQInput}
              placeholder="disk full"
              testId="filter-q"
            />
          </div>
          <Select
            name="group"
            label="Group by"
            value={groupBy}
            onChange={setGroupBy}
            options={[{ value: NO_GROUPING, label: 'No grouping' }, ...labelNames.map((n) => ({ value: n, label: n }))]}
            testId="group-by"
          />
          <div className="toolbar-sort">
            <Select name="sort" label="Sort" value={sort} onChange={setSort} options={SORT_OPTIONS} testId="sort" />
          </div>
        </div>
        {error && !badMatcher && !data ? (
          <ErrorState error={error} onRetry={reload} />
        ) : (
          <>
            {error && !badMatcher ? (
              <ErrorState error={error} title="Could not refresh the list" onRetry={reload} />
            ) : null}
            {data?.partial ? (
              <p className="alert-note" data-testid="partial-note">
                These matchers were checked against the newest 20,000 alerts only; narrow them with an equality matcher
                (<code>name="value"</code>) to search them all.
              </p>
            ) : null}
            {items.length ? (
              <AlertTable alerts={items} groupBy={groupBy === NO_GROUPING ? '' : groupBy} loading={loading} />
            ) : null}
            {badMatcher ? (
              <EmptyState title="The matcher filter is not valid" icon="!">
                Fix it above: matchers look like <code>severity="critical"</code>, <code>service=~"api|web"</code> or{' '}
                <code>env!="dev"</code>, separated by commas.
              </EmptyState>
            ) : data && total === 0 ? (
              filtered ? (
                <EmptyState title="No alerts match" icon="∅">
                  Nothing matches these filters. Change or clear them to see more.
                </EmptyState>
              ) : (
                <EmptyState title="Nothing is firing" icon="✓" testId="alerts-empty">
                  Alerts arrive from failing checks and from the intake endpoints (PagerDuty Events API, Alertmanager,
                  Opsgenie, webhooks) of the integrations you define. See <Link to="/alerts/routing">routing</Link> for
                  where they go.
                </EmptyState>
              )
            ) : null}
            {!data && loading ? <p className="alert-note muted">Loading…</p> : null}
          </>
        )}
        <div className="table-footer">
          <span aria-live="polite" data-testid="table-range">
            {data && !badMatcher
              ? total === 0
                ? 'No alerts'
                : `${offset + 1}–${Math.min(offset + items.length, total)} of ${total}`
              : ' '}
            {data && !badMatcher ? (
              <span className="muted">{paused ? ' · paused' : ' · refreshes every 5 s'}</span>
            ) : null}
          </span>
          <PageControls
            id="alerts-page-size"
            limit={limit}
            offset={offset}
            total={total}
            sizes={PAGE_SIZES}
            onLimit={setLimit}
            onOffset={setOffset}
          />
        </div>
      </div>
    </Page>
  );
}
