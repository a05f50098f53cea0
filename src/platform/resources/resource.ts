import { z } from 'zod';
import type { Role } from '../accounts/roles.js';
import type { Actor } from '../audit/audit.model.js';
import type { Executor } from '../db/database.js';

export const API_VERSION = 'mainstay/v1';

export const LabelsSchema = z.record(
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_./-]{0,62}$/, 'label names are letters, digits, _ . / -, starting with a letter or _'),
  z.string().max(1024),
);

/** Names of configuration kinds that other resources refer to (schedules, policies, channels…). */
export const ResourceNameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9_.-]{0,251}[a-z0-9])?$/, 'lowercase letters, digits, _ . -, at most 253 characters');

export const MetadataSchema = z.strictObject({
  name: z.string().min(1, 'must not be empty').max(253),
  labels: LabelsSchema.optional(),
});

/** The envelope of every YAML/JSON resource document; `spec` is validated by the kind. */
export const DocumentEnvelopeSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION, { message: `must be ${API_VERSION}` }),
  kind: z.string().min(1),
  metadata: MetadataSchema,
  spec: z.unknown(),
});

export const ResourceDocumentSchema = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.string(),
  metadata: z.object({ name: z.string(), labels: z.record(z.string(), z.string()).optional() }),
  spec: z.unknown(),
});
export type ResourceDocument = z.infer<typeof ResourceDocumentSchema>;

/** A resource as a kind stores it: canonical spec, so equal resources compare equal. */
export interface StoredResource<Spec> {
  name: string;
  labels: Record<string, string>;
  spec: Spec;
}

/**
 * One kind of resource for configuration as code. Modules register kinds; apply,
 * get, delete and export work through this interface only.
 */
export interface ResourceKind<Spec> {
  kind: string;
  plural: string;
  description: string;
  /** Role needed to create, change or delete resources of this kind. */
  writeRole: Role;
  /** Apply order: lower first for creates and updates, reverse for deletes (users before teams). */
  order: number;
  nameSchema: z.ZodType<string>;
  specSchema: z.ZodType<Spec>;
  /**
   * The form plans compare: fills derived defaults so a document and the stored
   * resource compare equal, and may stand in for write-only fields (a Secret's value
   * becomes a keyed digest; an omitted value keeps `current`'s).
   */
  canonical(name: string, spec: Spec, current?: Spec): Spec;
  list(exec: Executor): Promise<StoredResource<Spec>[]>;
  get(exec: Executor, name: string): Promise<StoredResource<Spec> | undefined>;
  /** Writes the document as given (parsed, not canonical). */
  create(exec: Executor, actor: Actor, res: StoredResource<Spec>): Promise<void>;
  update(exec: Executor, actor: Actor, res: StoredResource<Spec>, current: StoredResource<Spec>): Promise<void>;
  delete(exec: Executor, actor: Actor, name: string): Promise<void>;
  /** Called after the apply's transaction ends, for kinds with in-memory effects (the check scheduler). */
  settle?(exec: Executor, committed: boolean): void;
}

// biome-ignore lint/suspicious/noExplicitAny: kinds have different spec types
export type AnyKind = ResourceKind<any>;

export function toDocument(kind: AnyKind, res: StoredResource<unknown>): ResourceDocument {
  return {
    apiVersion: API_VERSION,
    kind: kind.kind,
    metadata: { name: res.name, ...(Object.keys(res.labels).length ? { labels: res.labels } : {}) },
    spec: res.spec,
  };
}
