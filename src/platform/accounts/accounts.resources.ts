import { z } from 'zod';
import type { Actor } from '../audit/audit.model.js';
import type { Executor } from '../db/database.js';
import { InputError, NotFoundError } from '../errors.js';
import type { ResourceKind, StoredResource } from '../resources/resource.js';
import { EmailSchema, NameSchema, SlugSchema, TimeZoneSchema } from './accounts.model.js';
import { type Role, RoleSchema } from './roles.js';
import type { TeamsService } from './teams.service.js';
import { teamsStore } from './teams.store.js';
import type { UsersService } from './users.service.js';
import { usersStore } from './users.store.js';

const UserSpec = z.strictObject({
  name: NameSchema,
  timeZone: TimeZoneSchema.default('UTC'),
  /** Global role; per-team roles are granted in Team.spec.members. */
  role: RoleSchema.nullable().default(null),
  disabled: z.boolean().default(false),
});
type UserSpec = z.infer<typeof UserSpec>;

const TeamSpec = z
  .strictObject({
    displayName: z.string().trim().max(200).optional(),
    description: z.string().max(2000).default(''),
    members: z.array(z.strictObject({ user: EmailSchema, role: RoleSchema })).default([]),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.members.forEach((m, i) => {
      if (seen.has(m.user))
        ctx.addIssue({ code: 'custom', path: ['members', i, 'user'], message: `${m.user} is listed twice` });
      seen.add(m.user);
    });
  });
type TeamSpec = z.infer<typeof TeamSpec>;

/** `User` documents: metadata.name is the email address. Passwords are never part of a document. */
export function userKind(users: UsersService): ResourceKind<UserSpec> {
  const toStored = (row: Awaited<ReturnType<typeof usersStore.byId>> & object): StoredResource<UserSpec> => ({
    name: row.email,
    labels: JSON.parse(row.labels_json) as Record<string, string>,
    spec: {
      name: row.name,
      timeZone: row.time_zone,
      role: (row.role as Role | null) ?? null,
      disabled: row.disabled === 1,
    },
  });
  return {
    kind: 'User',
    plural: 'users',
    description: 'A person who signs in; metadata.name is the email address, spec.role the global role',
    writeRole: 'admin',
    order: 10,
    nameSchema: EmailSchema,
    specSchema: UserSpec,
    canonical: (_name, spec) => spec,
    list: async (exec) => (await usersStore.all(exec)).map(toStored),
    get: async (exec, name) => {
      const row = await usersStore.byEmail(exec, name);
      return row ? toStored(row) : undefined;
    },
    create: async (exec, actor, res) => {
      const user = await users.create(
        actor,
        { email: res.name, name: res.spec.name, timeZone: res.spec.timeZone, role: res.spec.role, labels: res.labels },
        exec,
      );
      if (res.spec.disabled) await users.update(actor, user.id, { disabled: true }, exec);
    },
    update: async (exec, actor, res) => {
      const row = await usersStore.byEmail(exec, res.name);
      if (!row) throw new NotFoundError(`no user ${res.name}`);
      await users.update(actor, row.id, { ...res.spec, labels: res.labels }, exec);
    },
    delete: async (exec, actor, name) => {
      const row = await usersStore.byEmail(exec, name);
      if (!row) throw new NotFoundError(`no user ${name}`);
      await users.delete(actor, row.id, exec);
    },
  };
}

/** `Team` documents: metadata.name is the team's slug; members carry their role on the team. */
export function teamKind(teams: TeamsService): ResourceKind<TeamSpec> {
  async function stored(
    exec: Executor,
    row: NonNullable<Awaited<ReturnType<typeof teamsStore.byId>>>,
  ): Promise<StoredResource<TeamSpec>> {
    const members = await teamsStore.allMembers(exec, row.id);
    return {
      name: row.name,
      labels: JSON.parse(row.labels_json) as Record<string, string>,
      spec: canonical(row.name, {
        displayName: row.display_name,
        description: row.description,
        members: members.map((m) => ({ user: m.email, role: m.role })),
      }),
    };
  }
  function canonical(name: string, spec: TeamSpec): TeamSpec {
    const { displayName, ...rest } = spec;
    return {
      ...(displayName && displayName !== name ? { displayName } : {}),
      ...rest,
      members: [...rest.members].sort((a, b) => a.user.localeCompare(b.user)),
    };
  }
  async function syncMembers(exec: Executor, actor: Actor, teamId: string, wanted: TeamSpec['members']) {
    const current = new Map((await teamsStore.allMembers(exec, teamId)).map((m) => [m.email, m]));
    for (const [i, m] of wanted.entries()) {
      const user = await usersStore.byEmail(exec, m.user);
      if (!user) {
        throw new InputError(`no user ${m.user}`, {
          fields: [{ path: `members.${i}.user`, message: `no user ${m.user}; create it first or in the same apply` }],
        });
      }
      if (current.get(m.user)?.role !== m.role) await teams.setMember(actor, teamId, user.id, m.role, exec);
      current.delete(m.user);
    }
    for (const gone of current.values()) await teams.removeMember(actor, teamId, gone.userId, exec);
  }
  return {
    kind: 'Team',
    plural: 'teams',
    description: 'A team; members get their role on the team',
    writeRole: 'admin',
    order: 20,
    nameSchema: SlugSchema,
    specSchema: TeamSpec,
    canonical,
    list: async (exec) => Promise.all((await teamsStore.all(exec)).map((r) => stored(exec, r))),
    get: async (exec, name) => {
      const row = await teamsStore.byName(exec, name);
      return row ? stored(exec, row) : undefined;
    },
    create: async (exec, actor, res) => {
      const team = await teams.create(
        actor,
        { name: res.name, displayName: res.spec.displayName, description: res.spec.description, labels: res.labels },
        exec,
      );
      await syncMembers(exec, actor, team.id, res.spec.members);
    },
    update: async (exec, actor, res) => {
      const row = await teamsStore.byName(exec, res.name);
      if (!row) throw new NotFoundError(`no team ${res.name}`);
      await teams.update(
        actor,
        row.id,
        { displayName: res.spec.displayName ?? res.name, description: res.spec.description, labels: res.labels },
        exec,
      );
      await syncMembers(exec, actor, row.id, res.spec.members);
    },
    delete: async (exec, actor, name) => {
      const row = await teamsStore.byName(exec, name);
      if (!row) throw new NotFoundError(`no team ${name}`);
      await teams.delete(actor, row.id, exec);
    },
  };
}
