import { z } from 'zod';
import { can } from '../platform/accounts/principal.js';
import { PageQuerySchema, pageSchema } from '../platform/http/pagination.js';
import { type AnyRoute, defineRoute } from '../platform/http/route.js';
import { CHECK_KINDS, CheckBodySchema, CheckStatusSchema } from './check.model.js';
import type { CheckService } from './check.service.js';
import { EVENT_TYPES } from './check.state.js';
import { CertificateSchema, CheckSummarySchema, CheckViewSchema } from './check.views.js';
import { eventsPage, pingsPage, resultView } from './history.store.js';

const IdParams = z.object({ id: z.string().min(1).max(253) });
const Time = z.iso.datetime({ offset: true });

const ListQuery = PageQuerySchema.extend({
  status: CheckStatusSchema.optional(),
  kind: z.enum(CHECK_KINDS).optional(),
  label: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().regex(/^[^=]+=.*$/, 'key=value')))
    .describe('key=value; repeat to require several'),
});

const TimingsSchema = z.object({
  dnsMs: z.number().optional(),
  connectMs: z.number().optional(),
  tlsMs: z.number().optional(),
  firstByteMs: z.number().optional(),
  totalMs: z.number(),
});

export const ProbeResultSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  message: z.string(),
  error: z.object({ phase: z.string(), code: z.string() }).optional(),
  timings: TimingsSchema.optional(),
  details: z.record(z.string(), z.unknown()),
  certificate: CertificateSchema.optional(),
});

