import { createHash } from 'node:crypto';
import type { Actor } from '../platform/audit/audit.model.js';
import type { AuditStore } from '../platform/audit/audit.store.js';
import type { Clock } from '../platform/clock.js';
import type { Database, Executor } from '../platform/db/database.js';
import { isUniqueViolation } from '../platform/db/errors.js';
import { ConflictError, InputError, NotFoundError } from '../platform/errors.js';
import type { Page, PageQuery } from '../platform/http/pagination.js';
import { newId, randomSecret } from '../platform/ids.js';
import type { SecretBox } from '../platform/secrets/secret-box.js';
import type { CheckSpec } from './check.model.js';
import type { CheckQueries } from './check.queries.js';
import type { CheckRuntime } from './check.runtime.js';
import { initialState } from './check.state.js';
import { type CheckFilter, type CheckRecord, checkStore, stateToRow, toRecord } from './check.store.js';
import type { CheckRow } from './check.tables.js';
import { type CheckSummary, type CheckView, summaryOf, viewOf } from './check.views.js';
import type { ResultSink } from './result-sink.js';
import { resultsStore } from './results.store.js';

export interface CheckInput {
  name: string;
  labels?: Record<string, string> | undefined;
  spec: CheckSpec;
}

export function hashPingKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Checks: create, change, pause, delete (each audited in its transaction, and
 * applied to the running scheduler at once), and the read side for the API.
 */
export class CheckService {
  constructor(
    readonly database: Database,
    private readonly clock: Clock,
    private readonly audit: AuditStore,
    private readonly box: SecretBox,
    private readonly runtime: CheckRuntime,
    private readonly sink: ResultSink,
    readonly queries: CheckQueries,
  ) {}

  /** By id, or by name when no id matches. */
  async record(idOrName: string, exec: Executor = this.database.db): Promise<CheckRecord> {
    const row = (await checkStore.byId(exec, idOrName)) ?? (await checkStore.byName(exec, idOrName));
    if (!row) throw new NotFoundError(`no check ${idOrName}`);
    return toRecord(row);
  }

  now(): number {
    return this.clock.now();
  }

  async runNow(idOrName: string) {
    return this.runtime.runOnce(await this.record(idOrName));
  }

  results(
    seq: number,
    f: { ok?: boolean | undefined; from?: number | undefined; to?: number | undefined },
    page: { limit: number; offset: number },
  ) {
    return resultsStore.resultsPage(this.database.db, seq, f, page);
  }

  pingKey(c: CheckRecord): string | null {
    return c.pingKeySealed ? this.box.open(c.pingKeySealed) : null;
  }

  async view(idOrName: string, opts: { withPingKey: boolean }): Promise<CheckView> {
    const c = await this.record(idOrName);
    const state =
      this.sink.state(c.id) ?? (await checkStore.state(this.database.db, c.id)) ?? initialState(c.enabled, c.createdAt);
    return viewOf(c, state, opts.withPingKey ? this.pingKey(c) : null);
  }

  async list(filter: CheckFilter, page: PageQuery): Promise<Page<CheckSummary>> {
    const rows = await checkStore.list(this.database.db, filter, page);
    const now = this.clock.now();
    const bars = await this.queries.hourly24(
      rows.items.map((r) => r.seq),
      now,
    );
    // States come from memory (the runner's, or read back from the other instances); the database
    // only for a check this instance has not loaded yet.
    const missing = rows.items.filter((r) => !this.sink.state(r.id)).map((r) => r.id);
    const stored = missing.length ? await checkStore.statesOf(this.database.db, missing) : new Map();
    return {
      ...rows,
      items: rows.items.map((row) => {
        const c = toRecord(row);
        const live = this.sink.state(c.id) ?? stored.get(c.id) ?? initialState(c.enabled, c.createdAt);
        return summaryOf(c, live, bars.get(c.seq));
      }),
    };
  }

