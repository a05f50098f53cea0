import { Fragment, type ReactNode, useEffect, useId, useState } from 'react';
import type { Page, PageQuery } from '../api/types';
import { Button } from './button';
import { EmptyState } from './empty-state';
import { ErrorState } from './error-state';
import { PageControls } from './page-controls';
import { readUrlParam, writeUrlParams } from './url-state';
import { useDebounced } from './use-debounced';

export interface Column<T> {
  key: string;
  header: ReactNode;
  render(row: T): ReactNode;
  /** The API's sort field for this column; makes the header a sort button. */
  sort?: string | undefined;
  align?: 'left' | 'right' | undefined;
  width?: string | undefined;
}

/** Loads one page from the server. A new function (new filters) sends the table back to page one. */
export type FetchPage<T> = (query: PageQuery, signal: AbortSignal) => Promise<Page<T>>;

export interface DataTableProps<T> {
  /** Accessible name of the table (also its caption for screen readers). */
  label: string;
  columns: readonly Column<T>[];
  fetchPage: FetchPage<T>;
  rowKey(row: T): string;
  /** Sort sent until the user picks one, e.g. `-createdAt`. */
  defaultSort?: string | undefined;
  pageSize?: number | undefined;
  /** Shows a search box that sends `q`. */
  search?: { label?: string; placeholder?: string } | boolean | undefined;
  /** Extra filter controls, placed beside the search box. */
  toolbar?: ReactNode;
  /** True when the caller's own filters are set, so "no rows" reads "nothing matches". */
  filtered?: boolean | undefined;
  /** Change it to reload the current page (after a create, edit or delete). */
  reloadKey?: unknown;
  /** What to show when the list is empty and no filter is set. */
  empty?: ReactNode;
  /** Makes rows expandable; returns the detail shown under the row. */
  renderDetail?: ((row: T) => ReactNode) | undefined;
  /** Keeps search, sort and page in the URL (`q`, `sort`, `offset`, `limit`); one table per page. */
  urlState?: boolean | undefined;
  testId?: string | undefined;
}

