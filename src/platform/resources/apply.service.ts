import type { Principal } from '../accounts/principal.js';
import { can } from '../accounts/principal.js';
import type { Actor } from '../audit/audit.model.js';
import type { Database, Executor } from '../db/database.js';
import { DomainError, type FieldError, InputError, NotAllowedError, NotFoundError } from '../errors.js';
import type { Page } from '../http/pagination.js';
import { fieldErrors } from '../http/validation.js';
import { diffValues, type FieldChange } from './diff.js';
import type { ResourceRegistry } from './registry.js';
import {
  type AnyKind,
  DocumentEnvelopeSchema,
  type ResourceDocument,
  type StoredResource,
  toDocument,
} from './resource.js';

export interface ApplyInput {
  documents: Array<{ source?: string | undefined; document: unknown }>;
  dryRun: boolean;
  prune: boolean;
}

export interface PlannedChange {
  action: 'create' | 'update' | 'delete' | 'unchanged';
  kind: string;
  name: string;
  source?: string | undefined;
  diff: FieldChange[];
}

export interface ApplyResult {
  dryRun: boolean;
  applied: boolean;
  changes: PlannedChange[];
}

interface Desired {
  index: number;
  source: string;
  kind: AnyKind;
  res: StoredResource<unknown>;
}

class DryRunRollback extends Error {}

/**
 * Configuration as code: plan and apply a set of resource documents in one
 * transaction (all or nothing), get, delete and export them. A dry run performs
 * the whole apply — reference checks included — and rolls it back.
 */
export class ResourceService {
  constructor(
    private readonly database: Database,
    private readonly registry: ResourceRegistry,
  ) {}

  private validate(input: ApplyInput): Desired[] {
    const errors: FieldError[] = [];
    const desired: Desired[] = [];
    const seen = new Map<string, string>();
    input.documents.forEach((entry, index) => {
      const prefix = `documents.${index}`;
      const source = entry.source ?? `document ${index + 1}`;
      const env = DocumentEnvelopeSchema.safeParse(entry.document);
      if (!env.success) {
        errors.push(...fieldErrors(env.error, prefix));
        return;
      }
      const kind = this.registry.find(env.data.kind);
      if (!kind) {
        errors.push({
          path: `${prefix}.kind`,
          message: `unknown kind ${env.data.kind}; known: ${this.registry.names().join(', ')}`,
        });
        return;
      }
      const name = kind.nameSchema.safeParse(env.data.metadata.name);
      if (!name.success) errors.push(...fieldErrors(name.error, `${prefix}.metadata.name`));
      const spec = kind.specSchema.safeParse(env.data.spec ?? {});
      if (!spec.success) errors.push(...fieldErrors(spec.error, `${prefix}.spec`));
      if (!name.success || !spec.success) return;
      const key = `${kind.kind}/${name.data}`;
      const dup = seen.get(key);
      if (dup) {
        errors.push({ path: `${prefix}.metadata.name`, message: `${key} is also defined in ${dup}` });
        return;
      }
      seen.set(key, source);
      desired.push({
        index,
        source,
        kind,
        res: { name: name.data, labels: env.data.metadata.labels ?? {}, spec: spec.data },
      });
    });
    if (errors.length) throw invalid(errors, input);
    return desired;
  }

  async apply(principal: Principal, actor: Actor, input: ApplyInput): Promise<ApplyResult> {
    const desired = this.validate(input);
    desired.sort((a, b) => a.kind.order - b.kind.order || a.index - b.index);
    const changes: PlannedChange[] = [];
    let tx: Executor | undefined;
    let committed = false;
    try {
      await this.database.transaction(async (trx) => {
        tx = trx;
        for (const d of desired) {
          const current = await d.kind.get(trx, d.res.name);
          const change = planOne(d, current);
          changes.push(change);
          if (change.action === 'unchanged') continue;
          this.authorize(principal, d.kind, change, input);
          await this.run(d.index, d.source, () =>
            current ? d.kind.update(trx, actor, d.res, current) : d.kind.create(trx, actor, d.res),
          );
        }
        if (input.prune) await this.prune(trx, principal, actor, desired, changes, input);
        if (input.dryRun) throw new DryRunRollback();
      });
      committed = true;
    } catch (err) {
      if (!(err instanceof DryRunRollback)) throw err;
    } finally {
      if (tx) for (const kind of this.registry.all()) kind.settle?.(tx, committed);
    }
    return { dryRun: input.dryRun, applied: !input.dryRun, changes };
  }

