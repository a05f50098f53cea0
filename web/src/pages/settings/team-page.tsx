import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { teams } from '../../api/accounts';
import type { Role, Team, TeamMember, User } from '../../api/types';
import { useCurrentUser } from '../../auth/session';
import { isRole, ROLE_OPTIONS } from '../../features/accounts/roles';
import { UserPicker } from '../../features/accounts/user-picker';
import {
  Button,
  Card,
  type Column,
  ConfirmDialog,
  DataTable,
  Dialog,
  EmptyState,
  ErrorAlert,
  ErrorState,
  type FetchPage,
  Form,
  Page,
  Select,
  TextArea,
  TextField,
  Time,
} from '../../ui';

const CRUMBS = [{ label: 'Teams', to: '/settings/teams' }];

/** One team: its details and its members with their team roles. */
export function TeamPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { isAdmin } = useCurrentUser();
  const [team, setTeam] = useState<Team | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [reloadKey, setReloadKey] = useState(0);
  const [open, setOpen] = useState<'edit' | 'delete' | 'add' | null>(null);
  const [removing, setRemoving] = useState<TeamMember | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busyMember, setBusyMember] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt and reloadKey re-fetch the team
  useEffect(() => {
    const controller = new AbortController();
    teams.get(id, controller.signal).then(
      (t) => {
        setTeam(t);
        setLoadError(null);
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setLoadError(err);
      },
    );
    return () => controller.abort();
  }, [id, attempt, reloadKey]);

  const fetchMembers = useCallback<FetchPage<TeamMember>>((q, signal) => teams.members(id, q, signal), [id]);
  const changed = () => setReloadKey((n) => n + 1);

  async function changeRole(member: TeamMember, role: Role) {
    setActionError(null);
    setBusyMember(member.userId);
    try {
      await teams.setMember(id, member.userId, role);
      changed();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusyMember(null);
    }
  }

  if (loadError && !team) {
    return (
      <Page title="Team" breadcrumbs={CRUMBS}>
        <Card>
          <ErrorState error={loadError} onRetry={() => setAttempt((n) => n + 1)} />
        </Card>
      </Page>
    );
  }
  if (!team) return <Page title="Team" breadcrumbs={CRUMBS} description="Loading…" />;

  const columns: Column<TeamMember>[] = [
    {
      key: 'name',
      header: 'Member',
      sort: 'name',
      render: (m) => (
        <>
          <span className="cell-primary">{m.name || m.email}</span>
          <span className="cell-secondary">{m.email}</span>
        </>
      ),
    },
    {
      key: 'role',
      header: 'Team role',
      sort: 'role',
      render: (m) =>
        isAdmin ? (
          <select
            className="field-input"
            style={{ width: 'auto' }}
            aria-label={`Team role of ${m.email}`}
            value={m.role}
            disabled={busyMember === m.userId}
            onChange={(e) => isRole(e.target.value) && changeRole(m, e.target.value)}
          >
            {ROLE_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.value}
              </option>
            ))}
          </select>
        ) : (
          m.role
        ),
    },
    ...(isAdmin
      ? [
          {
            key: 'actions',
            header: <span className="visually-hidden">Actions</span>,
            align: 'right' as const,
            render: (m: TeamMember) => (
              <Button size="sm" variant="ghost" onClick={() => setRemoving(m)} aria-label={`Remove ${m.email}`}>
                Remove
              </Button>
            ),
          },
        ]
      : []),
  ];

  return (
    <Page
      title={team.displayName || team.name}
      description={team.description || undefined}
      breadcrumbs={CRUMBS}
      testId="team-page"
      actions={
        isAdmin ? (
          <>
            <Button onClick={() => setOpen('edit')}>Edit</Button>
            <Button variant="danger" onClick={() => setOpen('delete')}>
              Delete team
            </Button>
          </>
        ) : null
      }
    >
      <Card>
        <dl className="dl">
          <dt>Name</dt>
          <dd className="mono">{team.name}</dd>
          <dt>Members</dt>
          <dd>{team.memberCount}</dd>
          <dt>Created</dt>
          <dd>
            <Time value={team.createdAt} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <Time value={team.updatedAt} />
          </dd>
        </dl>
      </Card>
      <div className="row">
        <h2 style={{ margin: 0, fontSize: 17 }}>Members</h2>
        <span className="spacer" />
        {isAdmin ? (
          <Button variant="primary" onClick={() => setOpen('add')} testId="add-member">
            Add member
          </Button>
        ) : null}
      </div>
      <ErrorAlert error={actionError} onDismiss={() => setActionError(null)} />
      <DataTable
        label={`Members of ${team.name}`}
        columns={columns}
        fetchPage={fetchMembers}
        rowKey={(m) => m.userId}
        defaultSort="name"
        search={{ label: 'Search members', placeholder: 'Email' }}
        reloadKey={reloadKey}
        empty={<EmptyState title="No members yet">Add people and give each a role in this team.</EmptyState>}
        testId="members-table"
      />

      <Dialog open={open === 'edit'} title="Edit team" onClose={() => setOpen(null)}>
        <EditTeamForm
          team={team}
          onCancel={() => setOpen(null)}
          onSaved={(t) => {
            setTeam(t);
            setOpen(null);
          }}
        />
      </Dialog>
      <Dialog open={open === 'add'} title="Add member" onClose={() => setOpen(null)} testId="add-member-dialog">
        <AddMemberForm
          teamId={team.id}
          onCancel={() => setOpen(null)}
          onSaved={() => {
            setOpen(null);
            changed();
          }}
        />
      </Dialog>
      <ConfirmDialog
        open={open === 'delete'}
        title="Delete team"
        confirmLabel="Delete team"
        danger
        onClose={() => setOpen(null)}
        onConfirm={async () => {
          await teams.remove(team.id);
          navigate('/settings/teams');
        }}
      >
        <p style={{ margin: 0 }}>
          Delete <strong>{team.displayName || team.name}</strong>? Its members lose the roles this team gave them.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={removing !== null}
        title="Remove member"
        confirmLabel="Remove"
        danger
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (removing) await teams.removeMember(team.id, removing.userId);
          changed();
        }}
      >
        <p style={{ margin: 0 }}>
          Remove <strong>{removing?.email}</strong> from {team.displayName || team.name}?
        </p>
      </ConfirmDialog>
    </Page>
  );
}

