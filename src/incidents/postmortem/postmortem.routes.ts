import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../../platform/http/pagination.js';
import { type AnyRoute, defineRoute } from '../../platform/http/route.js';
import {
  ActionItemSchema,
  ActionItemStatusSchema,
  CreateActionItemSchema,
  PatchPostmortemSchema,
  PostmortemSchema,
  ReplacePostmortemSchema,
  UpdateActionItemSchema,
} from './postmortem.model.js';
import type { PostmortemService } from './postmortem.service.js';

const IncidentParams = z.object({ id: z.string().min(1).max(100).describe('incident id or number') });
const ItemParams = z.object({ itemId: z.string().min(1).max(100) });

/** `status=open,in_progress` or `status=open&status=in_progress`. */
const StatusList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) =>
    v === undefined
      ? undefined
      : (Array.isArray(v) ? v : [v])
          .flatMap((s) => s.split(','))
          .map((s) => s.trim())
          .filter((s) => s !== ''),
  )
  .pipe(z.array(ActionItemStatusSchema).optional())
  .describe('open, in_progress, done, wont_do; comma-separated or repeated');

const IncidentItemsQuery = PageQuerySchema.extend({
  status: StatusList,
  owner: z.string().max(254).optional().describe('owner email, or `me`'),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true'))
    .describe('true: open or in progress and due before today (UTC); false: all the others'),
  sort: PageQuerySchema.shape.sort.describe(
    'dueDate (default; undated last), createdAt, updatedAt, title; - for descending',
  ),
});
const ItemsQuery = IncidentItemsQuery.extend({
  incident: z.string().max(100).optional().describe('incident id or number'),
});

const tags = ['incidents'];

/** A file name safe for a Content-Disposition header. */
const fileName = (ref: string) => `incident-${ref.replace(/[^A-Za-z0-9_-]/g, '_')}-postmortem.md`;

/** REST API of postmortems and action items. */
export function postmortemRoutes(svc: PostmortemService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/:id/postmortem',
      summary: "An incident's postmortem",
      tags,
      access: 'viewer',
      params: IncidentParams,
      response: PostmortemSchema,
      handler: ({ params }) => svc.get(params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/incidents/:id/postmortem',
      summary: 'Start the postmortem from the template, pre-filled from the incident and its timeline',
      tags,
      access: 'responder',
      params: IncidentParams,
      response: PostmortemSchema,
      status: 201,
      handler: ({ params, actor }) => svc.create(actor, params.id),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/incidents/:id/postmortem',
      summary: 'Replace the postmortem document and/or change its status',
      description:
        'Send the `version` (or `updatedAt`) you last read; 409 `version_conflict` when someone saved in between.',
      tags,
      access: 'responder',
      params: IncidentParams,
      body: ReplacePostmortemSchema,
      response: PostmortemSchema,
      handler: ({ params, body, actor }) => svc.update(actor, params.id, body, 'replace'),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/incidents/:id/postmortem',
      summary: 'Change some sections of the postmortem and/or its status',
      description:
        'Sections left out stay as they are. Send the `version` (or `updatedAt`) you last read; 409 `version_conflict` when someone saved in between.',
      tags,
      access: 'responder',
      params: IncidentParams,
      body: PatchPostmortemSchema,
      response: PostmortemSchema,
      handler: ({ params, body, actor }) => svc.update(actor, params.id, body, 'patch'),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/:id/postmortem.md',
      summary: 'The postmortem as a Markdown document (text/markdown)',
      description: 'Answers `text/markdown; charset=utf-8`, not JSON.',
      tags,
      access: 'viewer',
      params: IncidentParams,
      // The route helper only describes JSON bodies; this handler sends the text itself.
      response: null,
      status: 200,
      handler: async ({ params, reply }) => {
        const text = await svc.markdown(params.id);
        await reply
          .status(200)
          .type('text/markdown; charset=utf-8')
          .header('content-disposition', `inline; filename="${fileName(params.id)}"`)
          .send(text);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/:id/action-items',
      summary: "An incident's action items, paged (due date first)",
      tags,
      access: 'viewer',
      params: IncidentParams,
      query: IncidentItemsQuery,
      response: pageSchema(ActionItemSchema),
      handler: ({ params, query, principal }) =>
        svc.incidentActionItems(
          params.id,
          {
            status: query.status,
            owner: query.owner === 'me' ? (principal.email ?? '') : query.owner,
            overdue: query.overdue,
            q: query.q,
          },
          query,
        ),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/incidents/:id/action-items',
      summary: 'Add an action item to an incident',
      tags,
      access: 'responder',
      params: IncidentParams,
      body: CreateActionItemSchema,
      response: ActionItemSchema,
      status: 201,
      handler: ({ params, body, actor }) => svc.createActionItem(actor, params.id, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/action-items',
      summary: 'Action items across incidents: filter by status, owner, incident, overdue; paged',
      tags,
      access: 'viewer',
      query: ItemsQuery,
      response: pageSchema(ActionItemSchema),
      handler: ({ query, principal }) =>
        svc.listActionItems(
          {
            status: query.status,
            owner: query.owner === 'me' ? (principal.email ?? '') : query.owner,
            incident: query.incident,
            overdue: query.overdue,
            q: query.q,
          },
          query,
        ),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/action-items/:itemId',
      summary: 'One action item',
      tags,
      access: 'viewer',
      params: ItemParams,
      response: ActionItemSchema,
      handler: ({ params }) => svc.getActionItem(params.itemId),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/action-items/:itemId',
      summary: 'Change an action item (done stamps doneAt; reopening clears it)',
      tags,
      access: 'responder',
      params: ItemParams,
      body: UpdateActionItemSchema,
      response: ActionItemSchema,
      handler: ({ params, body, actor }) => svc.updateActionItem(actor, params.itemId, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/action-items/:itemId',
      summary: 'Delete an action item',
      tags,
      access: 'responder',
      params: ItemParams,
      response: null,
      handler: ({ params, actor }) => svc.deleteActionItem(actor, params.itemId),
    }),
  ];
}