const ResultSchema = z.object({
  id: z.string(),
  at: z.string(),
  ok: z.boolean(),
  latencyMs: z.number(),
  code: z.number().nullable(),
  message: z.string().nullable(),
  error: z.object({ phase: z.string(), code: z.string() }).optional(),
  timings: z.record(z.string(), z.number()).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const SeriesSchema = z.object({
  step: z.enum(['raw', '1m', '1h', '1d']),
  points: z.array(
    z.object({
      t: z.string(),
      count: z.number(),
      failures: z.number(),
      avgMs: z.number().nullable(),
      minMs: z.number().nullable(),
      maxMs: z.number().nullable(),
      p95Ms: z.number().nullable(),
    }),
  ),
});

const EventSchema = z.object({
  id: z.string(),
  at: z.string(),
  type: z.enum(EVENT_TYPES),
  message: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});

const PingSchema = z.object({
  id: z.string(),
  at: z.string(),
  type: z.enum(['start', 'success', 'fail', 'exit']),
  exitCode: z.number().nullable(),
  durationMs: z.number().nullable(),
  body: z.string().nullable(),
  sourceIp: z.string().nullable(),
  userAgent: z.string().nullable(),
});

const splitBody = (b: z.infer<typeof CheckBodySchema>) => {
  const { name, labels, ...spec } = b;
  return { name, labels, spec };
};

export function checkRoutes(checks: CheckService): AnyRoute[] {
  const tags = ['checks'];
  const read = { role: 'viewer' as const, team: true as const };
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/checks',
      summary: 'List checks with their state and 24-hour uptime (paged, filtered on the server)',
      tags,
      access: read,
      query: ListQuery,
      response: pageSchema(CheckSummarySchema),
      handler: ({ query }) =>
        checks.list(
          {
            q: query.q,
            status: query.status,
            kind: query.kind,
            labels: query.label.map((l) => {
              const i = l.indexOf('=');
              return [l.slice(0, i), l.slice(i + 1)] as [string, string];
            }),
          },
          query,
        ),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/checks',
      summary: 'Create a check; it starts at its next slot',
      tags,
      access: 'editor',
      body: CheckBodySchema,
      response: CheckViewSchema,
      status: 201,
      handler: async ({ actor, body }) => {
        const view = await checks.create(actor, splitBody(body));
        return checks.view(view.id, { withPingKey: true });
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/checks/:id',
      summary: 'Get a check (by id or name) with its state',
      tags,
      access: read,
      params: IdParams,
      response: CheckViewSchema,
      handler: ({ params, principal }) => checks.view(params.id, { withPingKey: can(principal, 'editor') }),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/checks/:id',
      summary: 'Replace a check’s settings; takes effect at once',
      tags,
      access: 'editor',
      params: IdParams,
      body: CheckBodySchema,
      response: CheckViewSchema,
      handler: ({ actor, params, body }) => checks.update(actor, params.id, splitBody(body)),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/checks/:id',
      summary: 'Delete a check and its history',
      tags,
      access: 'editor',
      params: IdParams,
      response: null,
      handler: ({ actor, params }) => checks.delete(actor, params.id),
    }),
    ...(['pause', 'resume'] as const).map((action) =>
      defineRoute({
        method: 'POST',
        url: `/api/v1/checks/:id/${action}`,
        summary: action === 'pause' ? 'Pause a check' : 'Resume a paused check',
        tags,
        access: 'responder',
        params: IdParams,
        response: CheckViewSchema,
        handler: ({ actor, params }) => checks.setEnabled(actor, params.id, action === 'resume'),
      }),
    ),
    defineRoute({
      method: 'POST',
      url: '/api/v1/checks/:id/run',
      summary: 'Run a check once now and return the full result (not stored)',
      tags,
      access: 'responder',
      params: IdParams,
      response: ProbeResultSchema,
      handler: async ({ params }) => checks.runNow(params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/checks/:id/ping-key',
      summary: 'Replace a heartbeat check’s ping key (the old URL stops working)',
      tags,
      access: 'editor',
      params: IdParams,
      response: CheckViewSchema,
      handler: ({ actor, params }) => checks.rotatePingKey(actor, params.id),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/checks/:id/results',
      summary: 'Raw results, newest first',
      tags,
      access: read,
      params: IdParams,
      query: PageQuerySchema.pick({ limit: true, offset: true }).extend({
        ok: z.enum(['true', 'false']).optional(),
        from: Time.optional(),
        to: Time.optional(),
      }),
      response: pageSchema(ResultSchema),
      handler: async ({ params, query }) => {
        const c = await checks.record(params.id);
        const page = await checks.results(
          c.seq,
          {
            ok: query.ok === undefined ? undefined : query.ok === 'true',
            from: query.from ? Date.parse(query.from) : undefined,
            to: query.to ? Date.parse(query.to) : undefined,
          },
          query,
        );
        return { ...page, items: page.items.map((r) => resultView(c.id, r)) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/checks/:id/series',
      summary: 'Response-time series for a chart, from raw results or rollups depending on the range',
      tags,
      access: read,
      params: IdParams,
      query: z.object({ from: Time.optional(), to: Time.optional() }),
      response: SeriesSchema,
      handler: async ({ params, query }) => {
        const c = await checks.record(params.id);
        const to = query.to ? Date.parse(query.to) : checks.now();
        const from = query.from ? Date.parse(query.from) : to - 86_400_000;
        return checks.queries.series(c.seq, from, to, checks.now());
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/checks/:id/uptime',
      summary: 'Uptime for 24 h, 7 d, 30 d and 1 y, from the rollups',
      tags,
      access: read,
      params: IdParams,
      response: z.object({
        windows: z.array(
          z.object({
            window: z.enum(['24h', '7d', '30d', '1y']),
            uptime: z.number().nullable(),
            count: z.number(),
            failures: z.number(),
          }),
        ),
      }),
      handler: async ({ params }) => {
        const c = await checks.record(params.id);
        return { windows: await checks.queries.uptime(c.seq, checks.now()) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/checks/:id/events',
      summary: 'State changes: down, up, flapping, certificate expiring, paused, resumed',
      tags,
      access: read,
      params: IdParams,
      query: PageQuerySchema.pick({ limit: true, offset: true }),
      response: pageSchema(EventSchema),
      handler: async ({ params, query }) => eventsPage(checks.database.db, (await checks.record(params.id)).id, query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/checks/:id/pings',
      summary: 'Heartbeat ping log, newest first',
      tags,
      access: read,
      params: IdParams,
      query: PageQuerySchema.pick({ limit: true, offset: true }),
      response: pageSchema(PingSchema),
      handler: async ({ params, query }) => pingsPage(checks.database.db, (await checks.record(params.id)).id, query),
    }),
  ];
}
