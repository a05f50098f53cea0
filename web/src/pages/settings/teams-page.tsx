import { useCallback, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { teams } from '../../api/accounts';
import type { Team } from '../../api/types';
import { useCurrentUser } from '../../auth/session';
import {
  Button,
  type Column,
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

/** Teams: list (server-side), create; a team's page manages its members. */
export function TeamsPage() {
  const { isAdmin } = useCurrentUser();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const fetchPage = useCallback<FetchPage<Team>>((q, signal) => teams.list(q, signal), []);

  const columns: Column<Team>[] = [
    {
      key: 'name',
      header: 'Team',
      sort: 'name',
      render: (t) => (
        <>
          <Link className="cell-primary" to={`/settings/teams/${encodeURIComponent(t.id)}`}>
            {t.displayName || t.name}
          </Link>
          <span className="cell-secondary mono">{t.name}</span>
        </>
      ),
    },
    { key: 'description', header: 'Description', render: (t) => t.description || <span className="muted">—</span> },
    { key: 'members', header: 'Members', align: 'right', render: (t) => t.memberCount },
    { key: 'created', header: 'Created', sort: 'createdAt', render: (t) => <Time value={t.createdAt} relative /> },
  ];

  return (
    <Page
      title="Teams"
      description="Teams own checks, alerts, schedules and runbooks. A member's team role applies to what the team owns."
      actions={
        isAdmin ? (
          <Button variant="primary" onClick={() => setCreating(true)} testId="create-team">
            Create team
          </Button>
        ) : null
      }
      testId="teams-page"
    >
      <DataTable
        label="Teams"
        columns={columns}
        fetchPage={fetchPage}
        rowKey={(t) => t.id}
        defaultSort="name"
        search={{ label: 'Search teams', placeholder: 'Name or description' }}
        empty={
          <EmptyState title="No teams yet">
            Create a team to give a group of people a shared role over the resources it owns.
          </EmptyState>
        }
        urlState
        testId="teams-table"
      />
      <Dialog open={creating} title="Create team" onClose={() => setCreating(false)} testId="create-team-dialog">
        <CreateTeamForm
          onCancel={() => setCreating(false)}
          onCreated={(team) => navigate(`/settings/teams/${encodeURIComponent(team.id)}`)}
        />
      </Dialog>
    </Page>
  );
}

function CreateTeamForm({ onCreated, onCancel }: { onCreated(team: Team): void; onCancel(): void }) {
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [description, setDescription] = useState('');
  return (
    <Form
      submitLabel="Create team"
      onCancel={onCancel}
      testId="create-team-form"
      onSubmit={async () => {
        onCreated(
          await teams.create({
            name: name.trim(),
            displayName: displayName.trim() || undefined,
            description: description.trim() || undefined,
          }),
        );
      }}
    >
      <TextField
        name="name"
        label="Name"
        value={name}
        onChange={setName}
        autoComplete="off"
        spellCheck={false}
        hint="A short identifier used in the API and in config files, e.g. platform-sre."
        autoFocus
      />
      <TextField name="displayName" label="Display name" value={displayName} onChange={setDisplayName} optional />
      <TextArea name="description" label="Description" value={description} onChange={setDescription} optional />
    </Form>
  );
}
