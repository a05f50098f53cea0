import { Fragment, type MouseEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Time } from '../../ui';
import { AlertStateBadge, LabelChips, SeverityBadge } from './alert-badges';
import type { AlertView } from './alerts-api';

interface Group {
  value: string | undefined;
  alerts: AlertView[];
}

/** The page's alerts split by the value of one label, in the order the server sorted them. */
function groupAlerts(alerts: readonly AlertView[], by: string): Group[] {
  const groups = new Map<string | undefined, Group>();
  for (const a of alerts) {
    const value = a.labels[by];
    let g = groups.get(value);
    if (!g) {
      g = { value, alerts: [] };
      groups.set(value, g);
    }
    g.alerts.push(a);
  }
  return [...groups.values()];
}

const COLUMNS = 6;

function withoutLabel(labels: Record<string, string>, name: string): Record<string, string> {
  if (!name || !(name in labels)) return labels;
  const { [name]: _, ...rest } = labels;
  return rest;
}

function AlertRow({ alert, groupBy }: { alert: AlertView; groupBy: string }) {
  const navigate = useNavigate();
  const to = `/alerts/${encodeURIComponent(alert.id)}`;
  // The whole row opens the alert; links and buttons inside keep their own meaning.
  const open = (e: MouseEvent) => {
    if ((e.target as HTMLElement).closest('a, button')) return;
    navigate(to);
  };
  return (
    <tr className="alert-row" data-testid="alert-row" data-alert-id={alert.id} onClick={open}>
      <td>
        <SeverityBadge severity={alert.severity} />
      </td>
      <td className="alert-cell-main">
        <Link to={to} className="cell-primary alert-summary" data-testid="alert-link">
          {alert.summary}
        </Link>
        <span className="cell-secondary">
          {/* The grouping label is in the group's header already. */}
          <LabelChips labels={withoutLabel(alert.labels, groupBy)} max={6} />
        </span>
      </td>
      <td>
        <AlertStateBadge alert={alert} />
      </td>
      <td className="table-align-right">
        <span className="tabular" title={`${alert.repeats} repeated trigger${alert.repeats === 1 ? '' : 's'}`}>
          {alert.repeats}
        </span>
      </td>
      <td>
        <Time value={alert.startsAt} relative />
      </td>
      <td>
        <Time value={alert.lastSeenAt} relative />
      </td>
    </tr>
  );
}

export interface AlertTableProps {
  alerts: readonly AlertView[];
  /** A label name, or '' for one flat list. */
  groupBy: string;
  loading: boolean;
}

/** Alerts in a table; with `groupBy`, under collapsible group headers with their counts. */
export function AlertTable({ alerts, groupBy, loading }: AlertTableProps) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [seenGroupBy, setSeenGroupBy] = useState(groupBy);
  if (seenGroupBy !== groupBy) {
    setSeenGroupBy(groupBy);
    setCollapsed(new Set());
  }
  const groups = groupBy ? groupAlerts(alerts, groupBy) : [{ value: undefined, alerts: [...alerts] }];
  const toggle = (key: string) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (!next.delete(key)) next.add(key);
      return next;
    });

  return (
    <div className="table-scroll">
      <table className={`table alert-table ${loading ? 'table-loading' : ''}`} aria-busy={loading} aria-label="Alerts">
        <thead>
          <tr>
            <th scope="col" style={{ width: '90px' }}>
              Severity
            </th>
            <th scope="col">Alert</th>
            <th scope="col">State</th>
            <th scope="col" className="table-align-right">
              Repeats
            </th>
            <th scope="col">Started</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => {
            const key = g.value ?? '\u0000';
            const open = !collapsed.has(key);
            const firing = g.alerts.filter((a) => a.status === 'firing').length;
            return (
              <Fragment key={key}>
                {groupBy ? (
                  <tr className="alert-group-row" data-testid="alert-group">
                    <th scope="rowgroup" colSpan={COLUMNS}>
                      <button
                        type="button"
                        className="alert-group-toggle"
                        aria-expanded={open}
                        onClick={() => toggle(key)}
                        data-testid="alert-group-toggle"
                      >
                        <span aria-hidden="true" className="alert-group-caret">
                          {open ? '▾' : '▸'}
                        </span>
                        <span className="mono">
                          {groupBy}=
                          {g.value === undefined ? <em className="muted">(not set)</em> : <strong>{g.value}</strong>}
                        </span>
                        <span className="alert-group-count" data-testid="alert-group-count">
                          {g.alerts.length} alert{g.alerts.length === 1 ? '' : 's'}
                          {firing && firing !== g.alerts.length ? ` · ${firing} firing` : ''}
                        </span>
                      </button>
                    </th>
                  </tr>
                ) : null}
                {open ? g.alerts.map((a) => <AlertRow key={a.id} alert={a} groupBy={groupBy} />) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