function EditTeamForm({ team, onSaved, onCancel }: { team: Team; onSaved(team: Team): void; onCancel(): void }) {
  const [displayName, setDisplayName] = useState(team.displayName);
  const [description, setDescription] = useState(team.description);
  return (
    <Form
      submitLabel="Save"
      onCancel={onCancel}
      onSubmit={async () =>
        onSaved(await teams.update(team.id, { displayName: displayName.trim(), description: description.trim() }))
      }
    >
      <TextField name="displayName" label="Display name" value={displayName} onChange={setDisplayName} autoFocus />
      <TextArea name="description" label="Description" value={description} onChange={setDescription} />
    </Form>
  );
}

function AddMemberForm({ teamId, onSaved, onCancel }: { teamId: string; onSaved(): void; onCancel(): void }) {
  const [user, setUser] = useState<User | null>(null);
  const [role, setRole] = useState<Role>('responder');
  const [missing, setMissing] = useState(false);
  return (
    <Form
      submitLabel="Add member"
      onCancel={onCancel}
      onSubmit={async () => {
        if (!user) {
          setMissing(true);
          return;
        }
        await teams.setMember(teamId, user.id, role);
        onSaved();
      }}
    >
      <UserPicker
        value={user}
        onChange={(u) => {
          setUser(u);
          setMissing(false);
        }}
        error={missing ? 'pick a user' : undefined}
      />
      <Select
        name="role"
        label="Team role"
        value={role}
        onChange={(v) => isRole(v) && setRole(v)}
        options={ROLE_OPTIONS}
      />
    </Form>
  );
}