  private async validateRefs(exec: Executor, input: CheckInput): Promise<void> {
    const deps = input.spec.dependsOn;
    if (deps.includes(input.name)) {
      throw new InputError('a check cannot depend on itself', {
        fields: [{ path: 'dependsOn', message: `${input.name} is this check` }],
      });
    }
    const found = await checkStore.idsByNames(exec, deps);
    const missing = deps.map((d, i) => [d, i] as const).filter(([d]) => !found.has(d));
    if (missing.length) {
      throw new InputError(`dependsOn names unknown checks: ${missing.map(([d]) => d).join(', ')}`, {
        fields: missing.map(([d, i]) => ({ path: `dependsOn.${i}`, message: `no check named ${d}` })),
      });
    }
  }

  async create(actor: Actor, input: CheckInput, exec?: Executor): Promise<CheckView> {
    const run = async (trx: Executor) => {
      await this.validateRefs(trx, input);
      if (await checkStore.byName(trx, input.name)) {
        throw new ConflictError(`a check named ${input.name} exists`, {
          code: 'already_exists',
          fields: [{ path: 'name', message: 'already taken' }],
        });
      }
      const now = this.clock.now();
      const key = input.spec.kind === 'heartbeat' ? randomSecret(18) : null;
      let row: CheckRow;
      try {
        row = await checkStore.insert(trx, {
          id: newId(now),
          name: input.name,
          kind: input.spec.kind,
          spec_json: JSON.stringify(input.spec),
          labels_json: JSON.stringify(input.labels ?? {}),
          enabled: input.spec.enabled ? 1 : 0,
          interval_ms: input.spec.intervalSeconds * 1000,
          ping_key_hash: key ? hashPingKey(key) : null,
          ping_key_sealed: key ? this.box.seal(key) : null,
          created_at: now,
          updated_at: now,
        });
      } catch (err) {
        if (isUniqueViolation(err))
          throw new ConflictError(`a check named ${input.name} exists`, { code: 'already_exists' });
        throw err;
      }
      const c = toRecord(row);
      const state = initialState(c.enabled, now);
      await checkStore.saveStates(trx, [stateToRow(c.id, state, now)]);
      const view = viewOf(c, state, null);
      await this.audit.record(trx, actor, {
        action: 'check.create',
        resourceType: 'check',
        resourceId: c.id,
        resourceName: c.name,
        after: view,
      });
      return { c, view };
    };
    const { c, view } = exec ? await run(exec) : await this.database.transaction(run);
    this.afterCommit(exec, () => this.runtime.apply(c));
    return view;
  }

  async update(actor: Actor, idOrName: string, input: CheckInput, exec?: Executor): Promise<CheckView> {
    const run = async (trx: Executor) => {
      const before = await this.record(idOrName, trx);
      if (input.name !== before.name) {
        throw new InputError('a check cannot be renamed', {
          fields: [{ path: 'name', message: `must stay ${before.name}` }],
          hint: 'create a new check and delete this one',
        });
      }
      await this.validateRefs(trx, input);
      const now = this.clock.now();
      let key: string | null = null;
      if (input.spec.kind === 'heartbeat' && !before.pingKeySealed) key = randomSecret(18);
      await checkStore.update(trx, before.id, {
        kind: input.spec.kind,
        spec_json: JSON.stringify(input.spec),
        labels_json: JSON.stringify(input.labels ?? {}),
        enabled: input.spec.enabled ? 1 : 0,
        interval_ms: input.spec.intervalSeconds * 1000,
        ...(key ? { ping_key_hash: hashPingKey(key), ping_key_sealed: this.box.seal(key) } : {}),
        updated_at: now,
      });
      const after = await this.record(before.id, trx);
      const state = this.sink.state(before.id) ?? initialState(after.enabled, now);
      await this.audit.record(trx, actor, {
        action: 'check.update',
        resourceType: 'check',
        resourceId: before.id,
        resourceName: before.name,
        before: viewOf(before, state, null),
        after: viewOf(after, state, null),
      });
      return { before, after, view: viewOf(after, state, null) };
    };
    // Inside a caller's transaction nothing may read outside it (SQLite has one connection).
    const { before, after, view } = exec ? await run(exec) : await this.database.transaction(run);
    this.afterCommit(exec, () => {
      if (before.enabled !== after.enabled) {
        // The instance that runs the check records the pause; elsewhere the answer shows it and
        // the runner writes it when it sees the change (CheckSync).
        if (this.runtime.owns(after.id)) this.runtime.setPaused(after, !after.enabled, actor.name);
        else this.runtime.previewPaused(after, !after.enabled);
      }
      this.runtime.apply(after);
    });
    if (exec) return view;
    // A pause or resume is an event people act on: make it durable before answering.
    if (before.enabled !== after.enabled) await this.sink.flush();
    return this.view(after.id, { withPingKey: false });
  }

