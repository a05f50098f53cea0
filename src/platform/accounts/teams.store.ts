import type { Kysely } from 'kysely';
import type { Executor } from '../db/database.js';
import { containsText } from '../db/text-match.js';
import { type Page, type PageQuery, paginate } from '../http/pagination.js';
import type { Team, TeamMember } from './accounts.model.js';
import { type AccountsTables, iso, type TeamRow } from './accounts.tables.js';
import type { Role } from './roles.js';

const SORTS = { name: 'name', createdAt: 'created_at' } as const;
const MEMBER_SORTS = { email: 'users.email', name: 'users.name', role: 'team_members.role' } as const;

const db = (exec: Executor) => exec as Kysely<AccountsTables>;

/** Teams and their members (a member's role on the team). */
export const teamsStore = {
  async insert(exec: Executor, row: TeamRow): Promise<void> {
    await db(exec).insertInto('teams').values(row).execute();
  },
  async update(exec: Executor, id: string, patch: Partial<Omit<TeamRow, 'id' | 'created_at'>>): Promise<void> {
    await db(exec).updateTable('teams').set(patch).where('id', '=', id).execute();
  },
  async delete(exec: Executor, id: string): Promise<void> {
    await db(exec).deleteFrom('teams').where('id', '=', id).execute();
  },
  async byId(exec: Executor, id: string): Promise<TeamRow | undefined> {
    return db(exec).selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
  },
  async byName(exec: Executor, name: string): Promise<TeamRow | undefined> {
    return db(exec).selectFrom('teams').selectAll().where('name', '=', name).executeTakeFirst();
  },
  async all(exec: Executor): Promise<TeamRow[]> {
    return db(exec).selectFrom('teams').selectAll().orderBy('name').execute();
  },
  async list(exec: Executor, q: string | undefined, page: PageQuery): Promise<Page<TeamRow>> {
    let qb = db(exec).selectFrom('teams');
    if (q) {
      qb = qb.where((eb) =>
        eb.or([
          containsText('name', q, { caseInsensitive: true }),
          containsText('display_name', q, { caseInsensitive: true }),
        ]),
      );
    }
    return paginate(qb, page, SORTS, 'name', (r: TeamRow) => r);
  },
  async memberCounts(exec: Executor, teamIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (teamIds.length === 0) return out;
    const rows = await db(exec)
      .selectFrom('team_members')
      .select(['team_id', (eb) => eb.fn.countAll().as('n')])
      .where('team_id', 'in', teamIds)
      .groupBy('team_id')
      .execute();
    for (const r of rows) out.set(r.team_id, Number(r.n));
    return out;
  },
  async members(exec: Executor, teamId: string, page: PageQuery): Promise<Page<TeamMember>> {
    let qb = db(exec)
      .selectFrom('team_members')
      .innerJoin('users', 'users.id', 'team_members.user_id')
      .where('team_members.team_id', '=', teamId);
    if (page.q) {
      const q = page.q;
      qb = qb.where((eb) =>
        eb.or([
          containsText('users.email', q, { caseInsensitive: true }),
          containsText('users.name', q, { caseInsensitive: true }),
        ]),
      );
    }
    // paginate orders by id as a tie-breaker; users.id is unique within a team.
    const sort = page.sort ?? 'email';
    const desc = sort.startsWith('-');
    const col = MEMBER_SORTS[(desc ? sort.slice(1) : sort) as keyof typeof MEMBER_SORTS];
    const countRow = await qb.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    const rows = await qb
      .select(['users.id as userId', 'users.email', 'users.name', 'team_members.role'])
      .orderBy(col ?? 'users.email', desc ? 'desc' : 'asc')
      .orderBy('users.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return {
      items: rows.map((r) => ({ userId: r.userId, email: r.email, name: r.name, role: r.role as Role })),
      total: Number(countRow?.n ?? 0),
      limit: page.limit,
      offset: page.offset,
    };
  },
  async allMembers(exec: Executor, teamId: string): Promise<Array<{ email: string; role: Role; userId: string }>> {
    const rows = await db(exec)
      .selectFrom('team_members')
      .innerJoin('users', 'users.id', 'team_members.user_id')
      .select(['users.email', 'team_members.role', 'users.id'])
      .where('team_members.team_id', '=', teamId)
      .orderBy('users.email')
      .execute();
    return rows.map((r) => ({ email: r.email, role: r.role as Role, userId: r.id }));
  },
  async member(exec: Executor, teamId: string, userId: string): Promise<{ role: Role } | undefined> {
    const r = await db(exec)
      .selectFrom('team_members')
      .select('role')
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return r ? { role: r.role as Role } : undefined;
  },
  async setMember(exec: Executor, teamId: string, userId: string, role: Role, now: number): Promise<void> {
    const existing = await teamsStore.member(exec, teamId, userId);
    if (existing) {
      await db(exec)
        .updateTable('team_members')
        .set({ role })
        .where('team_id', '=', teamId)
        .where('user_id', '=', userId)
        .execute();
    } else {
      await db(exec)
        .insertInto('team_members')
        .values({ team_id: teamId, user_id: userId, role, created_at: now })
        .execute();
    }
  },
  async removeMember(exec: Executor, teamId: string, userId: string): Promise<boolean> {
    const r = await db(exec)
      .deleteFrom('team_members')
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },
  async rolesOf(exec: Executor, userId: string): Promise<Map<string, Role>> {
    const rows = await db(exec)
      .selectFrom('team_members')
      .select(['team_id', 'role'])
      .where('user_id', '=', userId)
      .execute();
    return new Map(rows.map((r) => [r.team_id, r.role as Role]));
  },
  toApi(row: TeamRow, memberCount: number): Team {
    return {
      id: row.id,
      name: row.name,
      displayName: row.display_name,
      description: row.description,
      memberCount,
      labels: JSON.parse(row.labels_json) as Record<string, string>,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
    };
  },
};
