import { z } from 'zod';
import { InputError } from '../platform/errors.js';
import { PageQuerySchema, pageSchema } from '../platform/http/pagination.js';
import { type AnyRoute, defineRoute } from '../platform/http/route.js';
import { LabelsSchema } from '../platform/resources/resource.js';
import { ALERT_SOURCES, AlertHistorySchema, AlertViewSchema, SEVERITIES } from './alert.model.js';
import type { AlertsService } from './alerts.service.js';
import { DurationSchema, MatchersSchema, parseDuration, ResourceNameSchema } from './config.model.js';
import { type Matcher, MatcherError, parseMatcherList } from './matchers.js';

const IdParams = z.object({ id: z.string().min(1).max(100) });
const NameParams = z.object({ name: z.string().min(1).max(128) });
const Instant = z.iso.datetime({ offset: true });

const multi = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

function parseFilterMatchers(texts: string[]): Matcher[] {
  const out: Matcher[] = [];
  texts.forEach((t, i) => {
    try {
      out.push(...parseMatcherList(t));
    } catch (err) {
      const message = err instanceof MatcherError ? err.message : 'invalid matcher';
      throw new InputError(`matcher: ${message}`, {
        fields: [{ path: `matcher.${i}`, message }],
        hint: 'matchers look like severity="critical", service=~"api|web", env!="dev"',
      });
    }
  });
  return out;
}

const ListQuery = PageQuerySchema.extend({
  status: z.enum(['firing', 'resolved', 'all']).default('firing'),
  matcher: multi.describe('Alertmanager matchers, e.g. severity="critical" or {a="1",b=~"x|y"}; repeatable'),
  source: z.enum(ALERT_SOURCES).optional(),
  severity: z.enum(SEVERITIES).optional(),
});

const SilenceViewSchema = z.object({
  name: z.string(),
  matchers: z.array(z.string()),
  startsAt: z.string(),
  endsAt: z.string(),
  createdBy: z.string(),
  comment: z.string(),
  state: z.enum(['active', 'pending', 'expired']),
});

const SilenceBody = z
  .strictObject({
    name: ResourceNameSchema.optional(),
    matchers: MatchersSchema.min(1, 'a silence needs at least one matcher'),
    startsAt: Instant.optional(),
    endsAt: Instant.optional(),
    duration: DurationSchema.optional().describe('instead of endsAt: 2h, 30m, 1d'),
    comment: z.string().min(1, 'say why').max(2000),
  })
  .refine((b) => (b.endsAt === undefined) !== (b.duration === undefined), {
    message: 'give endsAt or duration (one of them)',
    path: ['endsAt'],
  });

const RouteNodeView: z.ZodType<unknown> = z.lazy(() =>
  z.object({
    path: z.string(),
    receiver: z.string(),
    matchers: z.array(z.string()),
    continue: z.boolean(),
    groupBy: z.array(z.string()),
    groupWaitMs: z.number(),
    groupIntervalMs: z.number(),
    repeatIntervalMs: z.number(),
    muteTimeIntervals: z.array(z.string()),
    activeTimeIntervals: z.array(z.string()),
    children: z.array(RouteNodeView),
  }),
);

// biome-ignore lint/suspicious/noExplicitAny: a compiled RouteNode, shaped for JSON
function routeNodeJson(n: any): unknown {
  return {
    path: n.path,
    receiver: n.receiver,
    matchers: n.matchers.map((m: Matcher) => `${m.name}${m.op}${JSON.stringify(m.value)}`),
    continue: n.continue,
    groupBy: n.groupBy === 'all' ? ['...'] : n.groupBy,
    groupWaitMs: n.groupWaitMs,
    groupIntervalMs: n.groupIntervalMs,
    repeatIntervalMs: n.repeatIntervalMs,
    muteTimeIntervals: n.muteTimeIntervals,
    activeTimeIntervals: n.activeTimeIntervals,
    children: n.children.map(routeNodeJson),
  };
}

