import type { Kysely } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { AlertRow, AlertsTables, GroupRow } from './alert.tables.js';
import type { RouteNode } from './routing.js';

const CHUNK = 400;

function db(exec: Executor): Kysely<AlertsTables> {
  return exec as unknown as Kysely<AlertsTables>;
}

/** The route node at `path` ('root.0.1') in the current tree, if the tree still has it. */
export function findRoute(root: RouteNode | undefined, path: string): RouteNode | undefined {
  if (!root) return undefined;
  if (root.path === path) return root;
  for (const child of root.children) {
    if (path === child.path || path.startsWith(`${child.path}.`)) return findRoute(child, path);
  }
  return undefined;
}

/** Alert groups (Alertmanager's aggregation groups) and their members. */
export const groupStore = {
  async byKeys(exec: Executor, keys: readonly string[]): Promise<Map<string, GroupRow>> {
    const out = new Map<string, GroupRow>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const rows = await db(exec)
        .selectFrom('alert_groups')
        .selectAll()
        .where('group_key', 'in', keys.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) out.set(r.group_key, r);
    }
    return out;
  },

  /** `lock` (PostgreSQL only) holds the row until the transaction ends; see `lock` below. */
  async get(exec: Executor, id: string, lock = false): Promise<GroupRow | undefined> {
    return db(exec)
      .selectFrom('alert_groups')
      .selectAll()
      .where('id', '=', id)
      .$if(lock, (q) => q.forUpdate())
      .executeTakeFirst();
  },

  /**
   * Locks (FOR UPDATE, in id order; PostgreSQL only) the groups with these keys, holding these
   * alerts, or held, until the transaction ends. An intake batch takes them before it changes any
   * alert and a flush takes its group first, so the two run one after the other. Without it a batch
   * could see a flush already pending (next_flush_at), schedule none, and commit after that flush
   * had read the members: the change (a new alert, a resolution) would never be notified. SQLite
   * runs one writing transaction at a time and needs none of this.
   */
  async lock(
    exec: Executor,
    keys: readonly string[],
    alertIds: readonly string[],
    opts: { held?: boolean } = {},
  ): Promise<void> {
    const uniqueKeys = [...new Set(keys)];
    for (let i = 0; i < uniqueKeys.length; i += CHUNK) {
      await db(exec)
        .selectFrom('alert_groups')
        .select('id')
        .where('group_key', 'in', uniqueKeys.slice(i, i + CHUNK))
        .orderBy('id')
        .forUpdate()
        .execute();
    }
    for (let i = 0; i < alertIds.length; i += CHUNK) {
      await db(exec)
        .selectFrom('alert_groups')
        .select('id')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('alert_group_members')
            .select('group_id')
            .where('alert_id', 'in', alertIds.slice(i, i + CHUNK)),
        )
        .orderBy('id')
        .forUpdate()
        .execute();
    }
    if (opts.held)
      await db(exec).selectFrom('alert_groups').select('id').where('held', '=', 1).orderBy('id').forUpdate().execute();
  },

  async insert(exec: Executor, g: GroupRow): Promise<void> {
    await db(exec).insertInto('alert_groups').values(g).execute();
  },

  async addMembers(exec: Executor, rows: Array<{ group_id: string; alert_id: string }>): Promise<void> {
    for (let i = 0; i < rows.length; i += 300) {
      await db(exec)
        .insertInto('alert_group_members')
        .values(rows.slice(i, i + 300))
        .onConflict((oc) => oc.columns(['group_id', 'alert_id']).doNothing())
        .execute();
    }
  },

  async removeMembers(exec: Executor, groupId: string, alertIds: readonly string[]): Promise<void> {
    for (let i = 0; i < alertIds.length; i += CHUNK) {
      await db(exec)
        .deleteFrom('alert_group_members')
        .where('group_id', '=', groupId)
        .where('alert_id', 'in', alertIds.slice(i, i + CHUNK))
        .execute();
    }
  },

  async ofAlerts(exec: Executor, alertIds: readonly string[]): Promise<GroupRow[]> {
    const out = new Map<string, GroupRow>();
    for (let i = 0; i < alertIds.length; i += CHUNK) {
      const rows = await db(exec)
        .selectFrom('alert_groups')
        .selectAll()
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('alert_group_members')
            .select('group_id')
            .where('alert_id', 'in', alertIds.slice(i, i + CHUNK)),
        )
        .execute();
      for (const r of rows) out.set(r.id, r);
    }
    return [...out.values()];
  },

  async members(exec: Executor, groupId: string): Promise<AlertRow[]> {
    return db(exec)
      .selectFrom('alerts')
      .selectAll()
      .where('id', 'in', (eb) =>
        eb.selectFrom('alert_group_members').select('alert_id').where('group_id', '=', groupId),
      )
      .orderBy('starts_at')
      .orderBy('id')
      .execute();
  },

  async held(exec: Executor): Promise<GroupRow[]> {
    return db(exec).selectFrom('alert_groups').selectAll().where('held', '=', 1).execute();
  },

  async setFlush(exec: Executor, id: string, at: number | null, key: string | null, now: number): Promise<void> {
    await db(exec)
      .updateTable('alert_groups')
      .set({ next_flush_at: at, flush_key: key, updated_at: now })
      .where('id', '=', id)
      .execute();
  },

  async update(exec: Executor, id: string, patch: Partial<GroupRow>): Promise<void> {
    await db(exec).updateTable('alert_groups').set(patch).where('id', '=', id).execute();
  },

  async delete(exec: Executor, id: string): Promise<void> {
    await db(exec).deleteFrom('alert_groups').where('id', '=', id).execute();
  },
};
