import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { containsText } from '../../platform/db/text-match.js';
import { InputError } from '../../platform/errors.js';
import type { Page, PageQuery } from '../../platform/http/pagination.js';
import {
  type ActionItem,
  type ActionItemFilter,
  type ActionItemPriority,
  type ActionItemStatus,
  CLOSED_STATUSES,
  type Postmortem,
  type PostmortemDocument,
  type PostmortemStatus,
} from './postmortem.model.js';

export interface PostmortemRow {
  incident_id: string;
  status: string;
  version: number;
  doc_json: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
  published_at: number | null;
}

export interface ActionItemRow {
  id: string;
  incident_id: string;
  title: string;
  description: string;
  owner: string | null;
  due_date: string | null;
  status: string;
  priority: string | null;
  created_at: number;
  created_by: string;
  updated_at: number;
  done_at: number | null;
}

export interface PostmortemTables {
  incident_postmortems: PostmortemRow;
  incident_action_items: ActionItemRow;
}

const db = (exec: Executor) => exec as Kysely<PostmortemTables>;
const iso = (ms: number) => new Date(Number(ms)).toISOString();
const OPEN_STATUSES = ['open', 'in_progress'] as const;

export function toPostmortem(row: PostmortemRow): Postmortem {
  return {
    incidentId: row.incident_id,
    status: row.status as PostmortemStatus,
    version: Number(row.version),
    document: JSON.parse(row.doc_json) as PostmortemDocument,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    updatedBy: row.updated_by,
    publishedAt: row.published_at === null ? null : iso(row.published_at),
  };
}

/** `today` is the UTC calendar day (`YYYY-MM-DD`) the overdue flag is computed against. */
export function toActionItem(row: ActionItemRow, today: string): ActionItem {
  const status = row.status as ActionItemStatus;
  return {
    id: row.id,
    incidentId: row.incident_id,
    title: row.title,
    description: row.description,
    owner: row.owner,
    dueDate: row.due_date,
    status,
    priority: (row.priority as ActionItemPriority | null) ?? null,
    overdue: row.due_date !== null && row.due_date < today && !CLOSED_STATUSES.includes(status),
    createdAt: iso(row.created_at),
    createdBy: row.created_by,
    updatedAt: iso(row.updated_at),
    doneAt: row.done_at === null ? null : iso(row.done_at),
  };
}

/** Sortable fields of the action item list. `dueDate` puts items without a due date last on both engines. */
const ITEM_SORTS: Readonly<Record<string, keyof ActionItemRow>> = {
  dueDate: 'due_date',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  title: 'title',
};

type ItemQuery = SelectQueryBuilder<PostmortemTables, 'incident_action_items', object>;

function applyFilter(q: ItemQuery, filter: ActionItemFilter, today: string): ItemQuery {
  let out = q;
  if (filter.status?.length) out = out.where('status', 'in', filter.status);
  if (filter.owner !== undefined) out = out.where('owner', '=', filter.owner.toLowerCase());
  if (filter.incidentId) out = out.where('incident_id', '=', filter.incidentId);
  if (filter.q) out = out.where(containsText('title', filter.q, { caseInsensitive: true }));
  if (filter.overdue === true) {
    out = out.where('status', 'in', [...OPEN_STATUSES]).where('due_date', '<', today);
  } else if (filter.overdue === false) {
    out = out.where((eb) =>
      eb.or([eb('status', 'not in', [...OPEN_STATUSES]), eb('due_date', 'is', null), eb('due_date', '>=', today)]),
    );
  }
  return out;
}

export const postmortemStore = {
  async get(exec: Executor, incidentId: string): Promise<PostmortemRow | undefined> {
    return db(exec)
      .selectFrom('incident_postmortems')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .executeTakeFirst();
  },

  async insert(exec: Executor, row: PostmortemRow): Promise<void> {
    await db(exec).insertInto('incident_postmortems').values(row).execute();
  },

  /**
   * Compare-and-set on `version`: writes only when the stored version is still `expectedVersion`.
   * Returns false when someone else changed it in between.
   */
  async update(
    exec: Executor,
    incidentId: string,
    expectedVersion: number,
    set: Pick<PostmortemRow, 'status' | 'doc_json' | 'updated_at' | 'updated_by' | 'published_at'>,
  ): Promise<boolean> {
    const r = await db(exec)
      .updateTable('incident_postmortems')
      .set({ ...set, version: expectedVersion + 1 })
      .where('incident_id', '=', incidentId)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
};

export const actionItemStore = {
  async get(exec: Executor, id: string): Promise<ActionItemRow | undefined> {
    return db(exec).selectFrom('incident_action_items').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async insert(exec: Executor, row: ActionItemRow): Promise<void> {
    await db(exec).insertInto('incident_action_items').values(row).execute();
  },

  async update(exec: Executor, id: string, set: Partial<Omit<ActionItemRow, 'id' | 'incident_id'>>): Promise<void> {
    await db(exec).updateTable('incident_action_items').set(set).where('id', '=', id).execute();
  },

  async delete(exec: Executor, id: string): Promise<void> {
    await db(exec).deleteFrom('incident_action_items').where('id', '=', id).execute();
  },

  /** Every item of one incident, due date first, for the postmortem document (bounded). */
  async ofIncident(exec: Executor, incidentId: string, limit = 1_000): Promise<ActionItemRow[]> {
    return db(exec)
      .selectFrom('incident_action_items')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .orderBy(sql`case when due_date is null then 1 else 0 end`)
      .orderBy('due_date')
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  /**
   * One page of items across incidents. The default order is due date (items without one last),
   * then creation; the id breaks ties so pages are stable.
   */
  async list(
    exec: Executor,
    filter: ActionItemFilter,
    page: Pick<PageQuery, 'limit' | 'offset' | 'sort'>,
    today: string,
  ): Promise<Page<ActionItemRow>> {
    const sort = page.sort ?? 'dueDate';
    const desc = sort.startsWith('-');
    const key = desc ? sort.slice(1) : sort;
    const column = ITEM_SORTS[key];
    if (!column) {
      const allowed = Object.keys(ITEM_SORTS).join(', ');
      throw new InputError(`cannot sort by ${key}`, {
        fields: [{ path: 'sort', message: `must be one of ${allowed}` }],
        hint: `sortable fields: ${allowed}`,
      });
    }
    const dir = desc ? 'desc' : 'asc';
    const q = applyFilter(db(exec).selectFrom('incident_action_items'), filter, today);
    const countRow = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    let rows = q.selectAll();
    if (column === 'due_date') rows = rows.orderBy(sql`case when due_date is null then 1 else 0 end`);
    rows = rows.orderBy(column, dir);
    if (column === 'due_date') rows = rows.orderBy('created_at', dir);
    const items = await rows.orderBy('id', dir).limit(page.limit).offset(page.offset).execute();
    return {
      items,
      total: Number((countRow as { n?: unknown } | undefined)?.n ?? 0),
      limit: page.limit,
      offset: page.offset,
    };
  },
};
