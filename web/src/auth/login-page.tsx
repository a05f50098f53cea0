import { useState } from 'react';
import { ThemeToggle } from '../shell/theme-toggle';
import { Form, TextField } from '../ui';
import { useSessionState } from './session';

/** The sign-in page, shown on any path while there is no session. */
export function LoginPage() {
  const { signIn } = useSessionState();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  return (
    <div className="login">
      <div className="login-theme">
        <ThemeToggle />
      </div>
      <main className="login-card card" data-testid="login-page">
        <div className="card-body">
          <div className="brand login-brand">
            <img src="/favicon.svg" alt="" width={28} height={28} />
            <span>Mainstay</span>
          </div>
          <h1 className="login-title">Sign in</h1>
          <Form onSubmit={() => signIn(email.trim(), password)} submitLabel="Sign in" testId="login-form">
            <TextField
              name="email"
              label="Email"
              type="email"
              autoComplete="username"
              value={email}
              onChange={setEmail}
              required
              autoFocus
            />
            <TextField
              name="password"
              label="Password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={setPassword}
              required
            />
          </Form>
        </div>
      </main>
    </div>
  );
}
