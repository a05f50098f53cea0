import type { Actor } from '../audit/audit.model.js';
import type { AuditStore } from '../audit/audit.store.js';
import type { Clock } from '../clock.js';
import type { Database, Executor } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Page, PageQuery } from '../http/pagination.js';
import { newId } from '../ids.js';
import type { Team, TeamMember } from './accounts.model.js';
import type { TeamRow } from './accounts.tables.js';
import type { Role } from './roles.js';
import { teamsStore } from './teams.store.js';
import { usersStore } from './users.store.js';

export interface TeamInput {
  name: string;
  displayName?: string | undefined;
  description?: string | undefined;
  labels?: Record<string, string> | undefined;
}

/** Teams and memberships. Every change writes an audit entry in the same transaction. */
export class TeamsService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly audit: AuditStore,
  ) {}

  private async view(exec: Executor, row: TeamRow): Promise<Team> {
    const counts = await teamsStore.memberCounts(exec, [row.id]);
    return teamsStore.toApi(row, counts.get(row.id) ?? 0);
  }

  async list(q: string | undefined, page: PageQuery): Promise<Page<Team>> {
    const rows = await teamsStore.list(this.database.db, q, page);
    const counts = await teamsStore.memberCounts(
      this.database.db,
      rows.items.map((r) => r.id),
    );
    return { ...rows, items: rows.items.map((r) => teamsStore.toApi(r, counts.get(r.id) ?? 0)) };
  }

  async get(id: string, exec: Executor = this.database.db): Promise<Team> {
    const row = await teamsStore.byId(exec, id);
    if (!row) throw new NotFoundError(`no team with id ${id}`);
    return this.view(exec, row);
  }

  async create(actor: Actor, input: TeamInput, exec?: Executor): Promise<Team> {
    const run = async (trx: Executor) => {
      if (await teamsStore.byName(trx, input.name)) {
        throw new ConflictError(`a team named ${input.name} exists`, {
          code: 'already_exists',
          fields: [{ path: 'name', message: 'already taken' }],
        });
      }
      const now = this.clock.now();
      const row: TeamRow = {
        id: newId(now),
        name: input.name,
        display_name: input.displayName || input.name,
        description: input.description ?? '',
        labels_json: JSON.stringify(input.labels ?? {}),
        created_at: now,
        updated_at: now,
      };
      try {
        await teamsStore.insert(trx, row);
      } catch (err) {
        if (isUniqueViolation(err))
          throw new ConflictError(`a team named ${input.name} exists`, { code: 'already_exists' });
        throw err;
      }
      const team = teamsStore.toApi(row, 0);
      await this.audit.record(trx, actor, {
        action: 'team.create',
        resourceType: 'team',
        resourceId: row.id,
        resourceName: row.name,
        after: team,
      });
      return team;
    };
    return exec ? run(exec) : this.database.transaction(run);
  }

  async update(actor: Actor, id: string, patch: Omit<TeamInput, 'name'>, exec?: Executor): Promise<Team> {
    const run = async (trx: Executor) => {
      const before = await this.get(id, trx);
      await teamsStore.update(trx, id, {
        ...(patch.displayName !== undefined ? { display_name: patch.displayName || before.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.labels !== undefined ? { labels_json: JSON.stringify(patch.labels) } : {}),
        updated_at: this.clock.now(),
      });
      const after = await this.get(id, trx);
      await this.audit.record(trx, actor, {
        action: 'team.update',
        resourceType: 'team',
        resourceId: id,
        resourceName: after.name,
        before,
        after,
      });
      return after;
    };
    return exec ? run(exec) : this.database.transaction(run);
  }

  async delete(actor: Actor, id: string, exec?: Executor): Promise<void> {
    const run = async (trx: Executor) => {
      const before = await this.get(id, trx);
      const members = await teamsStore.allMembers(trx, id);
      await teamsStore.delete(trx, id);
      await this.audit.record(trx, actor, {
        action: 'team.delete',
        resourceType: 'team',
        resourceId: id,
        resourceName: before.name,
        before: { ...before, members: members.map((m) => ({ user: m.email, role: m.role })) },
      });
    };
    return exec ? run(exec) : this.database.transaction(run);
  }

  members(teamId: string, page: PageQuery): Promise<Page<TeamMember>> {
    return teamsStore.members(this.database.db, teamId, page);
  }

  async setMember(actor: Actor, teamId: string, userId: string, role: Role, exec?: Executor): Promise<TeamMember> {
    const run = async (trx: Executor) => {
      const team = await this.get(teamId, trx);
      const user = await usersStore.byId(trx, userId);
      if (!user) throw new NotFoundError(`no user with id ${userId}`);
      const before = await teamsStore.member(trx, teamId, userId);
      await teamsStore.setMember(trx, teamId, userId, role, this.clock.now());
      const member: TeamMember = { userId, email: user.email, name: user.name, role };
      await this.audit.record(trx, actor, {
        action: before ? 'team.member_update' : 'team.member_add',
        resourceType: 'team',
        resourceId: teamId,
        resourceName: team.name,
        before: before ? { user: user.email, role: before.role } : null,
        after: { user: user.email, role },
      });
      return member;
    };
    return exec ? run(exec) : this.database.transaction(run);
  }

  async removeMember(actor: Actor, teamId: string, userId: string, exec?: Executor): Promise<void> {
    const run = async (trx: Executor) => {
      const team = await this.get(teamId, trx);
      const before = await teamsStore.member(trx, teamId, userId);
      const user = await usersStore.byId(trx, userId);
      if (!before || !user) throw new NotFoundError(`user ${userId} is not a member of team ${team.name}`);
      await teamsStore.removeMember(trx, teamId, userId);
      await this.audit.record(trx, actor, {
        action: 'team.member_remove',
        resourceType: 'team',
        resourceId: teamId,
        resourceName: team.name,
        before: { user: user.email, role: before.role },
      });
    };
    return exec ? run(exec) : this.database.transaction(run);
  }
}
