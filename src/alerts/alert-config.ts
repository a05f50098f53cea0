import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import type { AlertsTables } from './alert.tables.js';
import {
  type InhibitRuleSpec,
  type IntegrationSpec,
  type IntegrationType,
  type MaintenanceWindowSpec,
  type ReceiverSpec,
  ROOT_ROUTE,
  type RouteSpec,
  type TimeIntervalSpec,
} from './config.model.js';
import { compileInhibitRule, type InhibitRule } from './inhibit.js';
import { type Matcher, parseMatcher } from './matchers.js';
import { compileRouteTree, type RouteNode } from './routing.js';
import { compileTimeInterval } from './time-intervals.js';

export type ConfigKind = 'Receiver' | 'Route' | 'InhibitRule' | 'TimeInterval' | 'MaintenanceWindow';

function db(exec: Executor): Kysely<AlertsTables> {
  return exec as unknown as Kysely<AlertsTables>;
}

export interface ConfigRow<Spec> {
  name: string;
  labels: Record<string, string>;
  spec: Spec;
}

/** Generic storage of the pipeline's configuration kinds, plus the version counter caches watch. */
export const configStore = {
  async list<Spec>(exec: Executor, kind: ConfigKind): Promise<ConfigRow<Spec>[]> {
    const rows = await db(exec)
      .selectFrom('alert_config')
      .selectAll()
      .where('kind', '=', kind)
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      name: r.name,
      labels: JSON.parse(r.labels_json),
      spec: JSON.parse(r.spec_json) as Spec,
    }));
  },
  async get<Spec>(exec: Executor, kind: ConfigKind, name: string): Promise<ConfigRow<Spec> | undefined> {
    const r = await db(exec)
      .selectFrom('alert_config')
      .selectAll()
      .where('kind', '=', kind)
      .where('name', '=', name)
      .executeTakeFirst();
    return r && { name: r.name, labels: JSON.parse(r.labels_json), spec: JSON.parse(r.spec_json) as Spec };
  },
  async put(exec: Executor, kind: ConfigKind, row: ConfigRow<unknown>, now: number): Promise<void> {
    const values = {
      kind,
      name: row.name,
      labels_json: JSON.stringify(row.labels),
      spec_json: JSON.stringify(row.spec),
      created_at: now,
      updated_at: now,
    };
    await db(exec)
      .insertInto('alert_config')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['kind', 'name']).doUpdateSet({
          labels_json: values.labels_json,
          spec_json: values.spec_json,
          updated_at: now,
        }),
      )
      .execute();
    await configStore.bump(exec);
  },
  async delete(exec: Executor, kind: ConfigKind, name: string): Promise<void> {
    await db(exec).deleteFrom('alert_config').where('kind', '=', kind).where('name', '=', name).execute();
    await configStore.bump(exec);
  },
  async bump(exec: Executor): Promise<void> {
    await db(exec)
      .updateTable('alert_meta')
      .set((eb) => ({ value: eb('value', '+', 1) }))
      .where('key', '=', 'config_version')
      .execute();
  },
  async version(exec: Executor): Promise<number> {
    const r = await db(exec)
      .selectFrom('alert_meta')
      .select('value')
      .where('key', '=', 'config_version')
      .executeTakeFirst();
    return Number(r?.value ?? 0);
  },
};

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface IntegrationRecord {
  id: string;
  name: string;
  type: IntegrationType;
  spec: IntegrationSpec;
  labels: Record<string, string>;
}

export interface CompiledSilence {
  id: string;
  name: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
}

export interface CompiledWindow {
  name: string;
  spec: MaintenanceWindowSpec;
  matchers: Matcher[];
  checks: Set<string>;
}

/** The pipeline's configuration, compiled once per version for the hot paths. */
export interface CompiledConfig {
  version: number;
  root: RouteNode | undefined;
  rootError: string | undefined;
  receivers: Map<string, ReceiverSpec>;
  inhibit: InhibitRule[];
  intervals: Map<string, (at: number) => boolean>;
  windows: CompiledWindow[];
  silences: CompiledSilence[];
  integrationsByHash: Map<string, IntegrationRecord>;
}

