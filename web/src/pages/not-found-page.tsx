import { Link } from 'react-router-dom';
import { Card, EmptyState, Page } from '../ui';

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <Card>
        <EmptyState title="There is no page at this address" icon="?">
          <p>
            Check the link, or go back to the <Link to="/">overview</Link>.
          </p>
        </EmptyState>
      </Card>
    </Page>
  );
}
