import type { Database } from '../db/database.js';
import { PageQuerySchema, pageSchema } from '../http/pagination.js';
import { type AnyRoute, defineRoute } from '../http/route.js';
import { AuditEntrySchema } from './audit.model.js';
import type { AuditStore } from './audit.store.js';

const AuditQuery = PageQuerySchema.extend({
  action: PageQuerySchema.shape.q,
  resourceType: PageQuerySchema.shape.q,
  resourceId: PageQuerySchema.shape.q,
  actorId: PageQuerySchema.shape.q,
});

export function auditRoutes(database: Database, audit: AuditStore): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/audit',
      summary: 'Read the audit log (admins)',
      tags: ['audit'],
      access: 'admin',
      query: AuditQuery,
      response: pageSchema(AuditEntrySchema),
      handler: ({ query }) => audit.list(database.db, query, query),
    }),
  ];
}
