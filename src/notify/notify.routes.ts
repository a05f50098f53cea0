import { z } from 'zod';
import { NotFoundError } from '../platform/errors.js';
import { PageQuerySchema, pageSchema } from '../platform/http/pagination.js';
import { type AnyRoute, defineRoute } from '../platform/http/route.js';
import {
  ContactMethodInputSchema,
  ContactMethodSchema,
  DeliverySchema,
  NotificationRuleInputSchema,
  NotificationRuleSchema,
} from './contact.model.js';
import type { ContactsService } from './contacts.service.js';
import type { NotifyService } from './notify.service.js';

const UserParams = z.object({ userId: z.string().min(1).max(64) });
const ContactParams = UserParams.extend({ contact: z.string().min(1).max(64) });
const ChannelParams = z.object({ name: z.string().min(1).max(253) });
const TestResult = z.object({
  ok: z.boolean(),
  statusCode: z.number().int().optional(),
  latencyMs: z.number(),
  error: z.string().optional(),
  response: z.string().optional(),
});
const DeliveryQuery = PageQuerySchema.extend({
  incident: z.string().max(64).optional(),
  status: z.enum(['scheduled', 'retrying', 'delivered', 'failed', 'cancelled']).optional(),
  user: z.string().max(64).optional(),
});

const result = (r: {
  ok: boolean;
  statusCode?: number | undefined;
  latencyMs: number;
  error?: string | undefined;
  response?: string | undefined;
}) => ({
  ok: r.ok,
  ...(r.statusCode === undefined ? {} : { statusCode: r.statusCode }),
  latencyMs: Math.round(r.latencyMs),
  ...(r.error ? { error: r.error } : {}),
  ...(r.response ? { response: r.response } : {}),
});

/** Contact methods, notification rules, channel tests and delivery receipts. `:userId` may be `me`. */
export function notifyRoutes(svc: NotifyService, contacts: ContactsService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/users/:userId/contact-methods',
      summary: "A person's contact methods (yours with `me`; others' for admins)",
      tags: ['notify'],
      access: 'authenticated',
      params: UserParams,
      response: z.array(ContactMethodSchema),
      handler: ({ params, principal }) => contacts.listContacts(principal, params.userId),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/users/:userId/contact-methods',
      summary: 'Add a contact method (the address is validated for the channel type)',
      tags: ['notify'],
      access: 'authenticated',
      params: UserParams,
      authorize: ({ params, principal }) => void contacts.mayManage(principal, params.userId),
      body: ContactMethodInputSchema,
      response: ContactMethodSchema,
      status: 201,
      handler: ({ params, body, principal, actor }) => contacts.createContact(principal, actor, params.userId, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/v1/users/:userId/contact-methods/:contact',
      summary: 'Remove a contact method and the rules that use it',
      tags: ['notify'],
      access: 'authenticated',
      params: ContactParams,
      response: null,
      handler: ({ params, principal, actor }) =>
        contacts.deleteContact(principal, actor, params.userId, params.contact),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/users/:userId/contact-methods/:contact/test',
      summary: 'Send a test message to one contact method now',
      tags: ['notify'],
      access: 'authenticated',
      params: ContactParams,
      response: TestResult,
      handler: async ({ params, principal, actor }) => {
        const c = (await contacts.listContacts(principal, params.userId)).find(
          (x) => x.name === params.contact || x.id === params.contact,
        );
        if (!c) throw new NotFoundError(`no contact method ${params.contact}`);
        return result(await svc.sendTest(c.channel, c.address ?? undefined, actor));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/users/:userId/notification-rules',
      summary: 'Personal notification rules: which contact method, how long after being paged',
      tags: ['notify'],
      access: 'authenticated',
      params: UserParams,
      response: z.array(NotificationRuleSchema),
      handler: ({ params, principal }) => contacts.listRules(principal, params.userId),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/v1/users/:userId/notification-rules',
      summary: 'Replace the personal notification rules',
      tags: ['notify'],
      access: 'authenticated',
      params: UserParams,
      authorize: ({ params, principal }) => void contacts.mayManage(principal, params.userId),
      body: z.strictObject({ rules: z.array(NotificationRuleInputSchema).max(20) }),
      response: z.array(NotificationRuleSchema),
      handler: ({ params, body, principal, actor }) => contacts.setRules(principal, actor, params.userId, body.rules),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/channels/:name/test',
      summary: "Send a test message through a channel now and return the channel's answer",
      tags: ['notify'],
      access: 'editor',
      params: ChannelParams,
      body: z.strictObject({ address: z.string().trim().min(1).max(320).optional() }).default({}),
      response: TestResult,
      handler: async ({ params, body, actor }) => result(await svc.sendTest(params.name, body.address, actor)),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/deliveries',
      summary: 'Notification deliveries with their receipts (attempts, status code, latency, error)',
      tags: ['notify'],
      access: 'viewer',
      query: DeliveryQuery,
      response: pageSchema(DeliverySchema),
      handler: ({ query }) =>
        svc.listDeliveries({ incidentId: query.incident, status: query.status, userId: query.user }, query),
    }),
  ];
}
