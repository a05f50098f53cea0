import { Link } from 'react-router-dom';
import { useCurrentUser } from '../auth/session';
import { PLANNED_SECTIONS } from '../shell/sections';
import { Card, EmptyState, Page } from '../ui';

/** The landing page. Until checks, alerts and incidents exist it says so and points at setup. */
export function OverviewPage() {
  const { user, isAdmin } = useCurrentUser();
  const overview = PLANNED_SECTIONS.find((s) => s.path === '/');
  return (
    <Page title="Overview" description={`Signed in as ${user.name || user.email}.`} testId="overview-page">
      <Card>
        <EmptyState title="Nothing to watch yet" icon="◌">
          <p>{overview?.description}</p>
          <p className="muted">
            This page fills in once checks, alerts, incidents and on-call schedules are available (milestone 1).
          </p>
        </EmptyState>
      </Card>
      <Card title="Set up your workspace">
        <ul className="checklist">
          {isAdmin ? (
            <li>
              <Link to="/settings/users">Invite users</Link> and give them a role.
            </li>
          ) : null}
          <li>
            <Link to="/settings/teams">Create teams</Link> so alerts and schedules have owners.
          </li>
          <li>
            <Link to="/settings/tokens">Create an API token</Link> for the <code>mainstay</code> CLI and scripts.
          </li>
          <li>
            Read the <a href="/api/v1/docs">API documentation</a>: everything in this UI is also in the REST API.
          </li>
        </ul>
      </Card>
    </Page>
  );
}
