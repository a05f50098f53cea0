import { Link } from 'react-router-dom';
import type { Section } from '../shell/sections';
import { Card, EmptyState, Page } from '../ui';

/** The page of a section that is not built yet: what it will hold, and no made-up data. */
export function PlannedPage({ section }: { section: Section }) {
  return (
    <Page title={section.label} testId={`planned-${section.path.slice(1) || 'overview'}`}>
      <Card>
        <EmptyState title={`${section.label} is not built yet`} icon="◌">
          <p>{section.description}</p>
          {section.milestone ? (
            <p className="muted">
              Planned for milestone {section.milestone}. Until then, manage accounts under{' '}
              <Link to="/settings/users">Settings</Link>; everything will also be reachable through the{' '}
              <a href="/api/v1/docs">REST API</a>.
            </p>
          ) : null}
        </EmptyState>
      </Card>
    </Page>
  );
}
