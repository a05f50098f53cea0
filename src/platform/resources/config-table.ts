import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor } from '../audit/audit.model.js';
import type { AuditStore } from '../audit/audit.store.js';
import type { Clock } from '../clock.js';
import type { Db, Executor } from '../db/database.js';
import type { ResourceKind, StoredResource } from './resource.js';

/**
 * Configuration kinds whose whole state is their spec (schedules, escalation policies, channels…)
 * live in one table per module with the columns kind, name, labels_json, spec_json, created_at,
 * updated_at and primary key (kind, name). `configTable` reads and writes such a table;
 * `configKind` turns it into a resource kind with validation and audit.
 */

export interface ConfigTableRow {
  kind: string;
  name: string;
  labels_json: string;
  spec_json: string;
  created_at: number;
  updated_at: number;
}

export interface ConfigEntry<Spec> {
  name: string;
  labels: Record<string, string>;
  spec: Spec;
  updatedAt?: number;
}

/** Creates the table in a module's migration. */
export async function createConfigTable(db: Db, table: string): Promise<void> {
  await db.schema
    .createTable(table)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('labels_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('spec_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${table}_pk`, ['kind', 'name'])
    .execute();
}

export interface ConfigTable {
  list<Spec>(exec: Executor, kind: string): Promise<ConfigEntry<Spec>[]>;
  get<Spec>(exec: Executor, kind: string, name: string): Promise<ConfigEntry<Spec> | undefined>;
  put(exec: Executor, kind: string, entry: ConfigEntry<unknown>, now: number): Promise<void>;
  delete(exec: Executor, kind: string, name: string): Promise<void>;
}

export function configTable(table: string): ConfigTable {
  type T = Record<string, ConfigTableRow>;
  const db = (exec: Executor) => exec as unknown as Kysely<T>;
  const entry = <Spec>(r: ConfigTableRow): ConfigEntry<Spec> => ({
    name: r.name,
    labels: JSON.parse(r.labels_json),
    spec: JSON.parse(r.spec_json) as Spec,
    updatedAt: Number(r.updated_at),
  });
  return {
    async list<Spec>(exec: Executor, kind: string) {
      const rows = await db(exec).selectFrom(table).selectAll().where('kind', '=', kind).orderBy('name').execute();
      return rows.map((r) => entry<Spec>(r as ConfigTableRow));
    },
    async get<Spec>(exec: Executor, kind: string, name: string) {
      const r = await db(exec)
        .selectFrom(table)
        .selectAll()
        .where('kind', '=', kind)
        .where('name', '=', name)
        .executeTakeFirst();
      return r ? entry<Spec>(r as ConfigTableRow) : undefined;
    },
    async put(exec, kind, e, now) {
      const values = {
        kind,
        name: e.name,
        labels_json: JSON.stringify(e.labels),
        spec_json: JSON.stringify(e.spec),
        created_at: now,
        updated_at: now,
      };
      await db(exec)
        .insertInto(table)
        .values(values)
        .onConflict((oc) =>
          oc
            .columns(['kind', 'name'])
            .doUpdateSet({ labels_json: values.labels_json, spec_json: values.spec_json, updated_at: now }),
        )
        .execute();
    },
    async delete(exec, kind, name) {
      await db(exec).deleteFrom(table).where('kind', '=', kind).where('name', '=', name).execute();
    },
  };
}

export interface ConfigKindDef<Spec> {
  kind: string;
  plural: string;
  description: string;
  order: number;
  nameSchema: z.ZodType<string>;
  specSchema: z.ZodType<Spec>;
  writeRole?: ResourceKind<Spec>['writeRole'];
  canonical?: (spec: Spec) => Spec;
  /** Checks references and cross-field rules; throws InputError naming the field. */
  validate?: (exec: Executor, name: string, spec: Spec) => Promise<void>;
  /** Refuses deletes that would leave dangling references (ConflictError). */
  beforeDelete?: (exec: Executor, name: string) => Promise<void>;
  /** After any write, in the same transaction (cache invalidation, version bumps). */
  afterWrite?: (exec: Executor) => Promise<void> | void;
  settle?: ResourceKind<Spec>['settle'];
}

/** A resource kind stored in a config table, with audit entries `<plural>.create|update|delete`. */
export function configKind<Spec>(
  table: ConfigTable,
  deps: { clock: Clock; audit: AuditStore },
  def: ConfigKindDef<Spec>,
): ResourceKind<Spec> {
  const write = async (exec: Executor, actor: Actor, res: StoredResource<Spec>, action: 'create' | 'update') => {
    await def.validate?.(exec, res.name, res.spec);
    const before = action === 'update' ? await table.get<Spec>(exec, def.kind, res.name) : undefined;
    await table.put(exec, def.kind, res, deps.clock.now());
    await def.afterWrite?.(exec);
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
    writeRole: def.writeRole ?? 'editor',
    order: def.order,
    nameSchema: def.nameSchema,
    specSchema: def.specSchema,
    canonical: (_name, spec) => (def.canonical ? def.canonical(spec) : spec),
    list: async (exec) =>
      (await table.list<Spec>(exec, def.kind)).map(({ name, labels, spec }) => ({ name, labels, spec })),
    get: async (exec, name) => {
      const e = await table.get<Spec>(exec, def.kind, name);
      return e && { name: e.name, labels: e.labels, spec: e.spec };
    },
    create: (exec, actor, res) => write(exec, actor, res, 'create'),
    update: (exec, actor, res) => write(exec, actor, res, 'update'),
    delete: async (exec, actor, name) => {
      await def.beforeDelete?.(exec, name);
      const before = await table.get<Spec>(exec, def.kind, name);
      await table.delete(exec, def.kind, name);
      await def.afterWrite?.(exec);
      await deps.audit.record(exec, actor, {
        action: `${def.plural}.delete`,
        resourceType: def.kind,
        resourceId: name,
        resourceName: name,
        before: before?.spec,
      });
    },
    ...(def.settle ? { settle: def.settle } : {}),
  };
}
