import { useState } from 'react';
import { users } from '../../api/accounts';
import type { Role, User } from '../../api/types';
import { isRole, ROLE_OPTIONS } from '../../features/accounts/roles';
import { Alert, browserTimeZone, Checkbox, Form, Select, TextField, TimeZoneField } from '../../ui';

const GLOBAL_ROLE_OPTIONS = [{ value: '', label: 'No global role (team roles only)' }, ...ROLE_OPTIONS];

interface FormProps {
  onSaved(): void;
  onCancel(): void;
}

export function CreateUserForm({ onSaved, onCancel }: FormProps) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [timeZone, setTimeZone] = useState(browserTimeZone());
  const [role, setRole] = useState<Role | ''>('viewer');
  const [password, setPassword] = useState('');

  return (
    <Form
      submitLabel="Create user"
      onCancel={onCancel}
      testId="create-user-form"
      onSubmit={async () => {
        await users.create({
          email: email.trim(),
          name: name.trim(),
          timeZone: timeZone.trim() || undefined,
          role: role || null,
          password: password || undefined,
        });
        onSaved();
      }}
    >
      <TextField
        name="email"
        label="Email"
        type="email"
        value={email}
        onChange={setEmail}
        autoComplete="off"
        autoFocus
      />
      <TextField name="name" label="Name" value={name} onChange={setName} autoComplete="off" />
      <TimeZoneField value={timeZone} onChange={setTimeZone} optional />
      <Select
        name="role"
        label="Global role"
        value={role}
        onChange={(v) => setRole(isRole(v) ? v : '')}
        options={GLOBAL_ROLE_OPTIONS}
      />
      <TextField
        name="password"
        label="Password"
        type="password"
        value={password}
        onChange={setPassword}
        autoComplete="new-password"
        optional
        hint="At least 12 characters. You can also set it later with “Set password”."
      />
    </Form>
  );
}

export function EditUserForm({ user, isSelf, onSaved, onCancel }: FormProps & { user: User; isSelf: boolean }) {
  const [name, setName] = useState(user.name);
  const [timeZone, setTimeZone] = useState(user.timeZone);
  const [role, setRole] = useState<Role | ''>(user.role ?? '');
  const [disabled, setDisabled] = useState(user.disabled);

  const patch: { name?: string; timeZone?: string; role?: Role | null; disabled?: boolean } = {};
  if (name.trim() !== user.name) patch.name = name.trim();
  if (timeZone.trim() !== user.timeZone) patch.timeZone = timeZone.trim();
  if ((role || null) !== user.role) patch.role = role || null;
  if (disabled !== user.disabled) patch.disabled = disabled;
  const changed = Object.keys(patch).length > 0;

  return (
    <Form
      submitLabel="Save"
      onCancel={onCancel}
      submitDisabled={!changed}
      testId="edit-user-form"
      onSubmit={async () => {
        await users.update(user.id, patch);
        onSaved();
      }}
    >
      <TextField name="name" label="Name" value={name} onChange={setName} autoComplete="off" />
      <TimeZoneField value={timeZone} onChange={setTimeZone} />
      <Select
        name="role"
        label="Global role"
        value={role}
        onChange={(v) => setRole(isRole(v) ? v : '')}
        options={GLOBAL_ROLE_OPTIONS}
      />
      <Checkbox
        name="disabled"
        label="Disabled"
        checked={disabled}
        onChange={setDisabled}
        hint="A disabled user cannot sign in."
      />
      {isSelf && (patch.role !== undefined || patch.disabled) ? (
        <Alert tone="warning">You are changing your own account; you may lose access to this page.</Alert>
      ) : null}
    </Form>
  );
}

export function ResetPasswordForm({ user, onSaved, onCancel }: FormProps & { user: User }) {
  const [password, setPassword] = useState('');
  return (
    <Form
      submitLabel="Set password"
      onCancel={onCancel}
      onSubmit={async () => {
        await users.setPassword(user.id, password);
        onSaved();
      }}
    >
      <p className="muted" style={{ margin: 0 }}>
        Sets a new password for {user.name || user.email}. Tell them through a channel you trust.
      </p>
      <TextField
        name="password"
        label="New password"
        type="password"
        value={password}
        onChange={setPassword}
        autoComplete="new-password"
        hint="At least 12 characters."
        autoFocus
      />
    </Form>
  );
}
