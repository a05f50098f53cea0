import { useState } from 'react';
import { me } from '../../api/accounts';
import { useCurrentUser } from '../../auth/session';
import { RoleBadge } from '../../features/accounts/role-badge';
import { Alert, Badge, Card, Form, Page, TextField, Time, TimeZoneField } from '../../ui';

/** The signed-in user's own name, time zone and password. */
export function ProfilePage() {
  const { user, setUser } = useCurrentUser();
  const [name, setName] = useState(user.name);
  const [timeZone, setTimeZone] = useState(user.timeZone);
  const [savedProfile, setSavedProfile] = useState(false);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [savedPassword, setSavedPassword] = useState(false);

  const patch: { name?: string; timeZone?: string } = {};
  if (name.trim() !== user.name) patch.name = name.trim();
  if (timeZone.trim() !== user.timeZone) patch.timeZone = timeZone.trim();

  return (
    <Page
      title="Your profile"
      description="How you appear in Mainstay, and the time zone schedules are shown in."
      testId="profile-page"
    >
      <Card title="Account">
        <dl className="dl">
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Global role</dt>
          <dd>
            <RoleBadge role={user.role} />
          </dd>
          <dt>Teams</dt>
          <dd className="team-chips">
            {user.teams.length
              ? user.teams.map((t) => (
                  <Badge key={t.id}>
                    {t.name} · {t.role}
                  </Badge>
                ))
              : '—'}
          </dd>
          <dt>Last sign-in</dt>
          <dd>
            <Time value={user.lastLoginAt} empty="never" />
          </dd>
        </dl>
      </Card>
      <Card title="Profile">
        <Form
          submitLabel="Save profile"
          submitDisabled={Object.keys(patch).length === 0}
          onSubmit={async () => {
            setSavedProfile(false);
            setUser(await me.update(patch));
            setSavedProfile(true);
          }}
        >
          {savedProfile ? <Alert tone="success">Profile saved.</Alert> : null}
          <div className="form-grid">
            <TextField name="name" label="Name" value={name} onChange={setName} autoComplete="name" />
            <TimeZoneField value={timeZone} onChange={setTimeZone} />
          </div>
        </Form>
      </Card>
      <Card title="Password">
        <Form
          submitLabel="Change password"
          submitDisabled={!current || !next}
          onSubmit={async () => {
            setSavedPassword(false);
            await me.changePassword(current, next);
            setCurrent('');
            setNext('');
            setSavedPassword(true);
          }}
        >
          {savedPassword ? <Alert tone="success">Password changed.</Alert> : null}
          <div className="form-grid">
            <TextField
              name="currentPassword"
              label="Current password"
              type="password"
              value={current}
              onChange={setCurrent}
              autoComplete="current-password"
            />
            <TextField
              name="newPassword"
              label="New password"
              type="password"
              value={next}
              onChange={setNext}
              autoComplete="new-password"
            />
          </div>
        </Form>
      </Card>
    </Page>
  );
}
