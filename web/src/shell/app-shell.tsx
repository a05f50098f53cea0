import { Fragment, type ReactNode, useState } from 'react';
import { NavLink } from 'react-router-dom';
import { useCurrentUser } from '../auth/session';
import { Badge, Button } from '../ui';
import { GROUP_LABELS, SECTIONS, type Section } from './sections';
import { ThemeToggle } from './theme-toggle';

function groups(isAdmin: boolean): [Section['group'], Section[]][] {
  const out = new Map<Section['group'], Section[]>();
  for (const s of SECTIONS) {
    if (s.adminOnly && !isAdmin) continue;
    out.set(s.group, [...(out.get(s.group) ?? []), s]);
  }
  return [...out.entries()];
}

/** The signed-in frame: navigation on the left, user and theme on top, the page in the middle. */
export function AppShell({ children }: { children: ReactNode }) {
  const { user, isAdmin, signOut } = useCurrentUser();
  const [signingOut, setSigningOut] = useState(false);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          <span>Mainstay</span>
        </div>
        <nav aria-label="Main" className="nav">
          {groups(isAdmin).map(([group, sections]) => (
            <Fragment key={group}>
              {GROUP_LABELS[group] ? <div className="nav-group">{GROUP_LABELS[group]}</div> : null}
              {sections.map((s) => (
                <NavLink
                  key={s.path}
                  to={s.path}
                  end={s.path === '/'}
                  className={({ isActive }) => `nav-link ${isActive ? 'nav-link-active' : ''}`}
                >
                  {s.label}
                </NavLink>
              ))}
            </Fragment>
          ))}
        </nav>
        <div className="sidebar-footer">
          <a className="nav-link" href="/api/v1/docs" target="_blank" rel="noopener" data-testid="api-docs-link">
            API docs ↗
          </a>
        </div>
      </aside>
      <div className="shell-main">
        <header className="topbar">
          <div className="spacer" />
          <ThemeToggle />
          <div className="topbar-user" data-testid="current-user">
            <span className="topbar-user-name">{user.name || user.email}</span>
            <span className="topbar-user-email muted">{user.email}</span>
          </div>
          {user.role ? <Badge tone={user.role === 'admin' ? 'info' : 'neutral'}>{user.role}</Badge> : null}
          <Button
            size="sm"
            busy={signingOut}
            testId="sign-out"
            onClick={async () => {
              setSigningOut(true);
              try {
                await signOut();
              } catch {
                // signOut drops the local session whatever the server answered
              }
            }}
          >
            Sign out
          </Button>
        </header>
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