function initialNumber(
  urlState: boolean | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = urlState ? readUrlParam(name) : null;
  const n = raw === null ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

const PAGE_SIZES = [10, 25, 50, 100, 250, 500];

/**
 * A table over a server-side list: the server paginates, sorts and filters (`limit`, `offset`,
 * `sort`, `q`); the table only ever holds the page on screen.
 */
export function DataTable<T>({
  label,
  columns,
  fetchPage,
  rowKey,
  defaultSort,
  pageSize = 25,
  search,
  toolbar,
  filtered,
  reloadKey,
  empty,
  renderDetail,
  urlState,
  testId,
}: DataTableProps<T>) {
  const [limit, setLimit] = useState(() => initialNumber(urlState, 'limit', pageSize, 1, 500));
  const [offset, setOffset] = useState(() => initialNumber(urlState, 'offset', 0, 0, Number.MAX_SAFE_INTEGER));
  const [sort, setSort] = useState<string | undefined>(() => (urlState ? readUrlParam('sort') : null) ?? defaultSort);
  const [qInput, setQInput] = useState(() => (urlState ? (readUrlParam('q') ?? '') : ''));
  const q = useDebounced(qInput.trim(), 300);
  const [page, setPage] = useState<Page<T> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const [expanded, setExpanded] = useState<string | null>(null);
  const searchId = useId();

  // New filters (a new fetch function or search text) start again from the first page.
  const [seen, setSeen] = useState({ fetchPage, q });
  if (seen.fetchPage !== fetchPage || seen.q !== q) {
    setSeen({ fetchPage, q });
    setOffset(0);
    setExpanded(null);
  }

  useEffect(() => {
    if (!urlState) return;
    writeUrlParams({
      q: q || undefined,
      sort: sort === defaultSort ? undefined : sort,
      offset: offset ? String(offset) : undefined,
      limit: limit === pageSize ? undefined : String(limit),
    });
  }, [urlState, q, sort, defaultSort, offset, limit, pageSize]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadKey and attempt only trigger a reload
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    fetchPage({ limit, offset, sort, q: q || undefined }, controller.signal).then(
      (result) => {
        if (controller.signal.aborted) return;
        // The last rows of the last page went away (deleted elsewhere): step back to a page that has rows.
        if (result.items.length === 0 && offset > 0 && result.total > 0) {
          setOffset(Math.floor((result.total - 1) / limit) * limit);
          return;
        }
        setPage(result);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [fetchPage, limit, offset, sort, q, reloadKey, attempt]);

  function toggleSort(field: string) {
    setSort((current) => (current === field ? `-${field}` : field));
    setOffset(0);
  }

  const total = page?.total ?? 0;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + (page?.items.length ?? 0), total);
  const colCount = columns.length + (renderDetail ? 1 : 0);
  const searchOptions = typeof search === 'object' ? search : {};
  const isFiltered = Boolean(q) || Boolean(filtered);

  return (
    <div className="card table-card" data-testid={testId}>
      {search || toolbar ? (
        <div className="table-toolbar">
          {search ? (
            <div className="field table-search">
              <label className="field-label" htmlFor={searchId}>
                {searchOptions.label ?? 'Search'}
              </label>
              <input
                id={searchId}
                type="search"
                className="field-input"
                value={qInput}
                placeholder={searchOptions.placeholder ?? 'Filter…'}
                onChange={(e) => setQInput(e.target.value)}
              />
            </div>
          ) : null}
          {toolbar}
        </div>
      ) : null}
      {error && !page ? (
        <ErrorState error={error} onRetry={() => setAttempt((n) => n + 1)} />
      ) : (
        <>
          {error ? (
            <ErrorState error={error} title="Could not load this page" onRetry={() => setAttempt((n) => n + 1)} />
          ) : null}
          <div className="table-scroll" hidden={page?.total === 0}>
            <table className={`table ${loading ? 'table-loading' : ''}`} aria-busy={loading} aria-label={label}>
              <thead>
                <tr>
                  {renderDetail ? (
                    <th className="table-expand">
                      <span className="visually-hidden">Details</span>
                    </th>
                  ) : null}
                  {columns.map((c) => {
                    const active = sort === c.sort ? 'ascending' : sort === `-${c.sort}` ? 'descending' : undefined;
                    return (
                      <th
                        key={c.key}
                        scope="col"
                        style={c.width ? { width: c.width } : undefined}
                        className={c.align === 'right' ? 'table-align-right' : undefined}
                        aria-sort={c.sort ? (active ?? 'none') : undefined}
                      >
                        {c.sort ? (
                          <button type="button" className="table-sort" onClick={() => toggleSort(c.sort as string)}>
                            {c.header}
                            <span className="table-sort-icon" aria-hidden="true">
                              {active === 'ascending' ? '▲' : active === 'descending' ? '▼' : '↕'}
                            </span>
                          </button>
                        ) : (
                          c.header
                        )}
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {!page && loading ? (
                  <tr>
                    <td colSpan={colCount} className="muted">
                      Loading…
                    </td>
                  </tr>
                ) : null}
                {page?.items.map((row) => {
                  const key = rowKey(row);
                  const open = expanded === key;
                  return (
                    <Fragment key={key}>
                      <tr data-testid="table-row" data-row-key={key}>
                        {renderDetail ? (
                          <td className="table-expand">
                            <Button
                              variant="ghost"
                              size="sm"
                              aria-expanded={open}
                              aria-label={open ? 'Hide details' : 'Show details'}
                              onClick={() => setExpanded(open ? null : key)}
                            >
                              {open ? '▾' : '▸'}
                            </Button>
                          </td>
                        ) : null}
                        {columns.map((c) => (
                          <td key={c.key} className={c.align === 'right' ? 'table-align-right' : undefined}>
                            {c.render(row)}
                          </td>
                        ))}
                      </tr>
                      {open && renderDetail ? (
                        <tr className="table-detail-row">
                          <td colSpan={colCount}>{renderDetail(row)}</td>
                        </tr>
                      ) : null}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
          {page && page.total === 0 ? (
            isFiltered ? (
              <EmptyState title="Nothing matches" icon="∅">
                No rows match these filters. Change or clear them to see more.
              </EmptyState>
            ) : (
              (empty ?? <EmptyState title="Nothing here yet" />)
            )
          ) : null}
          <div className="table-footer">
            <span aria-live="polite" data-testid="table-range">
              {page ? (total === 0 ? 'No rows' : `${from}–${to} of ${total}`) : ' '}
            </span>
            <PageControls
              id={`${searchId}-size`}
              limit={limit}
              offset={offset}
              total={total}
              sizes={PAGE_SIZES}
              onLimit={(n) => {
                setLimit(n);
                setOffset(0);
              }}
              onOffset={setOffset}
              disabled={loading}
            />
          </div>
        </>
      )}
    </div>
  );
}
