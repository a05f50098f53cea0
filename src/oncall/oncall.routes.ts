import { z } from 'zod';
import { NotFoundError } from '../platform/errors.js';
import { pageSchema } from '../platform/http/pagination.js';
import { type AnyRoute, defineRoute } from '../platform/http/route.js';
import {
  InstantSchema,
  OnCallSchema,
  OverrideInputSchema,
  RangeQuerySchema,
  ShiftViewSchema,
  SwapInputSchema,
  TimelineSchema,
} from './oncall.model.js';
import type { OncallService } from './oncall.service.js';
import type { OncallFeeds } from './oncall-feeds.service.js';
import type { OncallPaging } from './oncall-paging.js';
import { DAY } from './schedule/wall-clock.js';

const NameParams = z.object({ name: z.string().min(1).max(253) });
const ItemParams = NameParams.extend({ id: z.string().min(1).max(64) });
const AtQuery = z.object({ at: InstantSchema.optional() });
const OverrideView = z.object({
  id: z.string(),
  user: z.string(),
  start: z.string(),
  end: z.string(),
  reason: z.string(),
});
const SwapView = z.object({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  start: z.string(),
  end: z.string(),
  reason: z.string(),
});
const FeedView = z.object({ url: z.string().nullable() });
const PolicyPreview = z.object({
  policy: z.string(),
  at: z.iso.datetime(),
  levels: z.array(
    z.object({
      level: z.number().int(),
      escalateAfterMinutes: z.number().int(),
      users: z.array(z.object({ email: z.string(), name: z.string(), via: z.string() })),
      channels: z.array(z.string()),
      unreached: z.array(z.string()),
    }),
  ),
});