  private async prune(
    trx: Executor,
    principal: Principal,
    actor: Actor,
    desired: Desired[],
    changes: PlannedChange[],
    input: ApplyInput,
  ) {
    const kinds = [...new Set(desired.map((d) => d.kind))].sort((a, b) => b.order - a.order);
    for (const kind of kinds) {
      const keep = new Set(desired.filter((d) => d.kind === kind).map((d) => d.res.name));
      for (const res of await kind.list(trx)) {
        if (keep.has(res.name)) continue;
        const change: PlannedChange = { action: 'delete', kind: kind.kind, name: res.name, diff: [] };
        changes.push(change);
        this.authorize(principal, kind, change, input);
        await this.run(-1, `${kind.kind}/${res.name} (prune)`, () => kind.delete(trx, actor, res.name));
      }
    }
  }

  private authorize(principal: Principal, kind: AnyKind, change: PlannedChange, input: ApplyInput): void {
    if (can(principal, kind.writeRole)) return;
    throw new NotAllowedError(
      `${change.source ?? `${kind.kind}/${change.name}`}: you need the ${kind.writeRole} role to ${change.action} ${kind.kind} resources`,
      { hint: input.dryRun ? 'nothing was applied (dry run)' : 'nothing was applied' },
    );
  }

  /** Runs one kind operation; its domain errors come back naming the document and field. */
  private async run(index: number, source: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (!(err instanceof DomainError) || err instanceof NotAllowedError) throw err;
      const prefix = index >= 0 ? `documents.${index}.spec` : '';
      const fields = (err.fields ?? [{ path: '', message: err.message }]).map((f) => ({
        path: [prefix, f.path].filter(Boolean).join('.'),
        message: f.message,
      }));
      throw new InputError(`${source}: ${err.message}; nothing was applied`, {
        code: err.code === 'invalid_input' ? 'invalid_resource' : err.code,
        fields,
        hint: err.hint ?? 'fix the document and apply again',
      });
    }
  }

  kinds() {
    return this.registry
      .all()
      .map((k) => ({ kind: k.kind, plural: k.plural, description: k.description, writeRole: k.writeRole }));
  }

  async list(
    kindName: string,
    page: { limit: number; offset: number; q?: string | undefined },
  ): Promise<Page<ResourceDocument>> {
    const kind = this.registry.require(kindName);
    let all = await kind.list(this.database.db);
    if (page.q) all = all.filter((r) => r.name.toLowerCase().includes(page.q!.toLowerCase()));
    return {
      items: all.slice(page.offset, page.offset + page.limit).map((r) => toDocument(kind, r)),
      total: all.length,
      limit: page.limit,
      offset: page.offset,
    };
  }

  async get(kindName: string, name: string): Promise<ResourceDocument> {
    const kind = this.registry.require(kindName);
    const res = await kind.get(this.database.db, name);
    if (!res) throw new NotFoundError(`no ${kind.kind} named ${name}`);
    return toDocument(kind, res);
  }

  async delete(principal: Principal, actor: Actor, kindName: string, name: string): Promise<void> {
    const kind = this.registry.require(kindName);
    if (!can(principal, kind.writeRole))
      throw new NotAllowedError(`you need the ${kind.writeRole} role to delete ${kind.kind} resources`);
    let tx: Executor | undefined;
    let committed = false;
    try {
      await this.database.transaction(async (trx) => {
        tx = trx;
        if (!(await kind.get(trx, name))) throw new NotFoundError(`no ${kind.kind} named ${name}`);
        await kind.delete(trx, actor, name);
      });
      committed = true;
    } finally {
      if (tx) kind.settle?.(tx, committed);
    }
  }

  /** Every resource of every kind, in apply order; re-applying it changes nothing. */
  async export(): Promise<ResourceDocument[]> {
    const out: ResourceDocument[] = [];
    for (const kind of this.registry.all()) {
      for (const res of await kind.list(this.database.db)) out.push(toDocument(kind, res));
    }
    return out;
  }
}

function planOne(d: Desired, current: StoredResource<unknown> | undefined): PlannedChange {
  const base = { kind: d.kind.kind, name: d.res.name, source: d.source };
  const spec = d.kind.canonical(d.res.name, d.res.spec, current?.spec);
  if (!current)
    return { ...base, action: 'create', diff: diffValues(undefined, { metadata: { labels: d.res.labels }, spec }) };
  const diff = diffValues(
    { metadata: { labels: current.labels }, spec: current.spec },
    { metadata: { labels: d.res.labels }, spec },
  );
  return { ...base, action: diff.length ? 'update' : 'unchanged', diff };
}

function invalid(errors: FieldError[], input: ApplyInput): InputError {
  const first = errors[0]!;
  const index = Number(/^documents\.(\d+)/.exec(first.path)?.[1] ?? -1);
  const source = input.documents[index]?.source ?? (index >= 0 ? `document ${index + 1}` : 'request');
  return new InputError(
    `${source}: ${first.path.replace(/^documents\.\d+\.?/, '') || 'document'}: ${first.message}; nothing was applied`,
    {
      code: 'invalid_resource',
      fields: errors,
      hint: 'each field path starts with documents.<index>, the position of the document in the request',
    },
  );
}
