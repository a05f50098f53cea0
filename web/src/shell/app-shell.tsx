import { Fragment, type ReactNode, useState } from 'react';
import { NavLink, useLocation } from 'react-router-dom';
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

/** Whether `pathname` is `path` or below it. */
function inSection(pathname: string, path: string): boolean {
  return pathname === path || pathname.startsWith(`${path}/`);
}

/** The signed-in frame: navigation on the left, user and theme on top, the page in the middle. */
export function AppShell({ children }: { children: ReactNode }) {
  const { user, isAdmin, signOut } = useCurrentUser();
  const [signingOut, setSigningOut] = useState(false);
  // A section's own link is not highlighted while one of its sub-pages is (Alerts vs Alerts › Silences).
  const { pathname } = useLocation();

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
                <Fragment key={s.path}>
                  <NavLink
                    to={s.path}
                    end={s.path === '/'}
                    className={({ isActive }) =>
                      `nav-link ${isActive && !s.children?.some((c) => inSection(pathname, c.path)) ? 'nav-link-active' : ''}`
                    }
                  >
                    {s.label}
                  </NavLink>
                  {s.children?.map((c) => (
                    <NavLink
                      key={c.path}
                      to={c.path}
                      className={({ isActive }) => `nav-link nav-sublink ${isActive ? 'nav-link-active' : ''}`}
                    >
                      {c.label}
                    </NavLink>
                  ))}
                </Fragment>
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
