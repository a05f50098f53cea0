import type { Actor } from '../audit/audit.model.js';
import type { AuditStore } from '../audit/audit.store.js';
import type { Clock } from '../clock.js';
import type { Database, Executor } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Page, PageQuery } from '../http/pagination.js';
import { newId } from '../ids.js';
import type { CreateUser, UpdateUser, User } from './accounts.model.js';
import type { UserRow } from './accounts.tables.js';
import { credentialsStore } from './credentials.store.js';
import { hashPassword } from './passwords.js';
import { type UserFilter, usersStore } from './users.store.js';

/** Users: create, change, remove, reset passwords. Every change writes an audit entry in the same transaction. */
export class UsersService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly audit: AuditStore,
  ) {}

  async list(filter: UserFilter, page: PageQuery): Promise<Page<User>> {
    const rows = await usersStore.list(this.database.db, filter, page);
    return { ...rows, items: await usersStore.toApiMany(this.database.db, rows.items) };
  }

  async get(id: string, exec: Executor = this.database.db): Promise<User> {
    const row = await usersStore.byId(exec, id);
    if (!row) throw new NotFoundError(`no user with id ${id}`);
    return (await usersStore.toApiMany(exec, [row]))[0] as User;
  }

  async getByEmail(email: string, exec: Executor = this.database.db): Promise<User | undefined> {
    const row = await usersStore.byEmail(exec, email);
    return row ? ((await usersStore.toApiMany(exec, [row]))[0] as User) : undefined;
  }

  /** Creates a user inside `exec` (a transaction) or in one of its own. */
  async create(actor: Actor, input: CreateUser, exec?: Executor): Promise<User> {
    const run = async (trx: Executor) => {
      if (await usersStore.byEmail(trx, input.email)) {
        throw new ConflictError(`a user with email ${input.email} exists`, {
          code: 'already_exists',
          fields: [{ path: 'email', message: 'already taken' }],
        });
      }
      const now = this.clock.now();
      const row: UserRow = {
        id: newId(now),
        email: input.email,
        name: input.name,
        time_zone: input.timeZone,
        role: input.role ?? null,
        disabled: 0,
        password_hash: input.password ? await hashPassword(input.password) : null,
        labels_json: JSON.stringify(input.labels ?? {}),
        created_at: now,
        updated_at: now,
        last_login_at: null,
      };
      try {
        await usersStore.insert(trx, row);
      } catch (err) {
        if (isUniqueViolation(err))
          throw new ConflictError(`a user with email ${input.email} exists`, { code: 'already_exists' });
        throw err;
      }
      const user = usersStore.toApi(row);
      await this.audit.record(trx, actor, {
        action: 'user.create',
        resourceType: 'user',
        resourceId: row.id,
        resourceName: row.email,
        after: user,
      });
      return user;
    };
    return exec ? run(exec) : this.database.transaction(run);
  }

  async update(actor: Actor, id: string, patch: UpdateUser, exec?: Executor): Promise<User> {
    const run = async (trx: Executor) => {
      const before = await this.get(id, trx);
      const losesAdmin =
        before.role === 'admin' &&
        !before.disabled &&
        ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
      if (losesAdmin && (await usersStore.countAdmins(trx)) <= 1) {
        throw new ConflictError('this is the last active admin', {
          code: 'last_admin',
          hint: 'make another user admin first',
        });
      }
      await usersStore.update(trx, id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.timeZone !== undefined ? { time_zone: patch.timeZone } : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
        ...(patch.labels !== undefined ? { labels_json: JSON.stringify(patch.labels) } : {}),
        updated_at: this.clock.now(),
      });
      if (patch.disabled) await credentialsStore.deleteUserSessions(trx, id);
      const after = await this.get(id, trx);
      await this.audit.record(trx, actor, {
        action: 'user.update',
        resourceType: 'user',
        resourceId: id,
        resourceName: after.email,
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
      if (actor.id === id) throw new ConflictError('you cannot delete yourself', { code: 'delete_self' });
      if (before.role === 'admin' && !before.disabled && (await usersStore.countAdmins(trx)) <= 1) {
        throw new ConflictError('this is the last active admin', {
          code: 'last_admin',
          hint: 'make another user admin first',
        });
      }
      await usersStore.delete(trx, id);
      await this.audit.record(trx, actor, {
        action: 'user.delete',
        resourceType: 'user',
        resourceId: id,
        resourceName: before.email,
        before,
      });
    };
    return exec ? run(exec) : this.database.transaction(run);
  }

  /** Sets a password (admin reset or the user's own change) and ends all of the user's sessions. */
  async setPassword(actor: Actor, id: string, password: string): Promise<void> {
    const hash = await hashPassword(password);
    await this.database.transaction(async (trx) => {
      const user = await this.get(id, trx);
      await usersStore.update(trx, id, { password_hash: hash, updated_at: this.clock.now() });
      await credentialsStore.deleteUserSessions(trx, id);
      await this.audit.record(trx, actor, {
        action: actor.id === id ? 'user.password_change' : 'user.password_reset',
        resourceType: 'user',
        resourceId: id,
        resourceName: user.email,
      });
    });
  }

  async hasAnyUser(): Promise<boolean> {
    return (await usersStore.count(this.database.db)) > 0;
  }
}
