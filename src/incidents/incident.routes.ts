import { z } from 'zod';
import { DeliverySchema } from '../notify/index.js';
import { PageQuerySchema, pageSchema } from '../platform/http/pagination.js';
import { type AnyRoute, defineRoute } from '../platform/http/route.js';
import {
  CreateIncidentSchema,
  IncidentSchema,
  LinkedAlertSchema,
  NoteSchema,
  RoleAssignSchema,
  RoleNameSchema,
  SEVERITIES,
  TimelineEntrySchema,
  UpdateIncidentSchema,
} from './incident.model.js';
import { actorLabel, type IncidentsService } from './incident.service.js';
import type { IncidentPeople } from './incident-people.service.js';
import { actionUrl } from './messages.js';

const Ref = z.object({ id: z.string().min(1).max(64) });
const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .max(200)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)));
const Instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const ListQuery = PageQuerySchema.extend({
  status: csv(['triggered', 'acknowledged', 'resolved']).optional(),
  severity: csv(SEVERITIES).optional(),
  service: z.string().max(200).optional(),
  team: z.string().max(63).optional(),
  from: Instant.optional(),
  to: Instant.optional(),
});
const StatsRow = z.object({
  key: z.string().nullable(),
  incidents: z.number().int(),
  acknowledged: z.number().int(),
  resolved: z.number().int(),
  mttaSeconds: z.number().nullable(),
  mttrSeconds: z.number().nullable(),
});

/** REST API of incidents: lifecycle, timeline, linked alerts, deliveries, notes, roles, responders, stats. */
export function incidentRoutes(
  svc: IncidentsService,
  people: IncidentPeople,
  deps: { now: () => number; linkContext: () => Parameters<typeof actionUrl>[0] },
): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents',
      summary: 'List incidents (filters: status, severity, service, team, q, from/to), paged',
      tags: ['incidents'],
      access: 'viewer',
      query: ListQuery,
      response: pageSchema(IncidentSchema),
      handler: ({ query }) =>
        svc.list(
          {
            status: query.status,
            severity: query.severity,
            service: query.service,
            team: query.team,
            q: query.q,
            from: query.from,
            to: query.to,
          },
          query,
        ),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/incidents',
      summary: 'Open an incident by hand (pages through `policy` when given)',
      tags: ['incidents'],
      access: 'responder',
      body: CreateIncidentSchema,
      response: IncidentSchema,
      status: 201,
      handler: ({ body, actor }) => svc.create(actor, body),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/:id',
      summary: 'One incident by id or number',
      tags: ['incidents'],
      access: 'viewer',
      params: Ref,
      response: IncidentSchema,
      handler: ({ params }) => svc.get(params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/api/v1/incidents/:id',
      summary: 'Change title, description, severity, urgency, service or labels',
      tags: ['incidents'],
      access: 'responder',
      params: Ref,
      body: UpdateIncidentSchema,
      response: IncidentSchema,
      handler: ({ params, body, actor }) => svc.update(actor, params.id, body),
    }),
    ...(['acknowledge', 'resolve', 'reopen'] as const).map((action) =>
      defineRoute({
        method: 'POST',
        url: `/api/v1/incidents/:id/${action}`,
        summary: `${action[0]?.toUpperCase()}${action.slice(1)} an incident (idempotent)`,
        tags: ['incidents'],
        access: 'responder',
        params: Ref,
        response: IncidentSchema,
        handler: ({ params, actor }) => svc.transition(params.id, action, actorLabel(actor), actor),
      }),
    ),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/:id/timeline',
      summary: 'The incident timeline, oldest first, paged',
      tags: ['incidents'],
      access: 'viewer',
      params: Ref,
      query: PageQuerySchema.extend({ limit: z.coerce.number().int().min(1).max(500).default(200) }),
      response: pageSchema(TimelineEntrySchema),
      handler: ({ params, query }) => svc.timeline(params.id, query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/:id/alerts',
      summary: 'Alerts linked to the incident',
      tags: ['incidents'],
      access: 'viewer',
      params: Ref,
      response: z.array(LinkedAlertSchema),
      handler: ({ params }) => svc.alerts(params.id),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/:id/deliveries',
      summary: 'Notifications sent for the incident, with delivery receipts',
      tags: ['incidents'],
      access: 'viewer',
      params: Ref,
      response: z.array(DeliverySchema),
      handler: ({ params }) => svc.deliveries(params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/incidents/:id/notes',
      summary: 'Add a note to the timeline',
      tags: ['incidents'],
      access: 'responder',
      params: Ref,
      body: NoteSchema,
      response: TimelineEntrySchema,
      status: 201,
      handler: ({ params, body, actor }) => people.note(actor, params.id, body.text),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/incidents/:id/roles',
      summary: 'Assign a role (commander, communications, or a custom one) to a person',
      tags: ['incidents'],
      access: 'responder',
      params: Ref,
      body: RoleAssignSchema,
      response: IncidentSchema,
      handler: ({ params, body, actor }) => people.assignRole(actor, params.id, body.role, body.user),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/incidents/:id/roles/:role',
      summary: 'Unassign a role',
      tags: ['incidents'],
      access: 'responder',
      params: Ref.extend({ role: RoleNameSchema }),
      response: IncidentSchema,
      handler: ({ params, actor }) => people.removeRole(actor, params.id, params.role),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/incidents/:id/responders',
      summary: 'Ask someone to respond: they are added and paged through their notification rules',
      tags: ['incidents'],
      access: 'responder',
      params: Ref,
      body: z.strictObject({ user: z.email(), message: z.string().max(500).optional() }),
      response: IncidentSchema,
      handler: ({ params, body, actor }) => people.addResponder(actor, params.id, body.user, body.message),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incidents/:id/action-links',
      summary: 'Signed, expiring acknowledge and resolve links for this incident (24 h)',
      tags: ['incidents'],
      access: 'responder',
      params: Ref,
      response: z.object({ acknowledge: z.string(), resolve: z.string(), expiresAt: z.iso.datetime() }),
      handler: async ({ params }) => {
        const inc = await svc.get(params.id);
        const ctx = deps.linkContext();
        return {
          acknowledge: actionUrl(ctx, inc.id, 'acknowledge'),
          resolve: actionUrl(ctx, inc.id, 'resolve'),
          expiresAt: new Date(ctx.now + 24 * 3_600_000).toISOString(),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/incident-stats',
      summary: 'MTTA and MTTR over incidents created in a range, overall or per service or team',
      tags: ['incidents'],
      access: 'viewer',
      query: z.object({ from: Instant.optional(), to: Instant.optional(), by: z.enum(['service', 'team']).optional() }),
      response: z.array(StatsRow),
      handler: ({ query }) => {
        const to = query.to ?? deps.now();
        return svc.stats({ from: query.from ?? to - 30 * 86_400_000, to }, query.by);
      },
    }),
  ];
}
