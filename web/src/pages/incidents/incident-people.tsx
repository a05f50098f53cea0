import { useState } from 'react';
import type { User } from '../../api/types';
import { UserPicker } from '../../features/accounts/user-picker';
import { Button, Card, Dialog, ErrorAlert, Form, Select, TextField, Time } from '../../ui';
import { BUILTIN_ROLES, type Incident, incidentsApi } from './incidents-api';

const CUSTOM = '__custom';

function AssignRoleDialog({
  incident,
  open,
  onClose,
  onChanged,
}: {
  incident: Incident;
  open: boolean;
  onClose(): void;
  onChanged(i: Incident): void;
}) {
  const free = BUILTIN_ROLES.find((r) => !incident.roles.some((x) => x.role === r));
  const [role, setRole] = useState<string>(free ?? CUSTOM);
  const [custom, setCustom] = useState('');
  const [user, setUser] = useState<User | null>(null);
  return (
    <Dialog open={open} title="Assign a role" onClose={onClose} testId="assign-role-dialog">
      <Form
        onSubmit={async () => {
          onChanged(
            await incidentsApi.assignRole(incident.id, role === CUSTOM ? custom.trim() : role, user?.email ?? ''),
          );
          onClose();
        }}
        submitLabel="Assign"
        onCancel={onClose}
        submitDisabled={!user || (role === CUSTOM && !custom.trim())}
      >
        <Select
          name={role === CUSTOM ? 'roleKind' : 'role'}
          label="Role"
          value={role}
          onChange={setRole}
          options={[
            { value: 'commander', label: 'Commander: runs the response and decides' },
            { value: 'communications', label: 'Communications: keeps stakeholders informed' },
            { value: CUSTOM, label: 'Another role…' },
          ]}
          testId="role-select"
        />
        {role === CUSTOM ? (
          <TextField
            name="role"
            label="Role name"
            value={custom}
            onChange={setCustom}
            placeholder="scribe"
            hint="Lowercase letters, digits, _ and -."
            testId="role-custom"
          />
        ) : null}
        <UserPicker value={user} onChange={setUser} label="Person" />
      </Form>
    </Dialog>
  );
}

function AddResponderDialog({
  incident,
  open,
  onClose,
  onChanged,
}: {
  incident: Incident;
  open: boolean;
  onClose(): void;
  onChanged(i: Incident): void;
}) {
  const [user, setUser] = useState<User | null>(null);
  const [message, setMessage] = useState('');
  return (
    <Dialog open={open} title="Add a responder" onClose={onClose} testId="add-responder-dialog">
      <Form
        onSubmit={async () => {
          onChanged(await incidentsApi.addResponder(incident.id, user?.email ?? '', message.trim() || undefined));
          onClose();
        }}
        submitLabel="Add and page"
        onCancel={onClose}
        submitDisabled={!user}
      >
        <p className="muted form-note">
          They are added to the incident and paged at once through their own notification rules.
        </p>
        <UserPicker value={user} onChange={setUser} label="Person" />
        <TextField
          name="message"
          label="Message"
          optional
          value={message}
          onChange={setMessage}
          placeholder="Can you look at the database side?"
        />
      </Form>
    </Dialog>
  );
}

/** Incident roles (commander, communications, custom) and responders, with assign, unassign and add. */
export function PeopleCard({
  incident,
  canWrite,
  onChanged,
}: {
  incident: Incident;
  canWrite: boolean;
  onChanged(i: Incident): void;
}) {
  const [assigning, setAssigning] = useState(false);
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function unassign(role: string) {
    setBusy(role);
    setError(null);
    try {
      onChanged(await incidentsApi.removeRole(incident.id, role));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <Card title="People">
      {error ? <ErrorAlert error={error} onDismiss={() => setError(null)} /> : null}
      <h3 className="subheading">Roles</h3>
      {incident.roles.length ? (
        <ul className="people-list" data-testid="incident-roles">
          {incident.roles.map((r) => (
            <li key={r.role} data-testid="incident-role" data-role={r.role}>
              <span className="people-role">{r.role}</span>
              <span className="people-who" title={`since ${new Date(r.assignedAt).toLocaleString()}`}>
                {r.user}
              </span>
              {canWrite ? (
                <Button
                  size="sm"
                  variant="ghost"
                  busy={busy === r.role}
                  onClick={() => unassign(r.role)}
                  aria-label={`Unassign ${r.role}`}
                  testId="unassign-role"
                >
                  Unassign
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted card-empty">
          No roles assigned. A commander makes the calls; communications keeps people informed.
        </p>
      )}
      {canWrite ? (
        <Button size="sm" onClick={() => setAssigning(true)} testId="assign-role">
          Assign role
        </Button>
      ) : null}
      <h3 className="subheading">Responders</h3>
      {incident.responders.length ? (
        <ul className="people-list" data-testid="incident-responders">
          {incident.responders.map((r) => (
            <li key={r.user}>
              <span className="people-who">{r.user}</span>
              <span className="muted">
                added <Time value={r.addedAt} relative />
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted card-empty">Nobody was asked to help yet.</p>
      )}
      {canWrite ? (
        <Button size="sm" onClick={() => setAdding(true)} testId="add-responder">
          Add responder
        </Button>
      ) : null}
      {assigning ? (
        <AssignRoleDialog incident={incident} open onClose={() => setAssigning(false)} onChanged={onChanged} />
      ) : null}
      {adding ? (
        <AddResponderDialog incident={incident} open onClose={() => setAdding(false)} onChanged={onChanged} />
      ) : null}
    </Card>
  );
}