const CHECK_EVERY_MS = 1000;

/**
 * Holds the compiled configuration and reloads it when the version row changes (looked at no more
 * than once a second, and at once after a change made in this process), so every instance on a
 * shared PostgreSQL converges within a second of an apply.
 */
export class ConfigCache {
  private current: CompiledConfig | undefined;
  private checkedAt = 0;
  private loading: Promise<CompiledConfig> | undefined;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  invalidate(): void {
    this.checkedAt = 0;
  }

  /** True on PostgreSQL, where concurrent transactions interleave and the pipeline locks group rows. */
  get locksRows(): boolean {
    return this.database.engine === 'postgres';
  }

  /**
   * The current configuration. Pass `exec` when calling inside a transaction: on SQLite the single
   * connection is held by it, and a read through the root handle would wait for it forever.
   */
  async get(exec?: Executor, opts?: { fresh?: boolean }): Promise<CompiledConfig> {
    const now = this.clock.now();
    if (this.current && now - this.checkedAt < CHECK_EVERY_MS && !opts?.fresh) return this.current;
    if (exec) return this.refresh(exec);
    this.loading ??= this.refresh(this.database.db).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async refresh(exec: Executor): Promise<CompiledConfig> {
    const version = await configStore.version(exec);
    if (!this.current || this.current.version !== version) this.current = await this.load(exec, version);
    // Only once `current` holds that version: callers arriving while load() runs must not be told the
    // old configuration is fresh (on PostgreSQL a just-applied integration key answered 404 meanwhile).
    this.checkedAt = this.clock.now();
    return this.current;
  }

  private async load(exec: Executor, version: number): Promise<CompiledConfig> {
    const routes = await configStore.list<RouteSpec>(exec, 'Route');
    const rootSpec = routes.find((r) => r.name === ROOT_ROUTE)?.spec;
    let root: RouteNode | undefined;
    let rootError: string | undefined;
    try {
      root = rootSpec ? compileRouteTree(rootSpec) : undefined;
    } catch (err) {
      rootError = (err as Error).message;
    }
    const receivers = new Map(
      (await configStore.list<ReceiverSpec>(exec, 'Receiver')).map((r) => [r.name, r.spec] as const),
    );
    const inhibit = (await configStore.list<InhibitRuleSpec>(exec, 'InhibitRule')).map((r) =>
      compileInhibitRule(r.name, r.spec),
    );
    const intervals = new Map(
      (await configStore.list<TimeIntervalSpec>(exec, 'TimeInterval')).map(
        (r) => [r.name, compileTimeInterval(r.spec)] as const,
      ),
    );
    const windows = (await configStore.list<MaintenanceWindowSpec>(exec, 'MaintenanceWindow')).map((r) => ({
      name: r.name,
      spec: r.spec,
      matchers: r.spec.matchers.map(parseMatcher),
      checks: new Set(r.spec.checks),
    }));
    const silenceRows = await db(exec)
      .selectFrom('alert_silences')
      .selectAll()
      .where('ends_at', '>', this.clock.now() - 60_000)
      .execute();
    const silences = silenceRows.map((s) => ({
      id: s.id,
      name: s.name,
      matchers: (JSON.parse(s.matchers_json) as string[]).map(parseMatcher),
      startsAt: Number(s.starts_at),
      endsAt: Number(s.ends_at),
    }));
    const integrationRows = await db(exec).selectFrom('alert_integrations').selectAll().execute();
    const integrationsByHash = new Map(
      integrationRows.map(
        (r) =>
          [
            r.key_hash,
            {
              id: r.id,
              name: r.name,
              type: r.type as IntegrationType,
              spec: JSON.parse(r.spec_json) as IntegrationSpec,
              labels: JSON.parse(r.labels_json),
            },
          ] as const,
      ),
    );
    return { version, root, rootError, receivers, inhibit, intervals, windows, silences, integrationsByHash };
  }
}
