import type { Actor } from '../../platform/audit/audit.model.js';
import type { Executor } from '../../platform/db/database.js';
import { NotFoundError } from '../../platform/errors.js';
import type { Page, PageQuery } from '../../platform/http/pagination.js';
import { parseOrThrow } from '../../platform/http/validation.js';
import { newId } from '../../platform/ids.js';
import { incidentOrThrow, type PostmortemDeps, timelineActor } from './postmortem.deps.js';
import { utcDay } from './postmortem.format.js';
import {
  type ActionItem,
  type ActionItemFilter,
  type ActionItemStatus,
  type CreateActionItem,
  CreateActionItemSchema,
  type UpdateActionItem,
  UpdateActionItemSchema,
} from './postmortem.model.js';
import { type ActionItemRow, actionItemStore, toActionItem } from './postmortem.store.js';

const EDITABLE = ['title', 'description', 'owner', 'dueDate', 'status', 'priority'] as const;
const COLUMN = {
  title: 'title',
  description: 'description',
  owner: 'owner',
  dueDate: 'due_date',
  status: 'status',
  priority: 'priority',
} as const;

const STATUS_LABEL: Readonly<Record<ActionItemStatus, string>> = {
  open: 'open',
  in_progress: 'in progress',
  done: 'done',
  wont_do: "won't do",
};

/**
 * Action items of incidents: follow-up work with an owner and a due date. Every change is written
 * with its timeline entry on the incident and its audit entry, in one transaction.
 */
export class ActionItems {
  constructor(private readonly deps: PostmortemDeps) {}

  private today(): string {
    return utcDay(this.deps.clock.now());
  }

  async list(filter: ActionItemFilter & { incident?: string | undefined }, page: PageQuery): Promise<Page<ActionItem>> {
    const exec = this.deps.database.db;
    const { incident: ref, ...rest } = filter;
    let incidentId = rest.incidentId;
    if (ref !== undefined) {
      // An unknown incident filters everything out rather than failing the list.
      incidentId = (await this.deps.incidents.get(exec, ref))?.id ?? ref;
    }
    return this.page(exec, { ...rest, incidentId }, page);
  }

  async ofIncident(incidentRef: string, filter: ActionItemFilter, page: PageQuery): Promise<Page<ActionItem>> {
    const exec = this.deps.database.db;
    const incident = await incidentOrThrow(this.deps.incidents, exec, incidentRef);
    return this.page(exec, { ...filter, incidentId: incident.id }, page);
  }

  private async page(exec: Executor, filter: ActionItemFilter, page: PageQuery): Promise<Page<ActionItem>> {
    const today = this.today();
    const rows = await actionItemStore.list(exec, filter, page, today);
    return { ...rows, items: rows.items.map((r) => toActionItem(r, today)) };
  }

  async get(id: string): Promise<ActionItem> {
    const row = await actionItemStore.get(this.deps.database.db, id);
    if (!row) throw missing(id);
    return toActionItem(row, this.today());
  }

  async create(actor: Actor, incidentRef: string, input: CreateActionItem): Promise<ActionItem> {
    const body = parseOrThrow(CreateActionItemSchema, input, 'body');
    return this.deps.database.transaction(async (trx) => {
      const incident = await incidentOrThrow(this.deps.incidents, trx, incidentRef);
      const now = this.deps.clock.now();
      const row: ActionItemRow = {
        id: newId(now),
        incident_id: incident.id,
        title: body.title,
        description: body.description,
        owner: body.owner ?? null,
        due_date: body.dueDate ?? null,
        status: body.status,
        priority: body.priority ?? null,
        created_at: now,
        created_by: actor.name,
        updated_at: now,
        done_at: body.status === 'done' ? now : null,
      };
      await actionItemStore.insert(trx, row);
      const item = toActionItem(row, utcDay(now));
      await this.log(trx, actor, incident.id, `Action item added: ${item.title}`, item, 'create', undefined, item);
      return item;
    });
  }

  async update(actor: Actor, id: string, input: UpdateActionItem): Promise<ActionItem> {
    const body = parseOrThrow(UpdateActionItemSchema, input, 'body');
    return this.deps.database.transaction(async (trx) => {
      const row = await actionItemStore.get(trx, id);
      if (!row) throw missing(id);
      const now = this.deps.clock.now();
      const before = toActionItem(row, utcDay(now));
      const set: Partial<ActionItemRow> = {};
      const changed: string[] = [];
      for (const key of EDITABLE) {
        const value = body[key];
        if (value === undefined || value === before[key]) continue;
        changed.push(key);
        (set as Record<string, unknown>)[COLUMN[key]] = value;
      }
      if (!changed.length) return before;
      if (body.status !== undefined && body.status !== before.status) {
        // Done stamps the time it was finished; any other status (reopening included) clears it.
        set.done_at = body.status === 'done' ? now : null;
      }
      set.updated_at = now;
      await actionItemStore.update(trx, id, set);
      const after = toActionItem({ ...row, ...set }, utcDay(now));
      const what = changed.includes('status')
        ? `${after.title} is now ${STATUS_LABEL[after.status]}`
        : `${after.title} (${changed.join(', ')} changed)`;
      await this.log(trx, actor, row.incident_id, `Action item updated: ${what}`, after, 'update', before, after);
      return after;
    });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.deps.database.transaction(async (trx) => {
      const row = await actionItemStore.get(trx, id);
      if (!row) throw missing(id);
      const before = toActionItem(row, utcDay(this.deps.clock.now()));
      await actionItemStore.delete(trx, id);
      await this.log(trx, actor, row.incident_id, `Action item removed: ${before.title}`, before, 'delete', before);
    });
  }

  private async log(
    trx: Executor,
    actor: Actor,
    incidentId: string,
    message: string,
    item: ActionItem,
    verb: 'create' | 'update' | 'delete',
    before?: ActionItem,
    after?: ActionItem,
  ): Promise<void> {
    await this.deps.incidents.record(trx, incidentId, {
      type: 'postmortem.updated',
      actor: timelineActor(actor),
      message,
      details: { actionItemId: item.id, status: item.status, owner: item.owner, dueDate: item.dueDate },
    });
    await this.deps.audit.record(trx, actor, {
      action: `incidents.action_item.${verb}`,
      resourceType: 'ActionItem',
      resourceId: item.id,
      resourceName: item.title.slice(0, 200),
      before: before ?? null,
      after: after ?? null,
    });
  }
}

function missing(id: string): NotFoundError {
  return new NotFoundError(`no action item ${id}`);
}
