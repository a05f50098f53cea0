import { z } from 'zod';
import { RoleSchema } from '../accounts/roles.js';
import { PageQuerySchema, pageSchema } from '../http/pagination.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import type { ResourceService } from './apply.service.js';
import { ResourceDocumentSchema } from './resource.js';

const ApplyBody = z.strictObject({
  documents: z
    .array(z.strictObject({ source: z.string().max(1000).optional(), document: z.unknown() }))
    .max(10_000)
    .describe('resource documents; `source` (e.g. users.yaml#2) is echoed in the plan and in errors'),
  dryRun: z.boolean().default(false),
  prune: z.boolean().default(false).describe('delete resources of the kinds present that the documents do not name'),
});

const ApplyResponse = z.object({
  dryRun: z.boolean(),
  applied: z.boolean(),
  changes: z.array(
    z.object({
      action: z.enum(['create', 'update', 'delete', 'unchanged']),
      kind: z.string(),
      name: z.string(),
      source: z.string().optional(),
      diff: z.array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() })),
    }),
  ),
});

const KindParams = z.object({ kind: z.string().min(1).max(64) });
const KindNameParams = KindParams.extend({ name: z.string().min(1).max(253) });

export function resourcesRoutes(resources: ResourceService): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/apply',
      summary: 'Apply resource documents (configuration as code): plan, then all or nothing',
      tags: ['resources'],
      access: { role: 'viewer', team: true },
      body: ApplyBody,
      response: ApplyResponse,
      bodyLimit: 16 * 1024 * 1024,
      handler: ({ principal, actor, body }) => resources.apply(principal, actor, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/resources',
      summary: 'Resource kinds known to configuration as code',
      tags: ['resources'],
      access: { role: 'viewer', team: true },
      response: z.object({
        kinds: z.array(
          z.object({ kind: z.string(), plural: z.string(), description: z.string(), writeRole: RoleSchema }),
        ),
      }),
      handler: async () => ({ kinds: resources.kinds() }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/resources/:kind',
      summary: 'List resources of a kind as documents',
      tags: ['resources'],
      access: { role: 'viewer', team: true },
      params: KindParams,
      query: PageQuerySchema,
      response: pageSchema(ResourceDocumentSchema),
      handler: ({ params, query }) => resources.list(params.kind, query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/resources/:kind/:name',
      summary: 'Get one resource as a document',
      tags: ['resources'],
      access: { role: 'viewer', team: true },
      params: KindNameParams,
      response: ResourceDocumentSchema,
      handler: ({ params }) => resources.get(params.kind, params.name),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/resources/:kind/:name',
      summary: 'Delete one resource',
      tags: ['resources'],
      access: { role: 'viewer', team: true },
      params: KindNameParams,
      response: null,
      handler: ({ principal, actor, params }) => resources.delete(principal, actor, params.kind, params.name),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/export',
      summary: 'Every resource as documents that re-apply to the same state',
      tags: ['resources'],
      access: { role: 'viewer', team: true },
      response: z.object({ documents: z.array(ResourceDocumentSchema) }),
      handler: async () => ({ documents: await resources.export() }),
    }),
  ];
}
