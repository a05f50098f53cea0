import { type ReactNode, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  Badge,
  Button,
  type Column,
  ConfirmDialog,
  DataTable,
  Dialog,
  EmptyState,
  ErrorAlert,
  type FetchPage,
  Form,
  Select,
  TextArea,
  TextField,
} from '../../ui';
import { ITEM_STATUS_LABEL } from './incident-format';
import {
  ACTION_ITEM_STATUSES,
  type ActionItem,
  type ActionItemInput,
  type ActionItemPriority,
  type ActionItemStatus,
  actionItemsApi,
} from './incidents-api';

const STATUS_OPTIONS = ACTION_ITEM_STATUSES.map((s) => ({ value: s, label: ITEM_STATUS_LABEL[s] }));
const PRIORITY_OPTIONS = [
  { value: '', label: 'None' },
  { value: 'high', label: 'High' },
  { value: 'medium', label: 'Medium' },
  { value: 'low', label: 'Low' },
];

/** Add or edit an action item: title, owner, due date, priority, status. */
export function ActionItemDialog({
  item,
  incidentId,
  onClose,
  onSaved,
}: {
  item: ActionItem | null;
  incidentId: string;
  onClose(): void;
  onSaved(): void;
}) {
  const [title, setTitle] = useState(item?.title ?? '');
  const [description, setDescription] = useState(item?.description ?? '');
  const [owner, setOwner] = useState(item?.owner ?? '');
  const [dueDate, setDueDate] = useState(item?.dueDate ?? '');
  const [priority, setPriority] = useState<string>(item?.priority ?? '');
  const [status, setStatus] = useState<ActionItemStatus>(item?.status ?? 'open');

  async function submit() {
    const body: ActionItemInput = {
      title: title.trim(),
      description,
      owner: owner.trim() || null,
      dueDate: dueDate || null,
      priority: (priority || null) as ActionItemPriority | null,
      status,
    };
    if (item) await actionItemsApi.update(item.id, body);
    else await actionItemsApi.create(incidentId, { ...body, title: body.title ?? '' });
    onSaved();
    onClose();
  }

  return (
    <Dialog
      open
      title={item ? 'Edit action item' : 'New action item'}
      onClose={onClose}
      wide
      testId="action-item-dialog"
    >
      <Form onSubmit={submit} submitLabel={item ? 'Save' : 'Add action item'} onCancel={onClose}>
        <TextField
          name="title"
          label="Title"
          value={title}
          onChange={setTitle}
          placeholder="Alert on connection pool saturation"
          autoFocus
          testId="ai-title"
        />
        <div className="form-grid">
          <TextField
            name="owner"
            label="Owner"
            optional
            type="email"
            value={owner}
            onChange={setOwner}
            placeholder="name@example.com"
            testId="ai-owner"
          />
          <TextField
            name="dueDate"
            label="Due"
            optional
            type="date"
            value={dueDate}
            onChange={setDueDate}
            testId="ai-due"
          />
        </div>
        <div className="form-grid">
          <Select name="priority" label="Priority" value={priority} onChange={setPriority} options={PRIORITY_OPTIONS} />
          <Select
            name="status"
            label="Status"
            value={status}
            onChange={(v) => setStatus(v as ActionItemStatus)}
            options={STATUS_OPTIONS}
            testId="ai-status"
          />
        </div>
        <TextArea name="description" label="Description" optional value={description} onChange={setDescription} />
      </Form>
    </Dialog>
  );
}

