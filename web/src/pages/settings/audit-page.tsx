import { useCallback, useEffect, useState } from 'react';
import { audit } from '../../api/accounts';
import type { AuditEntry } from '../../api/types';
import {
  Badge,
  type Column,
  DataTable,
  EmptyState,
  type FetchPage,
  JsonBlock,
  Page,
  TextField,
  Time,
  useDebounced,
  useUrlState,
} from '../../ui';

const VIA: Record<string, string> = {
  session: 'via session',
  token: 'via API token',
  password: 'via password (token exchange)',
  system: 'system',
};

// Suggestions only: modules add their own actions and resource types, and the filters accept any.
const RESOURCE_TYPES = ['user', 'team', 'api_token'];
const ACTIONS = [
  'auth.login',
  'auth.logout',
  'user.create',
  'user.update',
  'user.delete',
  'team.create',
  'team.update',
  'team.delete',
  'team.member_add',
  'team.member_update',
  'team.member_remove',
  'token.create',
  'token.revoke',
];

function resource(e: AuditEntry) {
  return (
    <>
      <span className="cell-primary">{e.resourceName ?? e.resourceId ?? '—'}</span>
      <span className="cell-secondary mono">{e.resourceType}</span>
    </>
  );
}

function actor(e: AuditEntry) {
  return (
    <>
      <span className="cell-primary">{e.actor.name}</span>
      <span className="cell-secondary">{e.actor.type === 'system' ? 'system' : VIA[e.actor.via]}</span>
    </>
  );
}

function Detail({ entry }: { entry: AuditEntry }) {
  return (
    <div className="audit-detail" data-testid="audit-detail">
      <div>
        <h3>Before</h3>
        <JsonBlock value={entry.before} label="Before" testId="audit-before" />
      </div>
      <div>
        <h3>After</h3>
        <JsonBlock value={entry.after} label="After" testId="audit-after" />
      </div>
      <dl className="dl audit-meta">
        <dt>Entry</dt>
        <dd className="mono">{entry.id}</dd>
        <dt>Resource id</dt>
        <dd className="mono">{entry.resourceId ?? '—'}</dd>
        <dt>Actor id</dt>
        <dd className="mono">{entry.actor.id ?? '—'}</dd>
        <dt>Request id</dt>
        <dd className="mono">{entry.requestId ?? '—'}</dd>
      </dl>
    </div>
  );
}

/** The audit log (admins): every change with who made it, how, and the resource before and after. */
export function AuditPage() {
  const [actionParam, setActionParam] = useUrlState('action');
  const [typeParam, setTypeParam] = useUrlState('resourceType');
  const [actionInput, setActionInput] = useState(actionParam);
  const [typeInput, setTypeInput] = useState(typeParam);
  const action = useDebounced(actionInput.trim(), 300);
  const resourceType = useDebounced(typeInput.trim(), 300);
  useEffect(() => setActionParam(action), [action, setActionParam]);
  useEffect(() => setTypeParam(resourceType), [resourceType, setTypeParam]);

  const fetchPage = useCallback<FetchPage<AuditEntry>>(
    (q, signal) => audit.list({ ...q, action: action || undefined, resourceType: resourceType || undefined }, signal),
    [action, resourceType],
  );

  const columns: Column<AuditEntry>[] = [
    { key: 'at', header: 'Time', sort: 'at', render: (e) => <Time value={e.at} /> },
    { key: 'actor', header: 'Actor', sort: 'actor', render: actor },
    {
      key: 'action',
      header: 'Action',
      sort: 'action',
      render: (e) => (
        <Badge tone={e.action.endsWith('.delete') || e.action.endsWith('.revoke') ? 'danger' : 'info'}>
          <span className="mono" data-testid="audit-action">
            {e.action}
          </span>
        </Badge>
      ),
    },
    { key: 'resource', header: 'Resource', sort: 'resourceType', render: resource },
  ];

  return (
    <Page
      title="Audit log"
      description="Every change made through the API, the CLI or this UI: who made it, how they signed in, and the resource before and after."
      testId="audit-page"
    >
      <DataTable
        label="Audit log"
        columns={columns}
        fetchPage={fetchPage}
        rowKey={(e) => e.id}
        defaultSort="-at"
        search={{ label: 'Search', placeholder: 'Actor, resource, request id…' }}
        filtered={Boolean(action || resourceType)}
        toolbar={
          <>
            <TextField
              name="action"
              label="Action"
              value={actionInput}
              onChange={setActionInput}
              placeholder="e.g. token.create"
              list="audit-actions"
              spellCheck={false}
              testId="audit-filter-action"
            />
            <TextField
              name="resourceType"
              label="Resource type"
              value={typeInput}
              onChange={setTypeInput}
              placeholder="e.g. api_token"
              list="audit-resource-types"
              spellCheck={false}
              testId="audit-filter-resource-type"
            />
            <datalist id="audit-actions">
              {ACTIONS.map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
            <datalist id="audit-resource-types">
              {RESOURCE_TYPES.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
          </>
        }
        renderDetail={(e) => <Detail entry={e} />}
        urlState
        empty={
          <EmptyState title="No audit entries yet">Changes to users, teams and tokens are recorded here.</EmptyState>
        }
        testId="audit-table"
      />
    </Page>
  );
}
