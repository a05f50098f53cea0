import { ApiError, api } from '../../api/client';
import type { Page, PageQuery } from '../../api/types';

/**
 * Configuration as code from the UI (src/platform/resources/resources.routes.ts): schedules,
 * escalation policies and channels are resources, read with GET /api/v1/resources/:kind and
 * written with POST /api/v1/apply, exactly as `mainstay apply` does.
 */

export interface ResourceDoc<Spec> {
  apiVersion: 'mainstay/v1';
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Spec;
}

export interface ApplyChange {
  action: 'create' | 'update' | 'delete' | 'unchanged';
  kind: string;
  name: string;
  diff: Array<{ path: string; before: unknown; after: unknown }>;
}

export interface ApplyResult {
  dryRun: boolean;
  applied: boolean;
  changes: ApplyChange[];
}

const enc = encodeURIComponent;

/**
 * Apply errors name fields as `documents.0.spec.levels.1.targets`; a one-document editor names its
 * inputs after the spec (`levels.1.targets`) and `metadata.name`. Rewrites the paths to match.
 */
function specPaths(err: unknown): unknown {
  if (!(err instanceof ApiError) || !err.fields.length) return err;
  return new ApiError({
    status: err.status,
    code: err.code,
    message: err.message,
    hint: err.hint?.startsWith('each field path starts with documents') ? undefined : err.hint,
    requestId: err.requestId,
    fields: err.fields.map((f) => ({
      ...f,
      path: f.path.replace(/^documents\.0\.spec\.?/, '').replace(/^documents\.0\./, '') || 'spec',
    })),
  });
}

export const resourcesApi = {
  list: <Spec>(kind: string, q: PageQuery, signal?: AbortSignal) =>
    api.get<Page<ResourceDoc<Spec>>>(`/api/v1/resources/${enc(kind)}`, { ...q }, signal),
  get: <Spec>(kind: string, name: string, signal?: AbortSignal) =>
    api.get<ResourceDoc<Spec>>(`/api/v1/resources/${enc(kind)}/${enc(name)}`, undefined, signal),
  remove: (kind: string, name: string) => api.delete(`/api/v1/resources/${enc(kind)}/${enc(name)}`),
  /** Applies one document; its field errors come back with spec-relative paths. */
  async applyOne<Spec>(kind: string, name: string, spec: Spec, dryRun = false): Promise<ApplyResult> {
    const document = { apiVersion: 'mainstay/v1', kind, metadata: { name }, spec };
    try {
      return await api.post<ApplyResult>('/api/v1/apply', {
        documents: [{ source: `${kind} ${name}`, document }],
        dryRun,
      });
    } catch (err) {
      throw specPaths(err);
    }
  },
};

/** Up to `limit` resource names of a kind, for suggestions in pickers (the server validates). */
export async function resourceNames(kind: string, signal?: AbortSignal, limit = 200): Promise<string[]> {
  const page = await resourcesApi.list<unknown>(kind, { limit, offset: 0 }, signal);
  return page.items.map((d) => d.metadata.name);
}
