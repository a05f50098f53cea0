import { useCallback, useState } from 'react';
import { tokens } from '../../api/accounts';
import type { ApiToken, CreatedToken, Role } from '../../api/types';
import { useCurrentUser } from '../../auth/session';
import { RoleBadge } from '../../features/accounts/role-badge';
import { isRole, ROLE_HELP, ROLE_OPTIONS } from '../../features/accounts/roles';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  type Column,
  ConfirmDialog,
  CopyButton,
  DataTable,
  Dialog,
  EmptyState,
  type FetchPage,
  Form,
  Page,
  Select,
  TextField,
  Time,
  useUrlState,
} from '../../ui';

function status(token: ApiToken) {
  if (token.revokedAt) return <Badge tone="danger">revoked</Badge>;
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) return <Badge tone="warning">expired</Badge>;
  return <Badge tone="success">active</Badge>;
}

/** API tokens: the signed-in user's own (admins may list everyone's); create shows the secret once. */
export function TokensPage() {
  const { isAdmin } = useCurrentUser();
  const [allParam, setAllParam] = useUrlState('all');
  const showAll = isAdmin && allParam === 'true';
  const setShowAll = (all: boolean) => setAllParam(all ? 'true' : '');
  const [reloadKey, setReloadKey] = useState(0);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  const fetchPage = useCallback<FetchPage<ApiToken>>(
    (q, signal) => tokens.list({ ...q, all: showAll }, signal),
    [showAll],
  );

  const columns: Column<ApiToken>[] = [
    {
      key: 'name',
      header: 'Name',
      sort: 'name',
      render: (t) => (
        <>
          <span className="cell-primary">{t.name}</span>
          <span className="cell-secondary mono">{t.prefix}…</span>
        </>
      ),
    },
    ...(showAll ? [{ key: 'user', header: 'Owner', render: (t: ApiToken) => t.userEmail }] : []),
    { key: 'scope', header: 'Scope', render: (t) => <RoleBadge role={t.scope} /> },
    { key: 'status', header: 'Status', render: status },
    { key: 'created', header: 'Created', sort: 'createdAt', render: (t) => <Time value={t.createdAt} relative /> },
    { key: 'expires', header: 'Expires', render: (t) => <Time value={t.expiresAt} relative empty="never" /> },
    {
      key: 'used',
      header: 'Last used',
      sort: 'lastUsedAt',
      render: (t) => <Time value={t.lastUsedAt} relative empty="never" />,
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'right',
      render: (t) =>
        t.revokedAt ? null : (
          <Button size="sm" variant="ghost" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
            Revoke
          </Button>
        ),
    },
  ];

  return (
    <Page
      title="API tokens"
      description="Tokens let the mainstay CLI, scripts and integrations call the REST API as you. A token's scope caps what it can do; it never exceeds your own role."
      actions={
        <Button variant="primary" onClick={() => setCreating(true)} testId="create-token">
          Create token
        </Button>
      }
      testId="tokens-page"
    >
      <DataTable
        label="API tokens"
        columns={columns}
        fetchPage={fetchPage}
        rowKey={(t) => t.id}
        defaultSort="-createdAt"
        search={{ label: 'Search tokens', placeholder: 'Token name' }}
        toolbar={
          isAdmin ? (
            <Checkbox name="all" label="Show everyone's tokens" checked={showAll} onChange={setShowAll} />
          ) : null
        }
        reloadKey={reloadKey}
        empty={
          <EmptyState
            title="No API tokens yet"
            action={<Button onClick={() => setCreating(true)}>Create token</Button>}
          >
            Create a token to use the mainstay CLI or call the API from scripts, with{' '}
            <code>Authorization: Bearer &lt;token&gt;</code>.
          </EmptyState>
        }
        urlState
        testId="tokens-table"
      />

      <Dialog open={creating} title="Create API token" onClose={() => setCreating(false)} testId="create-token-dialog">
        <CreateTokenForm
          onCancel={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false);
            setCreated(result);
            setReloadKey((n) => n + 1);
          }}
        />
      </Dialog>

      <Dialog
        open={created !== null}
        title="Token created"
        onClose={() => setCreated(null)}
        dismissable={false}
        testId="token-created-dialog"
        footer={
          <Button variant="primary" onClick={() => setCreated(null)} testId="token-created-done">
            I have copied it
          </Button>
        }
      >
        {created ? <CreatedTokenView created={created} /> : null}
      </Dialog>

      <ConfirmDialog
        open={revoking !== null}
        title="Revoke token"
        confirmLabel="Revoke token"
        danger
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (revoking) await tokens.revoke(revoking.id);
          setReloadKey((n) => n + 1);
        }}
      >
        <p style={{ margin: 0 }}>
          Anything still using <strong>{revoking?.name}</strong> (<span className="mono">{revoking?.prefix}…</span>)
          will get 401 from its next request. This cannot be undone.
        </p>
      </ConfirmDialog>
    </Page>
  );
}

function CreateTokenForm({ onCreated, onCancel }: { onCreated(result: CreatedToken): void; onCancel(): void }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Role>('viewer');
  const [days, setDays] = useState('');

  return (
    <Form
      submitLabel="Create token"
      onCancel={onCancel}
      testId="create-token-form"
      onSubmit={async () => {
        const trimmed = days.trim();
        // A non-number goes to the server as typed, so its error names the field.
        const expiresInDays = trimmed === '' ? undefined : Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
        onCreated(
          await tokens.create({ name: name.trim(), scope, expiresInDays: expiresInDays as number | undefined }),
        );
      }}
    >
      <TextField
        name="name"
        label="Name"
        value={name}
        onChange={setName}
        hint="What uses it, e.g. “ci deploy” or “laptop CLI”."
        autoFocus
      />
      <Select
        name="scope"
        label="Scope"
        value={scope}
        onChange={(v) => isRole(v) && setScope(v)}
        options={ROLE_OPTIONS}
        hint={`${/^[aeiou]/.test(scope) ? 'An' : 'A'} ${scope} token may ${ROLE_HELP[scope]}; never more than your own role allows.`}
      />
      <TextField
        name="expiresInDays"
        label="Expires in (days)"
        type="number"
        inputMode="numeric"
        min={1}
        value={days}
        onChange={setDays}
        optional
        hint="Leave empty for a token that does not expire."
      />
    </Form>
  );
}

function CreatedTokenView({ created }: { created: CreatedToken }) {
  return (
    <div className="stack">
      <Alert tone="warning" title="Copy this token now" testId="token-once-warning">
        <p>It will not be shown again. If you lose it, revoke it and create a new one.</p>
      </Alert>
      <div className="field">
        <label className="field-label" htmlFor="new-token-value">
          Token for “{created.apiToken.name}”
        </label>
        <div className="secret-box">
          <textarea
            id="new-token-value"
            className="field-input secret-value"
            readOnly
            rows={2}
            value={created.token}
            onFocus={(e) => e.currentTarget.select()}
            data-testid="new-token-value"
            spellCheck={false}
          />
          <CopyButton text={created.token} testId="copy-token" />
        </div>
      </div>
      <p className="muted" style={{ margin: 0 }}>
        Send it as <code>Authorization: Bearer &lt;token&gt;</code>. Scope: <RoleBadge role={created.apiToken.scope} />
        {created.apiToken.expiresAt ? (
          <>
            {' '}
            · expires <Time value={created.apiToken.expiresAt} />
          </>
        ) : (
          ' · does not expire'
        )}
      </p>
    </div>
  );
}