  async setEnabled(actor: Actor, idOrName: string, enabled: boolean): Promise<CheckView> {
    const c = await this.record(idOrName);
    if (c.enabled === enabled) return this.view(c.id, { withPingKey: false });
    return this.update(actor, c.id, { name: c.name, labels: c.labels, spec: { ...c.spec, enabled } });
  }

  async delete(actor: Actor, idOrName: string, exec?: Executor): Promise<void> {
    const run = async (trx: Executor) => {
      const c = await this.record(idOrName, trx);
      const dependants = await checkStore.dependantsOf(trx, c.name);
      if (dependants.length) {
        throw new ConflictError(`checks depend on ${c.name}: ${dependants.map((d) => d.name).join(', ')}`, {
          code: 'has_dependants',
          hint: 'remove it from their dependsOn first',
        });
      }
      await checkStore.delete(trx, c.id);
      await this.audit.record(trx, actor, {
        action: 'check.delete',
        resourceType: 'check',
        resourceId: c.id,
        resourceName: c.name,
        before: viewOf(c, initialState(c.enabled, 0), null),
      });
      return c;
    };
    const c = exec ? await run(exec) : await this.database.transaction(run);
    this.afterCommit(exec, () => this.runtime.remove(c));
  }

  async rotatePingKey(actor: Actor, idOrName: string): Promise<CheckView> {
    const c = await this.record(idOrName);
    if (c.kind !== 'heartbeat') throw new InputError('only heartbeat checks have a ping key');
    const key = randomSecret(18);
    await this.database.transaction(async (trx) => {
      await checkStore.update(trx, c.id, {
        ping_key_hash: hashPingKey(key),
        ping_key_sealed: this.box.seal(key),
        updated_at: this.clock.now(),
      });
      await this.audit.record(trx, actor, {
        action: 'check.rotate_ping_key',
        resourceType: 'check',
        resourceId: c.id,
        resourceName: c.name,
      });
    });
    const after = await this.record(c.id);
    this.runtime.apply(after);
    return this.view(c.id, { withPingKey: true });
  }

  /** Finds a heartbeat check by its ping key (hashed lookup; unknown keys learn nothing). */
  async byPingKey(key: string): Promise<CheckRecord | undefined> {
    if (!/^[A-Za-z0-9_-]{10,64}$/.test(key)) return undefined;
    const row = await checkStore.byPingKeyHash(this.database.db, hashPingKey(key));
    return row ? toRecord(row) : undefined;
  }

  /**
   * Changes made inside a caller's transaction (config-as-code apply) reach the
   * scheduler only once that transaction commits: the apply service calls `settle`
   * with the transaction's outcome. Outside a caller's transaction they apply at once.
   */
  private readonly pending = new WeakMap<Executor, Array<() => void>>();
  private afterCommit(exec: Executor | undefined, fn: () => void): void {
    if (!exec) {
      fn();
      return;
    }
    const list = this.pending.get(exec) ?? [];
    list.push(fn);
    this.pending.set(exec, list);
  }

  settle(exec: Executor, committed: boolean): void {
    const fns = this.pending.get(exec) ?? [];
    this.pending.delete(exec);
    if (committed) for (const fn of fns) fn();
  }
}
