import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import type { MainstayModule } from '../platform/module.js';
import { configTable } from '../platform/resources/config-table.js';
import type { SecretBox } from '../platform/secrets/secret-box.js';
import type { EscalationPolicySpec } from './escalation.model.js';
import { oncallMigrations } from './migrations/2026-11-22-oncall.js';
import { oncallKinds } from './oncall.resources.js';
import { oncallRoutes } from './oncall.routes.js';
import { OncallService } from './oncall.service.js';
import { OncallFeeds } from './oncall-feeds.service.js';
import { OncallPaging } from './oncall-paging.js';

export type { EscalationPolicySpec, EscalationTarget, SupportHours } from './escalation.model.js';
export type { OnCall, ShiftView } from './oncall.model.js';
export type { OncallService } from './oncall.service.js';
export type { LevelTargets, OncallPaging, PagedUser } from './oncall-paging.js';
export type { ScheduleSpec, Shift } from './schedule/index.js';

export interface OncallModule extends MainstayModule {
  service: OncallService;
  /** Who an escalation level pages, and support hours. */
  paging: OncallPaging;
  /** The escalation policy that names channel `name`, if any (a Channel in use must not be deleted). */
  policyUsingChannel(exec: Executor, name: string): Promise<string | undefined>;
}

export interface OncallDeps {
  database: Database;
  clock: Clock;
  audit: AuditStore;
  box: SecretBox;
  externalUrl: () => string;
  channelExists: (exec: Executor, name: string) => Promise<boolean>;
}

/** Schedules, rotations, overrides, swaps, escalation policies and "who is on call". */
export function oncallModule(deps: OncallDeps): OncallModule {
  const table = configTable('oncall_config');
  const service = new OncallService(deps.database, deps.clock, deps.audit, table);
  const feeds = new OncallFeeds(deps.database, deps.clock, deps.audit, deps.box, service);
  const paging = new OncallPaging(deps.database, service);
  return {
    name: 'oncall',
    migrations: oncallMigrations,
    routes: oncallRoutes(service, feeds, paging, { now: () => deps.clock.now(), externalUrl: deps.externalUrl }),
    resources: oncallKinds(table, { clock: deps.clock, audit: deps.audit, channelExists: deps.channelExists }),
    service,
    paging,
    async policyUsingChannel(exec, name) {
      for (const p of await table.list<EscalationPolicySpec>(exec, 'EscalationPolicy'))
        if (
          p.spec.channels.includes(name) ||
          p.spec.levels.some((l) => l.targets.some((t) => 'channel' in t && t.channel === name))
        )
          return `escalation policy ${p.name}`;
      return undefined;
    },
  };
}
