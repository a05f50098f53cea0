import type { Kysely } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { AlertsTables, NotificationRow } from './alert.tables.js';

function db(exec: Executor): Kysely<AlertsTables> {
  return exec as unknown as Kysely<AlertsTables>;
}

export interface Receipt {
  at: number;
  target: string;
  attempt: number;
  ok: boolean;
  skipped?: boolean;
  statusCode?: number | undefined;
  latencyMs: number;
  error?: string | undefined;
  final: boolean;
}

const MAX_RECEIPTS = 100;

/** Group notifications and their delivery receipts. */
export const notificationStore = {
  async insert(exec: Executor, row: NotificationRow): Promise<void> {
    await db(exec).insertInto('alert_notifications').values(row).execute();
  },
  async get(exec: Executor, id: string): Promise<NotificationRow | undefined> {
    return db(exec).selectFrom('alert_notifications').selectAll().where('id', '=', id).executeTakeFirst();
  },
  /** Appends a receipt; a final one counts the target as delivered or failed. */
  async addReceipt(exec: Executor, id: string, r: Receipt, now: number): Promise<void> {
    const row = await notificationStore.get(exec, id);
    if (!row) return;
    const receipts = (JSON.parse(row.receipts_json) as Receipt[]).concat(r).slice(-MAX_RECEIPTS);
    const delivered = Number(row.delivered) + (r.final && r.ok ? 1 : 0);
    const failed = Number(row.failed) + (r.final && !r.ok ? 1 : 0);
    const done = delivered + failed >= Number(row.targets);
    await db(exec)
      .updateTable('alert_notifications')
      .set({
        receipts_json: JSON.stringify(receipts),
        delivered,
        failed,
        status: done ? (failed ? (delivered ? 'partial' : 'failed') : 'delivered') : row.status,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  },
  async ofGroup(exec: Executor, groupId: string, limit: number): Promise<NotificationRow[]> {
    return db(exec)
      .selectFrom('alert_notifications')
      .selectAll()
      .where('group_id', '=', groupId)
      .orderBy('at', 'desc')
      .limit(limit)
      .execute();
  },
};