function StatusCell({ item, canWrite, onChanged }: { item: ActionItem; canWrite: boolean; onChanged(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!canWrite)
    return <Badge tone={item.status === 'done' ? 'success' : 'neutral'}>{ITEM_STATUS_LABEL[item.status]}</Badge>;
  return (
    <>
      <select
        className="field-input ai-status-select"
        aria-label={`Status of ${item.title}`}
        value={item.status}
        disabled={busy}
        data-testid="ai-status-inline"
        onChange={async (e) => {
          setBusy(true);
          setError(null);
          try {
            await actionItemsApi.update(item.id, { status: e.target.value as ActionItemStatus });
            onChanged();
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        {STATUS_OPTIONS.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {error ? <ErrorAlert error={error} onDismiss={() => setError(null)} /> : null}
    </>
  );
}

export interface ActionItemsTableProps {
  fetchPage: FetchPage<ActionItem>;
  canWrite: boolean;
  /** Shows which incident each item belongs to (the list across incidents). */
  showIncident?: boolean | undefined;
  toolbar?: ReactNode;
  filtered?: boolean | undefined;
  empty: ReactNode;
  reloadKey: unknown;
  onChanged(): void;
  urlState?: boolean | undefined;
}

/** Action items, paged on the server, with their status changed in place and edited in a dialog. */
export function ActionItemsTable({
  fetchPage,
  canWrite,
  showIncident,
  toolbar,
  filtered,
  empty,
  reloadKey,
  onChanged,
  urlState,
}: ActionItemsTableProps) {
  const [editing, setEditing] = useState<ActionItem | null>(null);
  const [deleting, setDeleting] = useState<ActionItem | null>(null);
  const columns: Column<ActionItem>[] = [
    {
      key: 'title',
      header: 'Action item',
      sort: 'title',
      render: (a) => (
        <>
          <span className="cell-primary" data-testid="ai-row-title">
            {a.title}
          </span>
          {a.description ? <span className="cell-secondary ai-description">{a.description}</span> : null}
        </>
      ),
    },
    ...(showIncident
      ? [
          {
            key: 'incident',
            header: 'Incident',
            render: (a: ActionItem) => (
              <Link className="nowrap" to={`/incidents/${encodeURIComponent(a.incidentId)}?tab=postmortem`}>
                View incident
              </Link>
            ),
          },
        ]
      : []),
    { key: 'owner', header: 'Owner', render: (a) => a.owner ?? <span className="muted">nobody</span> },
    {
      key: 'due',
      header: 'Due',
      sort: 'dueDate',
      render: (a) => (
        <span className="nowrap">
          {a.dueDate ?? <span className="muted">—</span>} {a.overdue ? <Badge tone="danger">overdue</Badge> : null}
        </span>
      ),
    },
    {
      key: 'priority',
      header: 'Priority',
      render: (a) =>
        a.priority ? (
          <Badge tone={a.priority === 'high' ? 'warning' : 'neutral'}>{a.priority}</Badge>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      key: 'status',
      header: 'Status',
      render: (a) => <StatusCell item={a} canWrite={canWrite} onChanged={onChanged} />,
    },
    ...(canWrite
      ? [
          {
            key: 'actions',
            header: <span className="visually-hidden">Actions</span>,
            align: 'right' as const,
            render: (a: ActionItem) => (
              <div className="cell-actions">
                <Button size="sm" variant="ghost" onClick={() => setEditing(a)} aria-label={`Edit ${a.title}`}>
                  Edit
                </Button>
                <Button size="sm" variant="ghost" onClick={() => setDeleting(a)} aria-label={`Delete ${a.title}`}>
                  Delete
                </Button>
              </div>
            ),
          },
        ]
      : []),
  ];
  return (
    <>
      <DataTable
        label="Action items"
        columns={columns}
        fetchPage={fetchPage}
        rowKey={(a) => a.id}
        search={{ label: 'Search', placeholder: 'Title contains…' }}
        toolbar={toolbar}
        filtered={filtered}
        reloadKey={reloadKey}
        empty={empty ?? <EmptyState title="No action items" />}
        urlState={urlState}
        testId="action-items-table"
      />
      {editing ? (
        <ActionItemDialog
          item={editing}
          incidentId={editing.incidentId}
          onClose={() => setEditing(null)}
          onSaved={onChanged}
        />
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this action item?"
        confirmLabel="Delete"
        danger
        onConfirm={async () => {
          if (deleting) await actionItemsApi.remove(deleting.id);
          onChanged();
        }}
        onClose={() => setDeleting(null)}
      >
        <p>
          <strong>{deleting?.title}</strong> is removed from the incident. To keep a record, set it to <em>Won't do</em>{' '}
          instead.
        </p>
      </ConfirmDialog>
    </>
  );
}
