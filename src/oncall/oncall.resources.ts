import { teamsStore } from '../platform/accounts/teams.store.js';
import { usersStore } from '../platform/accounts/users.store.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Executor } from '../platform/db/database.js';
import { ConflictError, InputError } from '../platform/errors.js';
import { type ConfigTable, configKind } from '../platform/resources/config-table.js';
import { type ResourceKind, ResourceNameSchema } from '../platform/resources/resource.js';
import { type EscalationPolicySpec, EscalationPolicySpecSchema } from './escalation.model.js';
import { overrideStore } from './oncall.store.js';
import { type ScheduleSpec, ScheduleSpecSchema } from './schedule/index.js';

export interface OncallKindDeps {
  clock: Clock;
  audit: AuditStore;
  /** Whether a notification Channel exists (the notify module answers). */
  channelExists: (exec: Executor, name: string) => Promise<boolean>;
}

const missing = (path: string, what: string) =>
  new InputError(`${path}: ${what}`, { fields: [{ path, message: what }] });

/** Schedule and EscalationPolicy, with their references checked on apply. */
export function oncallKinds(table: ConfigTable, deps: OncallKindDeps): ResourceKind<unknown>[] {
  const schedule = configKind<ScheduleSpec>(table, deps, {
    kind: 'Schedule',
    plural: 'schedules',
    description: 'An on-call schedule: layers of wall-clock rotations in a time zone, with restrictions',
    order: 36,
    nameSchema: ResourceNameSchema,
    specSchema: ScheduleSpecSchema as never,
    validate: async (exec, _name, spec) => {
      for (const [li, layer] of spec.layers.entries())
        for (const [pi, email] of layer.rotation.participants.entries())
          if (!(await usersStore.byEmail(exec, email)))
            throw missing(`layers.${li}.rotation.participants.${pi}`, `no user ${email}`);
      if (spec.team && !(await teamsStore.byName(exec, spec.team))) throw missing('team', `no team ${spec.team}`);
    },
    beforeDelete: async (exec, name) => {
      for (const p of await table.list<EscalationPolicySpec>(exec, 'EscalationPolicy'))
        if (p.spec.levels.some((l) => l.targets.some((t) => 'schedule' in t && t.schedule === name)))
          throw new ConflictError(`escalation policy ${p.name} pages schedule ${name}`, {
            hint: 'change the policy first',
          });
      await overrideStore.deleteSchedule(exec, name);
    },
  });
  const policy = configKind<EscalationPolicySpec>(table, deps, {
    kind: 'EscalationPolicy',
    plural: 'escalation-policies',
    description: 'Who is paged in which order: levels of users, schedules, teams and channels, repeats, ack timeout',
    order: 38,
    nameSchema: ResourceNameSchema,
    specSchema: EscalationPolicySpecSchema as never,
    validate: async (exec, _name, spec) => {
      for (const [li, level] of spec.levels.entries())
        for (const [ti, t] of level.targets.entries()) {
          const path = `levels.${li}.targets.${ti}`;
          if ('user' in t && !(await usersStore.byEmail(exec, t.user)))
            throw missing(`${path}.user`, `no user ${t.user}`);
          if ('schedule' in t && !(await table.get(exec, 'Schedule', t.schedule)))
            throw missing(`${path}.schedule`, `no schedule ${t.schedule}`);
          if ('team' in t && !(await teamsStore.byName(exec, t.team)))
            throw missing(`${path}.team`, `no team ${t.team}`);
          if ('channel' in t && !(await deps.channelExists(exec, t.channel)))
            throw missing(`${path}.channel`, `no channel ${t.channel}`);
        }
      for (const [i, c] of spec.channels.entries())
        if (!(await deps.channelExists(exec, c))) throw missing(`channels.${i}`, `no channel ${c}`);
      if (spec.team && !(await teamsStore.byName(exec, spec.team))) throw missing('team', `no team ${spec.team}`);
    },
  });
  return [schedule, policy] as ResourceKind<unknown>[];
}
