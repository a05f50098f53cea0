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
  /** `lock` (PostgreSQL only, inside a transaction) holds the row until the transaction ends. */
  async get(exec: Executor, id: string, lock = false): Promise<NotificationRow | undefined> {
    return db(exec)
      .selectFrom('alert_notifications')
      .selectAll()
      .where('id', '=', id)
      .$if(lock, (q) => q.forUpdate())
      .executeTakeFirst();
  },
  /**
   * Appends a receipt; a final one counts the target as delivered or failed. A read-modify-write:
   * call it in a transaction with `lock` on PostgreSQL, or two targets finishing at once both count
   * from the same row and one count is lost (the notification stays pending forever).
   */
  async addReceipt(exec: Executor, id: string, r: Receipt, now: number, lock = false): Promise<void> {
    // Not the payload: only what the count needs.
    const row = await db(exec)
      .selectFrom('alert_notifications')
      .select(['receipts_json', 'delivered', 'failed', 'targets', 'status'])
      .where('id', '=', id)
      .$if(lock, (q) => q.forUpdate())
      .executeTakeFirst();
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
  /**
   * An earlier notification of the same group and receiver whose delivery to `target` has not
   * finished yet (no final receipt), if any: deliveries of one group go out in order.
   */
  async unfinishedBefore(
    exec: Executor,
    row: NotificationRow,
    target: string,
  ): Promise<{ id: string; retrying: boolean } | undefined> {
    const earlier = await db(exec)
      .selectFrom('alert_notifications')
      .select(['id', 'receipts_json'])
      .where('group_id', '=', row.group_id)
      .where('receiver', '=', row.receiver)
      .where('status', '=', 'pending')
      .where('id', '<', row.id)
      .orderBy('id', 'desc')
      .limit(20)
      .execute();
    for (const e of earlier) {
      const receipts = JSON.parse(e.receipts_json) as Receipt[];
      const mine = receipts.filter((r) => r.target === target);
      if (!mine.some((r) => r.final)) return { id: e.id, retrying: mine.length > 0 };
    }
    return undefined;
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