/** Who is on call, timelines, overrides, swaps, personal shifts, calendar feeds, policy previews. */
export function oncallRoutes(
  svc: OncallService,
  feeds: OncallFeeds,
  paging: OncallPaging,
  deps: { now: () => number; externalUrl: () => string },
): AnyRoute[] {
  const range = (q: { from?: number | undefined; to?: number | undefined }, days = 14) => {
    const from = q.from ?? deps.now();
    return { from, to: q.to ?? from + days * DAY };
  };
  const feedUrl = (token: string | undefined) => (token ? `${deps.externalUrl()}/ical/${token}.ics` : null);
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/oncall',
      summary: 'Who is on call now (or at `at`) on every schedule',
      tags: ['oncall'],
      access: 'viewer',
      query: AtQuery.extend({
        limit: z.coerce.number().int().min(1).max(500).default(50),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      response: pageSchema(OnCallSchema),
      handler: async ({ query }) => {
        const names = await svc.scheduleNames();
        const slice = names.slice(query.offset, query.offset + query.limit);
        const items = [];
        for (const n of slice) items.push(await svc.onCall(n, query.at ?? deps.now()));
        return { items, total: names.length, limit: query.limit, offset: query.offset };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/schedules/:name/oncall',
      summary: 'Who is on call on one schedule at an instant (default now), and who is next',
      tags: ['oncall'],
      access: 'viewer',
      params: NameParams,
      query: AtQuery,
      response: OnCallSchema,
      handler: ({ params, query }) => svc.onCall(params.name, query.at ?? deps.now()),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/schedules/:name/timeline',
      summary: 'The final resolved timeline between two instants, with each layer, override and swap',
      tags: ['oncall'],
      access: 'viewer',
      params: NameParams,
      query: RangeQuerySchema,
      response: TimelineSchema,
      handler: ({ params, query }) => {
        const r = range(query);
        return svc.timeline(params.name, r.from, r.to);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/schedules/:name/overrides',
      summary: 'Someone covers a time range (wins over every layer)',
      tags: ['oncall'],
      access: 'responder',
      params: NameParams,
      body: OverrideInputSchema,
      response: OverrideView,
      status: 201,
      handler: ({ params, body, actor }) => svc.addOverride(actor, params.name, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/schedules/:name/overrides/:id',
      summary: 'Remove an override',
      tags: ['oncall'],
      access: 'responder',
      params: ItemParams,
      response: null,
      handler: ({ params, actor }) => svc.remove(actor, params.name, 'override', params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/schedules/:name/swaps',
      summary: "A shift swap: `to` takes `from`'s shifts in a range (and optionally gives theirs back in another)",
      tags: ['oncall'],
      access: 'responder',
      params: NameParams,
      body: SwapInputSchema,
      response: z.array(SwapView),
      status: 201,
      handler: ({ params, body, actor }) => svc.addSwap(actor, params.name, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/schedules/:name/swaps/:id',
      summary: 'Remove one leg of a swap',
      tags: ['oncall'],
      access: 'responder',
      params: ItemParams,
      response: null,
      handler: ({ params, actor }) => svc.remove(actor, params.name, 'swap', params.id),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/users/:userId/shifts',
      summary: "A person's shifts across all schedules (`me` for your own)",
      tags: ['oncall'],
      access: 'viewer',
      params: z.object({ userId: z.string().min(1).max(254) }),
      query: RangeQuerySchema,
      response: z.array(ShiftViewSchema.extend({ schedule: z.string() })),
      handler: async ({ params, query, principal }) => {
        // `me`, an email, or a user id (as the contact-method routes take it).
        const email =
          params.userId === 'me'
            ? principal.email
            : params.userId.includes('@')
              ? params.userId
              : await svc.emailOf(params.userId);
        if (!email)
          throw new NotFoundError(
            params.userId === 'me' ? 'sign in as a user to see your shifts' : `no user ${params.userId}`,
          );
        const r = range(query, 28);
        return svc.shiftsOf(email, r.from, r.to);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/schedules/:name/feed',
      summary: "The schedule's secret iCalendar feed URL, if one was created",
      tags: ['oncall'],
      access: 'responder',
      params: NameParams,
      response: FeedView,
      handler: async ({ params }) => ({ url: feedUrl(await feeds.feedToken({ schedule: params.name })) }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/schedules/:name/feed',
      summary: 'Create or rotate the schedule’s secret iCalendar feed URL (the old URL stops working)',
      tags: ['oncall'],
      access: 'responder',
      params: NameParams,
      response: FeedView,
      handler: async ({ params, actor }) => ({ url: feedUrl(await feeds.newFeed(actor, { schedule: params.name })) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/me/feed',
      summary: 'Your personal iCalendar feed URL (all your shifts), if one was created',
      tags: ['oncall'],
      access: 'authenticated',
      response: FeedView,
      handler: async ({ principal }) => ({
        url: principal.email ? feedUrl(await feeds.feedToken({ userEmail: principal.email })) : null,
      }),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/me/feed',
      summary: 'Create or rotate your personal iCalendar feed URL',
      tags: ['oncall'],
      access: 'authenticated',
      response: FeedView,
      handler: async ({ principal, actor }) => {
        if (!principal.email) throw new NotFoundError('sign in as a user to have a personal feed');
        return { url: feedUrl(await feeds.newFeed(actor, { userEmail: principal.email })) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/ical/:token',
      summary: 'An iCalendar feed by its secret URL (what calendar apps subscribe to)',
      tags: ['oncall'],
      access: 'public',
      params: z.object({ token: z.string().min(1).max(200) }),
      response: null,
      handler: async ({ params, reply }) => {
        const text = await feeds.renderFeed(params.token.replace(/\.ics$/, ''));
        if (text === undefined) throw new NotFoundError('no such calendar feed');
        return reply
          .header('content-type', 'text/calendar; charset=utf-8')
          .header('cache-control', 'private, max-age=300')
          .send(text);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/escalation-policies/:name/preview',
      summary: 'Who each level of a policy would page at an instant (default now)',
      tags: ['oncall'],
      access: 'viewer',
      params: NameParams,
      query: AtQuery,
      response: PolicyPreview,
      handler: async ({ params, query }) => {
        const at = query.at ?? deps.now();
        const spec = await svc.policy(svc.db, params.name);
        if (!spec) throw new NotFoundError(`no escalation policy ${params.name}`);
        const levels = [];
        for (let i = 0; i < spec.levels.length; i++) {
          const t = await paging.previewLevel(params.name, spec, i, at);
          levels.push({
            level: i,
            escalateAfterMinutes: spec.levels[i]?.escalateAfterMinutes ?? 0,
            users: t.users.map((u) => ({ email: u.email, name: u.name, via: u.via })),
            channels: t.channels,
            unreached: t.unreached,
          });
        }
        return { policy: params.name, at: new Date(at).toISOString(), levels };
      },
    }),
  ];
}
