import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Executor } from '../platform/db/database.js';
import type { NotifyTables } from './notify.tables.js';

export type ContactRow = NotifyTables['notify_contact_methods'];
export type RuleRow = NotifyTables['notify_rules'];
export type DeliveryRow = NotifyTables['notify_deliveries'];

function db(exec: Executor): Kysely<NotifyTables> {
  return exec as unknown as Kysely<NotifyTables>;
}

export const contactStore = {
  async list(exec: Executor, userId: string): Promise<ContactRow[]> {
    return db(exec)
      .selectFrom('notify_contact_methods')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('name')
      .execute();
  },
  async find(exec: Executor, userId: string, nameOrId: string): Promise<ContactRow | undefined> {
    return db(exec)
      .selectFrom('notify_contact_methods')
      .selectAll()
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('name', '=', nameOrId), eb('id', '=', nameOrId)]))
      .executeTakeFirst();
  },
  async insert(exec: Executor, row: ContactRow): Promise<void> {
    await db(exec).insertInto('notify_contact_methods').values(row).execute();
  },
  async update(exec: Executor, id: string, patch: Partial<ContactRow>): Promise<void> {
    await db(exec).updateTable('notify_contact_methods').set(patch).where('id', '=', id).execute();
  },
  async delete(exec: Executor, id: string): Promise<void> {
    await db(exec).deleteFrom('notify_rules').where('contact_method_id', '=', id).execute();
    await db(exec).deleteFrom('notify_contact_methods').where('id', '=', id).execute();
  },
  async usingChannel(exec: Executor, channel: string): Promise<number> {
    const r = await db(exec)
      .selectFrom('notify_contact_methods')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('channel', '=', channel)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  },
  async rules(exec: Executor, userId: string): Promise<RuleRow[]> {
    return db(exec)
      .selectFrom('notify_rules')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('delay_minutes')
      .orderBy('created_at')
      .execute();
  },
  /**
   * Replaces a user's rules. On PostgreSQL two replacements at once would both delete nothing new
   * and both insert (doubling the rules), so the user's rules are serialized by a transaction lock.
   */
  async replaceRules(exec: Executor, userId: string, rows: RuleRow[], engine: string): Promise<void> {
    if (engine === 'postgres')
      await sql`select pg_advisory_xact_lock(hashtext(${`notify_rules:${userId}`}))`.execute(db(exec));
    await db(exec).deleteFrom('notify_rules').where('user_id', '=', userId).execute();
    if (rows.length) await db(exec).insertInto('notify_rules').values(rows).execute();
  },
};

export const deliveryStore = {
  async insert(exec: Executor, rows: DeliveryRow[]): Promise<void> {
    if (!rows.length) return;
    await db(exec)
      .insertInto('notify_deliveries')
      .values(rows)
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  },
  async get(exec: Executor, id: string): Promise<DeliveryRow | undefined> {
    return db(exec).selectFrom('notify_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  },
  async update(exec: Executor, id: string, patch: Partial<DeliveryRow>): Promise<void> {
    await db(exec).updateTable('notify_deliveries').set(patch).where('id', '=', id).execute();
  },
  /** Marks scheduled pages of an incident cancelled (it was acknowledged or resolved); returns them. */
  async cancelPending(exec: Executor, incidentId: string, now: number): Promise<DeliveryRow[]> {
    const rows = await db(exec)
      .selectFrom('notify_deliveries')
      .selectAll()
      .where('incident_id', '=', incidentId)
      // Pages go to people; a channel post (a team's room told of the trigger) still goes out.
      .where('user_id', 'is not', null)
      .where('status', 'in', ['scheduled', 'retrying'])
      .where('event', 'in', ['incident.triggered', 'incident.escalated', 'incident.reminder'])
      .execute();
    if (rows.length)
      await db(exec)
        .updateTable('notify_deliveries')
        .set({ status: 'cancelled', updated_at: now })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
    return rows;
  },
  query(
    exec: Executor,
    filter: { incidentId?: string | undefined; status?: string | undefined; userId?: string | undefined },
  ) {
    let q = db(exec).selectFrom('notify_deliveries');
    if (filter.incidentId) q = q.where('incident_id', '=', filter.incidentId);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.userId) q = q.where('user_id', '=', filter.userId);
    return q;
  },
};