/** REST API of the alert pipeline (the intake protocols are in intake.routes.ts). */
export function alertRoutes(svc: AlertsService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/alerts',
      summary: 'List alerts (firing by default), filtered by matchers, paged',
      tags: ['alerts'],
      access: { role: 'viewer', team: true },
      query: ListQuery,
      response: pageSchema(AlertViewSchema).extend({ partial: z.boolean() }),
      handler: ({ query }) =>
        svc.list(
          {
            status: query.status,
            matchers: parseFilterMatchers(query.matcher),
            q: query.q,
            source: query.source,
            severity: query.severity,
          },
          query,
        ),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/alerts/:id',
      summary: 'One alert with its why-trail',
      tags: ['alerts'],
      access: { role: 'viewer', team: true },
      params: IdParams,
      response: AlertViewSchema,
      handler: ({ params }) => svc.get(params.id),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/alerts/:id/history',
      summary: "An alert's history (triggered, repeats, notifications, holds, resolution)",
      tags: ['alerts'],
      access: { role: 'viewer', team: true },
      params: IdParams,
      query: PageQuerySchema,
      response: pageSchema(AlertHistorySchema),
      handler: ({ params, query }) => svc.history(params.id, query),
    }),
    ...(['acknowledge', 'resolve'] as const).map((action) =>
      defineRoute({
        method: 'POST',
        url: `/api/v1/alerts/:id/${action}`,
        summary: `${action === 'acknowledge' ? 'Acknowledge' : 'Resolve'} an alert`,
        tags: ['alerts'],
        access: 'responder',
        params: IdParams,
        response: AlertViewSchema,
        handler: ({ params, actor }) => svc.act(actor, params.id, action),
      }),
    ),
    defineRoute({
      method: 'GET',
      url: '/api/v1/alert-groups',
      summary: 'Alert groups (routing tree node × group labels) with their timers',
      tags: ['alerts'],
      access: { role: 'viewer', team: true },
      query: PageQuerySchema,
      response: pageSchema(
        z.object({
          id: z.string(),
          route: z.string(),
          receiver: z.string(),
          labels: z.record(z.string(), z.string()),
          alerts: z.number(),
          createdAt: z.string(),
          nextFlushAt: z.string().nullable(),
          lastNotifiedAt: z.string().nullable(),
          held: z.boolean(),
        }),
      ),
      handler: ({ query }) => svc.groups(query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/alert-groups/:id/notifications',
      summary: "A group's notifications with delivery receipts",
      tags: ['alerts'],
      access: { role: 'viewer', team: true },
      params: IdParams,
      response: z.object({
        items: z.array(
          z.object({
            id: z.string(),
            at: z.string(),
            receiver: z.string(),
            status: z.string(),
            firing: z.number(),
            resolved: z.number(),
            targets: z.number(),
            delivered: z.number(),
            failed: z.number(),
            receipts: z.array(z.unknown()),
          }),
        ),
      }),
      handler: async ({ params }) => ({ items: await svc.notifications(params.id, 100) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/routing/tree',
      summary: 'The compiled routing tree (inherited settings filled in)',
      tags: ['alerts'],
      access: { role: 'viewer', team: true },
      response: z.object({ root: RouteNodeView.nullable(), error: z.string().nullable() }),
      handler: async () => {
        const t = await svc.tree();
        return { root: t.root ? routeNodeJson(t.root) : null, error: t.error };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/routing/test',
      summary: 'Which routes, receivers and groups a label set reaches',
      tags: ['alerts'],
      access: { role: 'viewer', team: true },
      body: z.strictObject({ labels: LabelsSchema }),
      response: z.object({
        routes: z.array(
          z.object({
            route: z.string(),
            receiver: z.string(),
            groupBy: z.array(z.string()),
            groupLabels: z.record(z.string(), z.string()),
            groupKey: z.string(),
            groupWaitMs: z.number(),
            groupIntervalMs: z.number(),
            repeatIntervalMs: z.number(),
            mutedNow: z.array(z.string()),
          }),
        ),
        silencedBy: z.array(z.string()),
        unrouted: z.boolean(),
      }),
      handler: ({ body }) => svc.testLabels(body.labels),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/silences',
      summary: 'List silences',
      tags: ['alerts'],
      access: { role: 'viewer', team: true },
      query: PageQuerySchema.extend({ state: z.enum(['active', 'pending', 'expired', 'all']).default('all') }),
      response: pageSchema(SilenceViewSchema),
      handler: ({ query }) => svc.silences(query.state, query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/silences/:name',
      summary: 'One silence',
      tags: ['alerts'],
      access: { role: 'viewer', team: true },
      params: NameParams,
      response: SilenceViewSchema,
      handler: ({ params }) => svc.silence(params.name),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/silences',
      summary: 'Create (or replace, by name) a silence',
      tags: ['alerts'],
      access: 'responder',
      body: SilenceBody,
      status: 201,
      response: SilenceViewSchema,
      handler: ({ body, actor }) =>
        svc.createSilence(actor, {
          name: body.name,
          matchers: body.matchers,
          startsAt: body.startsAt,
          endsAt: body.endsAt,
          durationMs: body.duration ? parseDuration(body.duration) : undefined,
          comment: body.comment,
        }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/silences/:name/expire',
      summary: 'End a silence now',
      tags: ['alerts'],
      access: 'responder',
      params: NameParams,
      response: SilenceViewSchema,
      handler: ({ params, actor }) => svc.expireSilence(actor, params.name),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/silences/preview',
      summary: 'Firing alerts that matchers would silence',
      tags: ['alerts'],
      access: { role: 'viewer', team: true },
      body: z.strictObject({ matchers: MatchersSchema.min(1) }),
      response: z.object({ total: z.number(), items: z.array(AlertViewSchema) }),
      handler: ({ body }) => svc.preview(body.matchers, 50),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/maintenance/calendar',
      summary: 'Maintenance window occurrences between two instants',
      tags: ['alerts'],
      access: { role: 'viewer', team: true },
      query: z.object({ from: Instant, to: Instant }).refine((q) => Date.parse(q.to) > Date.parse(q.from), {
        message: 'must be after from',
        path: ['to'],
      }),
      response: z.object({
        items: z.array(
          z.object({
            window: z.string(),
            start: z.string(),
            end: z.string(),
            matchers: z.array(z.string()),
            checks: z.array(z.string()),
            comment: z.string().nullable(),
          }),
        ),
      }),
      handler: async ({ query }) => {
        const from = Date.parse(query.from);
        const to = Date.parse(query.to);
        if (to - from > 400 * 86_400_000)
          throw new InputError('the calendar spans at most 400 days', {
            fields: [{ path: 'to', message: 'at most 400 days after from' }],
          });
        return { items: await svc.calendar(from, to) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/integrations',
      summary: 'Intake integrations (keys are not listed)',
      tags: ['alerts'],
      access: { role: 'viewer', team: true },
      response: z.object({
        items: z.array(
          z.object({
            name: z.string(),
            type: z.string(),
            labels: z.record(z.string(), z.string()),
            createdAt: z.string(),
          }),
        ),
      }),
      handler: async () => ({ items: await svc.integrations() }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/integrations/:name/key',
      summary: "Reveal an integration's key (audited)",
      tags: ['alerts'],
      access: 'editor',
      params: NameParams,
      response: z.object({ key: z.string() }),
      handler: async ({ params, actor }) => ({ key: await svc.integrationKey(actor, params.name) }),
    }),
  ];
}
