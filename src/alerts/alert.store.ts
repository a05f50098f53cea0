import type { Kysely } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import { monotonicId } from '../platform/ids.js';
import type { AlertHistoryType } from './alert.model.js';
import type { AlertRow, AlertsTables } from './alert.tables.js';

const CHUNK = 400;

function db(exec: Executor): Kysely<AlertsTables> {
  return exec as unknown as Kysely<AlertsTables>;
}

export interface HistoryInput {
  alertId: string;
  at: number;
  type: AlertHistoryType;
  message: string;
  details?: Record<string, unknown> | undefined;
}

/** Persistence of alerts, their labels and history. Multi-row statements in bounded chunks. */
export const alertStore = {
  async openByFingerprint(exec: Executor, fingerprints: readonly string[]): Promise<Map<string, AlertRow>> {
    const out = new Map<string, AlertRow>();
    for (let i = 0; i < fingerprints.length; i += CHUNK) {
      const rows = await db(exec)
        .selectFrom('alerts')
        .selectAll()
        .where('active_key', 'in', fingerprints.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) out.set(r.fingerprint, r);
    }
    return out;
  },

  async get(exec: Executor, id: string): Promise<AlertRow | undefined> {
    return db(exec).selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async insert(exec: Executor, rows: AlertRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 50) {
      const chunk = rows.slice(i, i + 50);
      await db(exec).insertInto('alerts').values(chunk).execute();
      const labels = chunk.flatMap((r) =>
        Object.entries(JSON.parse(r.labels_json) as Record<string, string>).map(([name, value]) => ({
          alert_id: r.id,
          name,
          value,
          active: r.active_key === null ? 0 : 1,
        })),
      );
      for (let j = 0; j < labels.length; j += 300)
        await db(exec)
          .insertInto('alert_labels')
          .values(labels.slice(j, j + 300))
          .execute();
    }
  },

  /** The labels of alerts that resolved stop counting as open (see alert_labels.active). */
  async markResolved(exec: Executor, alertIds: readonly string[]): Promise<void> {
    for (let i = 0; i < alertIds.length; i += 500)
      await db(exec)
        .updateTable('alert_labels')
        .set({ active: 0 })
        .where('alert_id', 'in', alertIds.slice(i, i + 500))
        .where('active', '=', 1)
        .execute();
  },

  async setWhy(exec: Executor, rows: Array<{ id: string; why: string }>, now: number): Promise<void> {
    for (const r of rows)
      await db(exec).updateTable('alerts').set({ why_json: r.why, updated_at: now }).where('id', '=', r.id).execute();
  },

  async addHistory(exec: Executor, entries: readonly HistoryInput[]): Promise<void> {
    for (let i = 0; i < entries.length; i += 100) {
      await db(exec)
        .insertInto('alert_history')
        .values(
          entries.slice(i, i + 100).map((e) => ({
            id: monotonicId(e.at),
            alert_id: e.alertId,
            at: e.at,
            type: e.type,
            message: e.message.slice(0, 2000),
            details_json: e.details ? JSON.stringify(e.details) : null,
          })),
        )
        .execute();
    }
  },

  /** Open alerts whose Alertmanager-style endsAt passed without a refresh. */
  async expired(exec: Executor, now: number, limit: number): Promise<AlertRow[]> {
    return db(exec)
      .selectFrom('alerts')
      .selectAll()
      .where('active_key', 'is not', null)
      .where('expires_at', '<=', now)
      .limit(limit)
      .execute();
  },

  /** Firing alerts having label `name` = `value` (the inhibition and dependency lookups). */
  async firingWithLabel(exec: Executor, name: string, value: string, limit = 10_000): Promise<AlertRow[]> {
    return db(exec)
      .selectFrom('alerts')
      .innerJoin('alert_labels', 'alert_labels.alert_id', 'alerts.id')
      .selectAll('alerts')
      .where('alert_labels.name', '=', name)
      .where('alert_labels.value', '=', value)
      .where('alerts.active_key', 'is not', null)
      .limit(limit)
      .execute();
  },

  /**
   * Deletes resolved alerts that ended before `before` (their labels, history and memberships go with
   * them), and notifications and change events older than it, in bounded batches. Returns rows deleted.
   */
  async purge(exec: Executor, before: number, batch = 1000): Promise<number> {
    const old = await db(exec)
      .selectFrom('alerts')
      .select('id')
      .where('active_key', 'is', null)
      .where('ends_at', '<', before)
      .limit(batch)
      .execute();
    const ids = old.map((r) => r.id);
    let n = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      // Children first: SQLite enforces the foreign keys, and PostgreSQL would cascade anyway.
      await db(exec).deleteFrom('alert_history').where('alert_id', 'in', chunk).execute();
      await db(exec).deleteFrom('alert_labels').where('alert_id', 'in', chunk).execute();
      await db(exec).deleteFrom('alert_group_members').where('alert_id', 'in', chunk).execute();
      const r = await db(exec).deleteFrom('alerts').where('id', 'in', chunk).executeTakeFirst();
      n += Number(r.numDeletedRows);
    }
    const notes = await db(exec)
      .deleteFrom('alert_notifications')
      .where('id', 'in', (eb) =>
        eb.selectFrom('alert_notifications').select('id').where('at', '<', before).limit(batch),
      )
      .executeTakeFirst();
    const changes = await db(exec)
      .deleteFrom('alert_changes')
      .where('id', 'in', (eb) => eb.selectFrom('alert_changes').select('id').where('at', '<', before).limit(batch))
      .executeTakeFirst();
    return n + Number(notes.numDeletedRows) + Number(changes.numDeletedRows);
  },

  async firing(exec: Executor, limit = 100_000): Promise<AlertRow[]> {
    return db(exec).selectFrom('alerts').selectAll().where('active_key', 'is not', null).limit(limit).execute();
  },
};
