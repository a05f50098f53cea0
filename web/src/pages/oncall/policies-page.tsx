import { Link } from 'react-router-dom';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import { Badge, type Column, DataTable, EmptyState, type FetchPage, Page } from '../../ui';
import type { EscalationPolicySpec, EscalationTarget } from './oncall-api';
import { type ResourceDoc, resourcesApi } from './resources-api';
import '../incidents/incidents.css';
import './oncall.css';

type PolicyDoc = ResourceDoc<EscalationPolicySpec>;

/** `schedule primary`, `user a@b`, `team ops (round robin)`, `channel ops-hook`. */
export function targetText(t: EscalationTarget): string {
  if ('user' in t) return t.user;
  if ('schedule' in t) return `schedule ${t.schedule}`;
  if ('team' in t) return `team ${t.team}${t.roundRobin ? ' (round robin)' : ''}`;
  return `channel ${t.channel}`;
}

const columns: Column<PolicyDoc>[] = [
  {
    key: 'name',
    header: 'Policy',
    render: (p) => (
      <>
        <Link
          to={`/oncall/policies/${encodeURIComponent(p.metadata.name)}`}
          className="cell-primary"
          data-testid="policy-link"
        >
          {p.metadata.name}
        </Link>
        {p.spec.description ? <span className="cell-secondary">{p.spec.description}</span> : null}
      </>
    ),
  },
  {
    key: 'levels',
    header: 'Levels',
    render: (p) => (
      <ol className="policy-levels-inline">
        {p.spec.levels.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: levels are positions
          <li key={i}>
            <span className="muted">{i + 1}.</span> {l.targets.map(targetText).join(', ')}{' '}
            {i < p.spec.levels.length - 1 ? <span className="muted">· {l.escalateAfterMinutes} min</span> : null}
          </li>
        ))}
      </ol>
    ),
  },
  {
    key: 'urgency',
    header: 'Urgency',
    render: (p) => <Badge tone={p.spec.urgency === 'low' ? 'neutral' : 'warning'}>{p.spec.urgency ?? 'high'}</Badge>,
  },
  {
    key: 'repeat',
    header: 'Repeats',
    render: (p) => (p.spec.repeat ? `${p.spec.repeat}×` : <span className="muted">no</span>),
  },
  { key: 'team', header: 'Team', render: (p) => p.spec.team ?? <span className="muted">—</span> },
];

const fetchPolicies: FetchPage<PolicyDoc> = (q, signal) =>
  resourcesApi.list<EscalationPolicySpec>('EscalationPolicy', { limit: q.limit, offset: q.offset, q: q.q }, signal);

/** Escalation policies: who is paged, level by level, until someone acknowledges. */
export function PoliciesPage() {
  const { user } = useCurrentUser();
  return (
    <Page
      title="Escalation policies"
      breadcrumbs={[{ label: 'On-call', to: '/oncall' }]}
      description="Level 1 is paged when an incident opens; each next level after the minutes of the one before, until someone acknowledges. Policies are configuration as code: saving here applies an EscalationPolicy document."
      actions={
        roleAtLeast(user.role, 'editor') ? (
          <Link className="btn btn-primary" to="/oncall/policies/new" data-testid="new-policy">
            New policy
          </Link>
        ) : null
      }
      testId="policies-page"
    >
      <DataTable
        label="Escalation policies"
        columns={columns}
        fetchPage={fetchPolicies}
        rowKey={(p) => p.metadata.name}
        search={{ label: 'Search', placeholder: 'Policy name' }}
        urlState
        empty={
          <EmptyState title="No escalation policies yet" icon="◌">
            Create one here, or apply an <code>EscalationPolicy</code> document with <code>mainstay apply</code>.
          </EmptyState>
        }
        testId="policies-table"
      />
    </Page>
  );
}
