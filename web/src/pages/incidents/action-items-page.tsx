import { useCallback, useState } from 'react';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import { Checkbox, EmptyState, type FetchPage, Page, Select, useUrlState } from '../../ui';
import { ActionItemsTable } from './action-items';
import { type ActionItem, type ActionItemStatus, actionItemsApi } from './incidents-api';
import './incidents.css';

const STATUS_FILTERS: Record<string, { label: string; statuses: ActionItemStatus[] | undefined }> = {
  open: { label: 'Open or in progress', statuses: ['open', 'in_progress'] },
  done: { label: 'Done', statuses: ['done'] },
  wont_do: { label: "Won't do", statuses: ['wont_do'] },
  all: { label: 'All', statuses: undefined },
};

/** Action items across every incident: yours, the overdue ones, by status. */
export function ActionItemsPage() {
  const { user } = useCurrentUser();
  const [statusParam, setStatus] = useUrlState('status', 'open');
  const status = STATUS_FILTERS[statusParam] ? statusParam : 'open';
  const [mineParam, setMine] = useUrlState('mine');
  const [overdueParam, setOverdue] = useUrlState('overdue');
  const mine = mineParam === 'true';
  const overdue = overdueParam === 'true';
  const [reloadKey, setReloadKey] = useState(0);

  const fetchPage = useCallback<FetchPage<ActionItem>>(
    (q, signal) =>
      actionItemsApi.list(
        {
          ...q,
          status: STATUS_FILTERS[status]?.statuses,
          owner: mine ? 'me' : undefined,
          overdue: overdue ? true : undefined,
        },
        signal,
      ),
    [status, mine, overdue],
  );

  return (
    <Page
      title="Action items"
      breadcrumbs={[{ label: 'Incidents', to: '/incidents' }]}
      description="The follow-ups from every postmortem: who owns them, when they are due, and which are late."
      testId="action-items-page"
    >
      <ActionItemsTable
        fetchPage={fetchPage}
        canWrite={roleAtLeast(user.role, 'responder')}
        showIncident
        filtered={status !== 'open' || mine || overdue}
        reloadKey={reloadKey}
        onChanged={() => setReloadKey((n) => n + 1)}
        urlState
        toolbar={
          <>
            <div className="toolbar-status">
              <Select
                name="status"
                label="Status"
                value={status}
                onChange={setStatus}
                options={Object.entries(STATUS_FILTERS).map(([value, f]) => ({ value, label: f.label }))}
                testId="ai-filter-status"
              />
            </div>
            <div className="toolbar-checks">
              <Checkbox
                name="mine"
                label="Mine only"
                checked={mine}
                onChange={(v) => setMine(v ? 'true' : '')}
                testId="ai-filter-mine"
              />
              <Checkbox
                name="overdue"
                label="Overdue only"
                checked={overdue}
                onChange={(v) => setOverdue(v ? 'true' : '')}
                testId="ai-filter-overdue"
              />
            </div>
          </>
        }
        empty={
          <EmptyState title="No action items" icon="✓">
            Action items are added to an incident's postmortem. They show here across incidents, with their owners and
            due dates.
          </EmptyState>
        }
      />
    </Page>
  );
}
