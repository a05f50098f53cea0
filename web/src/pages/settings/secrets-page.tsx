import { useCallback, useState } from 'react';
import { type Secret, secrets } from '../../api/checks';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import {
  Button,
  type Column,
  ConfirmDialog,
  DataTable,
  Dialog,
  EmptyState,
  type FetchPage,
  Form,
  Page,
  TextArea,
  TextField,
  Time,
} from '../../ui';

type Open = { kind: 'create' } | { kind: 'edit'; secret: Secret } | { kind: 'delete'; secret: Secret } | null;

function CreateSecretForm({ onSaved, onCancel }: { onSaved(): void; onCancel(): void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [value, setValue] = useState('');
  return (
    <Form
      submitLabel="Create secret"
      onCancel={onCancel}
      testId="create-secret-form"
      onSubmit={async () => {
        await secrets.create({ name: name.trim(), value, description: description.trim() || undefined });
        onSaved();
      }}
    >
      <TextField
        name="name"
        label="Name"
        value={name}
        onChange={setName}
        placeholder="db-password"
        spellCheck={false}
        autoComplete="off"
        hint="Checks refer to it by this name. Lowercase letters, digits, . _ -"
        autoFocus
      />
      <TextField name="description" label="Description" value={description} onChange={setDescription} optional />
      <TextField
        name="value"
        label="Value"
        type="password"
        value={value}
        onChange={setValue}
        autoComplete="new-password"
        hint="Stored encrypted; it is never shown again, only replaced."
      />
    </Form>
  );
}

function EditSecretForm({ secret, onSaved, onCancel }: { secret: Secret; onSaved(): void; onCancel(): void }) {
  const [description, setDescription] = useState(secret.description);
  const [value, setValue] = useState('');
  const changed = value !== '' || description.trim() !== secret.description;
  return (
    <Form
      submitLabel="Save"
      onCancel={onCancel}
      submitDisabled={!changed}
      testId="edit-secret-form"
      onSubmit={async () => {
        await secrets.update(secret.name, {
          value: value === '' ? undefined : value,
          description: description.trim() !== secret.description ? description.trim() : undefined,
        });
        onSaved();
      }}
    >
      <TextArea
        name="description"
        label="Description"
        value={description}
        onChange={setDescription}
        rows={2}
        optional
      />
      <TextField
        name="value"
        label="New value"
        type="password"
        value={value}
        onChange={setValue}
        autoComplete="new-password"
        optional
        hint="Leave empty to keep the current value. Checks use a new value from their next run."
      />
    </Form>
  );
}

/** Secrets: named values (passwords, tokens, keys) that checks refer to; values are write-only. */
export function SecretsPage() {
  const { user } = useCurrentUser();
  const canEdit = roleAtLeast(user.role, 'editor');
  const [reloadKey, setReloadKey] = useState(0);
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const saved = () => {
    setOpen(null);
    setReloadKey((n) => n + 1);
  };
  const fetchPage = useCallback<FetchPage<Secret>>((q, signal) => secrets.list(q, signal), []);

  const columns: Column<Secret>[] = [
    { key: 'name', header: 'Name', sort: 'name', render: (s) => <span className="cell-primary mono">{s.name}</span> },
    { key: 'description', header: 'Description', render: (s) => s.description || <span className="muted">—</span> },
    { key: 'updated', header: 'Updated', sort: 'updatedAt', render: (s) => <Time value={s.updatedAt} relative /> },
    ...(canEdit
      ? [
          {
            key: 'actions',
            header: <span className="visually-hidden">Actions</span>,
            align: 'right' as const,
            render: (s: Secret) => (
              <span className="cell-actions">
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => setOpen({ kind: 'edit', secret: s })}
                  aria-label={`Replace ${s.name}`}
                >
                  Replace value
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => setOpen({ kind: 'delete', secret: s })}
                  aria-label={`Delete ${s.name}`}
                >
                  Delete
                </Button>
              </span>
            ),
          },
        ]
      : []),
  ];

  const create = (testId: string) =>
    canEdit ? (
      <Button variant="primary" onClick={() => setOpen({ kind: 'create' })} testId={testId}>
        Create secret
      </Button>
    ) : null;

  return (
    <Page
      title="Secrets"
      description="Passwords, tokens and keys that checks use, referred to by name (passwordSecret: db-password). Values are stored encrypted and never sent back."
      actions={create('create-secret')}
      testId="secrets-page"
    >
      <DataTable
        label="Secrets"
        columns={columns}
        fetchPage={fetchPage}
        rowKey={(s) => s.name}
        defaultSort="name"
        search={{ label: 'Search secrets', placeholder: 'Secret name' }}
        reloadKey={reloadKey}
        empty={
          <EmptyState title="No secrets yet" action={create('create-secret-empty')}>
            Create a secret for each password or token a check needs, then name it in the check.
          </EmptyState>
        }
        urlState
        testId="secrets-table"
      />
      <Dialog open={open?.kind === 'create'} title="Create secret" onClose={close} testId="create-secret-dialog">
        <CreateSecretForm onCancel={close} onSaved={saved} />
      </Dialog>
      <Dialog
        open={open?.kind === 'edit'}
        title={`Secret ${open?.kind === 'edit' ? open.secret.name : ''}`}
        onClose={close}
      >
        {open?.kind === 'edit' ? <EditSecretForm secret={open.secret} onCancel={close} onSaved={saved} /> : null}
      </Dialog>
      <ConfirmDialog
        open={open?.kind === 'delete'}
        title="Delete secret"
        confirmLabel="Delete secret"
        danger
        onClose={close}
        onConfirm={async () => {
          if (open?.kind === 'delete') await secrets.remove(open.secret.name);
          setReloadKey((n) => n + 1);
        }}
      >
        <p style={{ margin: 0 }}>
          Delete <strong className="mono">{open?.kind === 'delete' ? open.secret.name : ''}</strong>? Checks that name
          it will fail until it exists again.
        </p>
      </ConfirmDialog>
    </Page>
  );
}
