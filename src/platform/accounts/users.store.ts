import type { Kysely } from 'kysely';
import type { Executor } from '../db/database.js';
import { containsText } from '../db/text-match.js';
import { type Page, type PageQuery, paginate } from '../http/pagination.js';
import type { User } from './accounts.model.js';
import { type AccountsTables, iso, isoOrNull, type UserRow } from './accounts.tables.js';
import type { Role } from './roles.js';

const SORTS = { email: 'email', name: 'name', createdAt: 'created_at', role: 'role' } as const;

const db = (exec: Executor) => exec as Kysely<AccountsTables>;

export interface UserFilter {
  q?: string | undefined;
  role?: Role | undefined;
}

/** Users and their team memberships. */
export const usersStore = {
  async insert(exec: Executor, row: UserRow): Promise<void> {
    await db(exec).insertInto('users').values(row).execute();
  },

  async update(exec: Executor, id: string, patch: Partial<Omit<UserRow, 'id' | 'created_at'>>): Promise<void> {
    await db(exec).updateTable('users').set(patch).where('id', '=', id).execute();
  },

  async delete(exec: Executor, id: string): Promise<void> {
    await db(exec).deleteFrom('users').where('id', '=', id).execute();
  },

  async byId(exec: Executor, id: string): Promise<UserRow | undefined> {
    return db(exec).selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async byEmail(exec: Executor, email: string): Promise<UserRow | undefined> {
    return db(exec).selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  },

  async count(exec: Executor): Promise<number> {
    const r = await db(exec)
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  },

  async countAdmins(exec: Executor): Promise<number> {
    const r = await db(exec)
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('role', '=', 'admin')
      .where('disabled', '=', 0)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  },

  async all(exec: Executor): Promise<UserRow[]> {
    return db(exec).selectFrom('users').selectAll().orderBy('email').execute();
  },

  async list(exec: Executor, filter: UserFilter, page: PageQuery): Promise<Page<UserRow>> {
    let q = db(exec).selectFrom('users');
    if (filter.role) q = q.where('role', '=', filter.role);
    if (filter.q) {
      const text = filter.q;
      q = q.where((eb) =>
        eb.or([
          containsText('email', text, { caseInsensitive: true }),
          containsText('name', text, { caseInsensitive: true }),
        ]),
      );
    }
    return paginate(q, page, SORTS, 'email', (row: UserRow) => row);
  },

  /** Team memberships of the given users, keyed by user id. */
  async teamsOf(exec: Executor, userIds: string[]): Promise<Map<string, User['teams']>> {
    const out = new Map<string, User['teams']>();
    if (userIds.length === 0) return out;
    const rows = await db(exec)
      .selectFrom('team_members')
      .innerJoin('teams', 'teams.id', 'team_members.team_id')
      .select(['team_members.user_id', 'teams.id', 'teams.name', 'team_members.role'])
      .where('team_members.user_id', 'in', userIds)
      .orderBy('teams.name')
      .execute();
    for (const r of rows) {
      const list = out.get(r.user_id) ?? [];
      list.push({ id: r.id, name: r.name, role: r.role as Role });
      out.set(r.user_id, list);
    }
    return out;
  },

  toApi(row: UserRow, teams: User['teams'] = []): User {
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      timeZone: row.time_zone,
      role: (row.role as Role | null) ?? null,
      disabled: row.disabled === 1,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      lastLoginAt: isoOrNull(row.last_login_at),
      labels: JSON.parse(row.labels_json) as Record<string, string>,
      teams,
    };
  },

  /** API views of `rows`, with their teams loaded in one query. */
  async toApiMany(exec: Executor, rows: UserRow[]): Promise<User[]> {
    const teams = await usersStore.teamsOf(
      exec,
      rows.map((r) => r.id),
    );
    return rows.map((r) => usersStore.toApi(r, teams.get(r.id) ?? []));
  },
};
