import { useCallback, useState } from 'react';
import { users } from '../../api/accounts';
import { ROLES, type Role, type User } from '../../api/types';
import { useCurrentUser } from '../../auth/session';
import { RoleBadge } from '../../features/accounts/role-badge';
import { isRole } from '../../features/accounts/roles';
import {
  Badge,
  Button,
  type Column,
  ConfirmDialog,
  DataTable,
  Dialog,
  EmptyState,
  type FetchPage,
  Page,
  Select,
  Time,
  useUrlState,
} from '../../ui';
import { CreateUserForm, EditUserForm, ResetPasswordForm } from './user-forms';

type Open =
  | { kind: 'create' }
  | { kind: 'edit'; user: User }
  | { kind: 'password'; user: User }
  | { kind: 'delete'; user: User }
  | null;

/** Users: server-side list with role filter; admins create, edit, disable, reset passwords and delete. */
export function UsersPage() {
  const { user: me, isAdmin } = useCurrentUser();
  const [roleParam, setRoleParam] = useUrlState('role');
  const role: Role | '' = isRole(roleParam) ? roleParam : '';
  const [reloadKey, setReloadKey] = useState(0);
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  const saved = () => {
    setOpen(null);
    setReloadKey((n) => n + 1);
  };

  const fetchPage = useCallback<FetchPage<User>>(
    (q, signal) => users.list({ ...q, role: role || undefined }, signal),
    [role],
  );

  const columns: Column<User>[] = [
    {
      key: 'name',
      header: 'User',
      sort: 'name',
      render: (u) => (
        <>
          <span className="cell-primary">
            {u.name || '—'}
            {u.id === me.id ? <span className="muted"> (you)</span> : null}
          </span>
          <span className="cell-secondary">{u.email}</span>
        </>
      ),
    },
    { key: 'role', header: 'Role', sort: 'role', render: (u) => <RoleBadge role={u.role} /> },
    {
      key: 'teams',
      header: 'Teams',
      render: (u) =>
        u.teams.length ? (
          <span className="team-chips">
            {u.teams.map((t) => (
              <Badge key={t.id} title={`${t.role} in ${t.name}`}>
                {t.name} · {t.role}
              </Badge>
            ))}
          </span>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      key: 'status',
      header: 'Status',
      render: (u) => (u.disabled ? <Badge tone="danger">disabled</Badge> : <Badge tone="success">active</Badge>),
    },
    { key: 'lastLogin', header: 'Last sign-in', render: (u) => <Time value={u.lastLoginAt} relative empty="never" /> },
    { key: 'created', header: 'Created', sort: 'createdAt', render: (u) => <Time value={u.createdAt} relative /> },
    ...(isAdmin
      ? [
          {
            key: 'actions',
            header: <span className="visually-hidden">Actions</span>,
            align: 'right' as const,
            render: (u: User) => (
              <span className="cell-actions">
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => setOpen({ kind: 'edit', user: u })}
                  aria-label={`Edit ${u.email}`}
                >
                  Edit
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => setOpen({ kind: 'password', user: u })}
                  aria-label={`Set password of ${u.email}`}
                >
                  Set password
                </Button>
                {u.id !== me.id ? (
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => setOpen({ kind: 'delete', user: u })}
                    aria-label={`Delete ${u.email}`}
                  >
                    Delete
                  </Button>
                ) : null}
              </span>
            ),
          },
        ]
      : []),
  ];

  return (
    <Page
      title="Users"
      description="People who can sign in. A global role applies everywhere; team roles apply to what a team owns."
      actions={
        isAdmin ? (
          <Button variant="primary" onClick={() => setOpen({ kind: 'create' })} testId="create-user">
            Create user
          </Button>
        ) : null
      }
      testId="users-page"
    >
      <DataTable
        label="Users"
        columns={columns}
        fetchPage={fetchPage}
        rowKey={(u) => u.id}
        defaultSort="name"
        search={{ label: 'Search users', placeholder: 'Name or email' }}
        filtered={role !== ''}
        toolbar={
          <Select
            name="roleFilter"
            label="Role"
            value={role}
            onChange={(v) => setRoleParam(isRole(v) ? v : '')}
            options={[{ value: '', label: 'Any role' }, ...ROLES.map((r) => ({ value: r, label: r }))]}
          />
        }
        reloadKey={reloadKey}
        empty={<EmptyState title="No users">Create the first user with “Create user”.</EmptyState>}
        urlState
        testId="users-table"
      />

      <Dialog open={open?.kind === 'create'} title="Create user" onClose={close} testId="create-user-dialog">
        <CreateUserForm onCancel={close} onSaved={saved} />
      </Dialog>
      <Dialog
        open={open?.kind === 'edit'}
        title={`Edit ${open?.kind === 'edit' ? open.user.email : ''}`}
        onClose={close}
      >
        {open?.kind === 'edit' ? (
          <EditUserForm user={open.user} isSelf={open.user.id === me.id} onCancel={close} onSaved={saved} />
        ) : null}
      </Dialog>
      <Dialog
        open={open?.kind === 'password'}
        title={`Set password of ${open?.kind === 'password' ? open.user.email : ''}`}
        onClose={close}
      >
        {open?.kind === 'password' ? <ResetPasswordForm user={open.user} onCancel={close} onSaved={saved} /> : null}
      </Dialog>
      <ConfirmDialog
        open={open?.kind === 'delete'}
        title="Delete user"
        confirmLabel="Delete user"
        danger
        onClose={close}
        onConfirm={async () => {
          if (open?.kind === 'delete') await users.remove(open.user.id);
          setReloadKey((n) => n + 1);
        }}
      >
        <p style={{ margin: 0 }}>
          Delete <strong>{open?.kind === 'delete' ? open.user.email : ''}</strong>? This cannot be undone. To block
          sign-in but keep the account, disable it instead.
        </p>
      </ConfirmDialog>
    </Page>
  );
}
