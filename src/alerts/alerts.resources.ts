import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../platform/audit/audit.model.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Executor } from '../platform/db/database.js';
import { ConflictError, InputError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { ResourceKind, StoredResource } from '../platform/resources/resource.js';
import type { SecretBox } from '../platform/secrets/secret-box.js';
import type { SecretsService } from '../platform/secrets/secrets.service.js';
import type { AlertsTables } from './alert.tables.js';
import { type ConfigCache, type ConfigKind, configStore, hashKey } from './alert-config.js';
import {
  InhibitRuleSpecSchema,
  type IntegrationSpec,
  IntegrationSpecSchema,
  MaintenanceWindowSpecSchema,
  ReceiverSpecSchema,
  ResourceNameSchema,
  ROOT_ROUTE,
  type RouteSpec,
  RouteSpecSchema,
  type SilenceSpec,
  SilenceSpecSchema,
  TimeIntervalSpecSchema,
} from './config.model.js';
import { scheduleProblem } from './maintenance-schedule.js';
import { formatMatcher, parseMatcher } from './matchers.js';
import { compileRouteTree, RouteError, receiversOf, timeIntervalsOf } from './routing.js';
import { compileTimeInterval } from './time-intervals.js';

function db(exec: Executor): Kysely<AlertsTables> {
  return exec as unknown as Kysely<AlertsTables>;
}

export interface KindDeps {
  clock: Clock;
  audit: AuditStore;
  box: SecretBox;
  secrets: SecretsService;
  cache: ConfigCache;
}

const canonicalMatchers = (ms: string[]) => ms.map((m) => formatMatcher(parseMatcher(m)));

/** A kind stored in `alert_config` (Receiver, Route, InhibitRule, TimeInterval, MaintenanceWindow). */
function configKind<Spec>(
  deps: KindDeps,
  def: {
    kind: ConfigKind;
    plural: string;
    description: string;
    order: number;
    nameSchema?: z.ZodType<string>;
    specSchema: z.ZodType<Spec>;
    canonical?: (spec: Spec) => Spec;
    validate?: (exec: Executor, name: string, spec: Spec) => Promise<void>;
    beforeDelete?: (exec: Executor, name: string) => Promise<void>;
  },
): ResourceKind<Spec> {
  const write = async (exec: Executor, actor: Actor, res: StoredResource<Spec>, action: 'create' | 'update') => {
    await def.validate?.(exec, res.name, res.spec);
    const before = action === 'update' ? await configStore.get(exec, def.kind, res.name) : undefined;
    await configStore.put(exec, def.kind, res, deps.clock.now());
    await deps.audit.record(exec, actor, {
      action: `${def.plural}.${action}`,
      resourceType: def.kind,
      resourceId: res.name,
      resourceName: res.name,
      before: before?.spec,
      after: res.spec,
    });
  };
  return {
    kind: def.kind,
    plural: def.plural,
    description: def.description,
    writeRole: 'editor',
    order: def.order,
    nameSchema: def.nameSchema ?? ResourceNameSchema,
    specSchema: def.specSchema,
    canonical: (_name, spec) => (def.canonical ? def.canonical(spec) : spec),
    list: (exec) => configStore.list<Spec>(exec, def.kind),
    get: (exec, name) => configStore.get<Spec>(exec, def.kind, name),
    create: (exec, actor, res) => write(exec, actor, res, 'create'),
    update: (exec, actor, res) => write(exec, actor, res, 'update'),
    delete: async (exec, actor, name) => {
      await def.beforeDelete?.(exec, name);
      const before = await configStore.get(exec, def.kind, name);
      await configStore.delete(exec, def.kind, name);
      await deps.audit.record(exec, actor, {
        action: `${def.plural}.delete`,
        resourceType: def.kind,
        resourceId: name,
        resourceName: name,
        before: before?.spec,
      });
    },
    settle: () => deps.cache.invalidate(),
  };
}

function canonicalRoute(r: RouteSpec): RouteSpec {
  return { ...r, matchers: canonicalMatchers(r.matchers), routes: r.routes.map(canonicalRoute) };
}

async function rootRoute(exec: Executor): Promise<RouteSpec | undefined> {
  return (await configStore.get<RouteSpec>(exec, 'Route', ROOT_ROUTE))?.spec;
}

/** Every configuration-as-code kind of the alerts module. */
export function alertKinds(deps: KindDeps): ResourceKind<unknown>[] {
  const receiver = configKind(deps, {
    kind: 'Receiver',
    plural: 'receivers',
    description: 'Where a route sends notifications: webhooks, Slack, email',
    order: 40,
    specSchema: ReceiverSpecSchema,
    beforeDelete: async (exec, name) => {
      const root = await rootRoute(exec);
      if (root && receiversOf(compileRouteTree(root)).includes(name))
        throw new ConflictError(`receiver ${name} is used by the route tree`, {
          hint: 'change the Route named root first (or apply both together)',
        });
    },
  });
  const timeInterval = configKind(deps, {
    kind: 'TimeInterval',
    plural: 'timeintervals',
    description: 'Named time intervals (Alertmanager time_intervals) for mute and active times',
    order: 40,
    specSchema: TimeIntervalSpecSchema,
    // Alertmanager's rules beyond the schema (ranges in order, 24:00 only as an end, …) throw InputError with a path.
    validate: async (_exec, _name, spec) => {
      compileTimeInterval(spec);
    },
    beforeDelete: async (exec, name) => {
      const root = await rootRoute(exec);
      if (root && timeIntervalsOf(compileRouteTree(root)).includes(name))
        throw new ConflictError(`time interval ${name} is used by the route tree`);
    },
  });
  const route = configKind<RouteSpec>(deps, {
    kind: 'Route',
    plural: 'routes',
    description: 'The routing tree (Alertmanager semantics); the Route named root is the one alerts enter',
    order: 45,
    nameSchema: z.literal(ROOT_ROUTE, { message: 'the routing tree is one Route named root; nest routes under it' }),
    specSchema: RouteSpecSchema,
    canonical: canonicalRoute,
    validate: async (exec, _name, spec) => {
      let tree: ReturnType<typeof compileRouteTree>;
      try {
        tree = compileRouteTree(spec);
      } catch (err) {
        if (err instanceof RouteError)
          throw new InputError(err.message, { fields: err.fields ?? [{ path: err.path, message: err.message }] });
        throw err;
      }
      const receivers = new Set((await configStore.list(exec, 'Receiver')).map((r) => r.name));
      for (const r of receiversOf(tree))
        if (!receivers.has(r))
          throw new InputError(`route uses receiver ${r}, which does not exist`, {
            fields: [{ path: 'receiver', message: `no Receiver named ${r}` }],
            hint: 'apply the Receiver in the same apply or before',
          });
      const intervals = new Set((await configStore.list(exec, 'TimeInterval')).map((r) => r.name));
      for (const t of timeIntervalsOf(tree))
        if (!intervals.has(t))
          throw new InputError(`route uses time interval ${t}, which does not exist`, {
            fields: [{ path: 'muteTimeIntervals', message: `no TimeInterval named ${t}` }],
          });
    },
  });
  const inhibit = configKind(deps, {
    kind: 'InhibitRule',
    plural: 'inhibitrules',
    description: 'Mutes target alerts while a matching source alert fires',
    order: 45,
    specSchema: InhibitRuleSpecSchema,
    canonical: (s) => ({
      ...s,
      sourceMatchers: canonicalMatchers(s.sourceMatchers),
      targetMatchers: canonicalMatchers(s.targetMatchers),
    }),
  });
  const maintenance = configKind(deps, {
    kind: 'MaintenanceWindow',
    plural: 'maintenancewindows',
    description: 'One-off or recurring (RRULE) windows that hold notifications for matching alerts or checks',
    order: 45,
    specSchema: MaintenanceWindowSpecSchema,
    validate: async (_exec, _name, spec) => {
      // Field paths are relative to spec: the apply prefixes them with documents.<index>.spec.
      const problem = scheduleProblem(spec);
      if (problem) throw new InputError(problem.message, { fields: [problem] });
    },
    canonical: (s) => ({ ...s, matchers: canonicalMatchers(s.matchers) }),
  });
  return [
    integrationKind(deps),
    receiver,
    timeInterval,
    route,
    inhibit,
    maintenance,
    silenceKind(deps),
  ] as ResourceKind<unknown>[];
}

/** Integration keys: 32 hex characters, like PagerDuty routing keys (some clients check the length). */
export function newIntegrationKey(): string {
  return randomBytes(16).toString('hex');
}

function integrationKind(deps: KindDeps): ResourceKind<IntegrationSpec> {
  const keyFor = async (exec: Executor, spec: IntegrationSpec): Promise<string> =>
    spec.keySecret ? deps.secrets.reveal(spec.keySecret, exec) : newIntegrationKey();
  const list = async (exec: Executor) =>
    (await db(exec).selectFrom('alert_integrations').selectAll().orderBy('name').execute()).map((r) => ({
      name: r.name,
      labels: JSON.parse(r.labels_json) as Record<string, string>,
      spec: JSON.parse(r.spec_json) as IntegrationSpec,
    }));
  return {
    kind: 'Integration',
    plural: 'integrations',
    description: 'An intake endpoint (PagerDuty Events v2, Alertmanager webhook, Opsgenie, generic webhook) with a key',
    writeRole: 'editor',
    order: 35,
    nameSchema: ResourceNameSchema,
    specSchema: IntegrationSpecSchema.refine((s) => s.type === 'webhook' || s.mapping === undefined, {
      message: 'only webhook integrations take a mapping',
      path: ['mapping'],
    }).refine((s) => s.type !== 'webhook' || s.mapping !== undefined, {
      message: 'a webhook integration needs a mapping (at least mapping.summary)',
      path: ['mapping'],
    }) as unknown as z.ZodType<IntegrationSpec>,
    canonical: (_n, spec) => spec,
    list,
    get: async (exec, name) => (await list(exec)).find((r) => r.name === name),
    create: async (exec, actor, res) => {
      const now = deps.clock.now();
      const key = await keyFor(exec, res.spec);
      const id = newId(now);
      const taken = await db(exec)
        .selectFrom('alert_integrations')
        .select('name')
        .where('key_hash', '=', hashKey(key))
        .executeTakeFirst();
      if (taken)
        throw new ConflictError(`integration ${taken.name} already uses that key`, {
          hint: 'each integration needs its own key',
        });
      await db(exec)
        .insertInto('alert_integrations')
        .values({
          id,
          name: res.name,
          type: res.spec.type,
          key_hash: hashKey(key),
          key_sealed: deps.box.seal(key),
          spec_json: JSON.stringify(res.spec),
          labels_json: JSON.stringify(res.labels),
          created_at: now,
          updated_at: now,
        })
        .execute();
      await configStore.bump(exec);
      await deps.audit.record(exec, actor, {
        action: 'integrations.create',
        resourceType: 'Integration',
        resourceId: id,
        resourceName: res.name,
        after: res.spec,
      });
    },
    update: async (exec, actor, res, current) => {
      const now = deps.clock.now();
      const patch: Partial<AlertsTables['alert_integrations']> = {
        type: res.spec.type,
        spec_json: JSON.stringify(res.spec),
        labels_json: JSON.stringify(res.labels),
        updated_at: now,
      };
      if (res.spec.keySecret !== current.spec.keySecret) {
        const key = await keyFor(exec, res.spec);
        patch.key_hash = hashKey(key);
        patch.key_sealed = deps.box.seal(key);
      }
      await db(exec).updateTable('alert_integrations').set(patch).where('name', '=', res.name).execute();
      await configStore.bump(exec);
      await deps.audit.record(exec, actor, {
        action: 'integrations.update',
        resourceType: 'Integration',
        resourceId: res.name,
        resourceName: res.name,
        before: current.spec,
        after: res.spec,
      });
    },
    delete: async (exec, actor, name) => {
      await db(exec).deleteFrom('alert_integrations').where('name', '=', name).execute();
      await configStore.bump(exec);
      await deps.audit.record(exec, actor, {
        action: 'integrations.delete',
        resourceType: 'Integration',
        resourceId: name,
        resourceName: name,
      });
    },
    settle: () => deps.cache.invalidate(),
  };
}

function silenceKind(deps: KindDeps): ResourceKind<SilenceSpec> {
  const toStored = (r: AlertsTables['alert_silences']): StoredResource<SilenceSpec> => ({
    name: r.name,
    labels: JSON.parse(r.labels_json),
    spec: {
      matchers: JSON.parse(r.matchers_json),
      startsAt: new Date(Number(r.starts_at)).toISOString(),
      endsAt: new Date(Number(r.ends_at)).toISOString(),
      createdBy: r.created_by,
      comment: r.comment,
    },
  });
  return {
    kind: 'Silence',
    plural: 'silences',
    description: 'Mutes notifications of matching alerts between two instants',
    writeRole: 'responder',
    order: 45,
    nameSchema: ResourceNameSchema,
    specSchema: SilenceSpecSchema,
    canonical: (_n, s) => ({
      ...s,
      matchers: canonicalMatchers(s.matchers),
      startsAt: new Date(Date.parse(s.startsAt)).toISOString(),
      endsAt: new Date(Date.parse(s.endsAt)).toISOString(),
    }),
    list: async (exec) =>
      (await db(exec).selectFrom('alert_silences').selectAll().orderBy('name').execute()).map(toStored),
    get: async (exec, name) => {
      const r = await db(exec).selectFrom('alert_silences').selectAll().where('name', '=', name).executeTakeFirst();
      return r ? toStored(r) : undefined;
    },
    create: (exec, actor, res) => saveSilence(exec, deps, actor, res.name, res.labels, res.spec),
    update: (exec, actor, res) => saveSilence(exec, deps, actor, res.name, res.labels, res.spec),
    delete: async (exec, actor, name) => {
      await db(exec).deleteFrom('alert_silences').where('name', '=', name).execute();
      await configStore.bump(exec);
      await deps.audit.record(exec, actor, {
        action: 'silences.delete',
        resourceType: 'Silence',
        resourceId: name,
        resourceName: name,
      });
    },
    settle: () => deps.cache.invalidate(),
  };
}

/** Creates or replaces a silence by name (the API, the CLI and apply share it). */
export async function saveSilence(
  exec: Executor,
  deps: Pick<KindDeps, 'clock' | 'audit'>,
  actor: Actor,
  name: string,
  labels: Record<string, string>,
  spec: SilenceSpec,
): Promise<void> {
  const now = deps.clock.now();
  const matchers = canonicalMatchers(spec.matchers);
  const values = {
    matchers_json: JSON.stringify(matchers),
    starts_at: Date.parse(spec.startsAt),
    ends_at: Date.parse(spec.endsAt),
    created_by: spec.createdBy,
    comment: spec.comment,
    labels_json: JSON.stringify(labels),
    updated_at: now,
  };
  await db(exec)
    .insertInto('alert_silences')
    .values({ id: newId(now), name, created_at: now, ...values })
    .onConflict((oc) => oc.column('name').doUpdateSet(values))
    .execute();
  await configStore.bump(exec);
  await deps.audit.record(exec, actor, {
    action: 'silences.save',
    resourceType: 'Silence',
    resourceId: name,
    resourceName: name,
    after: { ...spec, matchers },
  });
}
