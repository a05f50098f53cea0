import { z } from 'zod';
import { DomainError, InputError, NotFoundError, RateLimitedError } from '../platform/errors.js';
import { type AnyRoute, defineRoute } from '../platform/http/route.js';
import { newId } from '../platform/ids.js';
import type { IntegrationRecord } from './alert-config.js';
import type { IntegrationType } from './config.model.js';
import { parseAlertmanagerWebhook, parsePrometheusAlerts } from './intake/alertmanager.js';
import {
  opsgenieError,
  opsgenieKey,
  opsgenieRateLimited,
  opsgenieUnauthorized,
  parseOpsgenieAction,
  parseOpsgenieCreate,
} from './intake/opsgenie.js';
import {
  PD_MAX_BODY,
  parsePagerDutyChange,
  parsePagerDutyEvent,
  pdBodyTooLarge,
  pdError,
  pdRateLimited,
  pdUnknownRoutingKey,
} from './intake/pagerduty.js';
import { parseGenericWebhook } from './intake/webhook.js';
import type { IntakeService } from './intake.service.js';

const INVALID_JSON = 'invalid_json';

/**
 * Bodies that did not arrive as application/json come as a Buffer; read them as JSON anyway. Text
 * that is not JSON is the client's error (400 in each protocol's shape), never a bare SyntaxError.
 */
function json(body: unknown): unknown {
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) return undefined;
    try {
      return JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new InputError(`the body is not valid JSON: ${(err as Error).message}`, {
        code: INVALID_JSON,
        hint: 'send the payload as JSON (Content-Type: application/json)',
      });
    }
  }
  return body;
}

type ErrorLike = Error & { statusCode?: number; code?: string };

const isTooLarge = (e: ErrorLike) => e.statusCode === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
const isBadJson = (e: ErrorLike) =>
  e instanceof SyntaxError ||
  e.code === INVALID_JSON ||
  e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
  e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY';
/** Fastify's other client errors (an unparsable Content-Type: 415, a wrong Content-Length: 400). */
const clientStatus = (e: ErrorLike) =>
  !(e instanceof DomainError) && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500
    ? e.statusCode
    : undefined;

/** PagerDuty's error shape for everything that goes wrong on /v2/enqueue. */
function pagerDutyErrors(err: ErrorLike) {
  if (isTooLarge(err)) return pdBodyTooLarge();
  if (isBadJson(err)) return pdError(400, 'Event object is invalid', ['Request body is not valid JSON']);
  if (err instanceof NotFoundError) return pdUnknownRoutingKey();
  if (err instanceof RateLimitedError)
    return { ...pdRateLimited(), headers: { 'retry-after': String(err.retryAfterSeconds) } };
  if (err instanceof DomainError) return pdError(400, 'Event object is invalid', [err.message]);
  const status = clientStatus(err);
  if (status !== undefined) return pdError(status, 'Event object is invalid', [err.message]);
  return pdError(500, 'Internal error; the event was not stored, retry', []);
}

function opsgenieErrors(err: ErrorLike, requestId: string) {
  if (isTooLarge(err)) return opsgenieError(413, 'Request body is too large', requestId);
  if (isBadJson(err)) return opsgenieError(400, 'Invalid JSON body', requestId);
  if (err instanceof NotFoundError) return opsgenieUnauthorized(requestId);
  if (err instanceof RateLimitedError)
    return { ...opsgenieRateLimited(requestId), headers: { 'retry-after': String(err.retryAfterSeconds) } };
  if (err instanceof DomainError) return opsgenieError(422, err.message, requestId);
  const status = clientStatus(err);
  if (status !== undefined) return opsgenieError(status, err.message, requestId);
  return opsgenieError(500, 'Internal error; the request was not stored, retry', requestId);
}

const KeyParams = z.object({ key: z.string().min(1).max(512) });
const Accepted = z.object({
  status: z.literal('success'),
  accepted: z.number().int(),
  alerts: z.array(z.string().nullable()),
});

/**
 * The intake endpoints: PagerDuty Events API v2, Alertmanager webhook (and the Alertmanager v2 alert
 * API Prometheus posts to), Opsgenie's alert API subset, and generic JSON webhooks. Each event is
 * committed (group commit) before the 2xx. An unknown key, or a key of another integration type,
 * answers exactly like a missing one.
 */
export function intakeRoutes(intake: IntakeService): AnyRoute[] {
  const integration = async (key: string, type: IntegrationType): Promise<IntegrationRecord> => {
    const i = await intake.integration(key);
    if (!i || i.type !== type) throw new NotFoundError('unknown integration key');
    return i;
  };
  const amBody = async (key: string, events: ReturnType<typeof parseAlertmanagerWebhook>) => {
    if ('error' in events)
      throw new InputError(events.error.message, { fields: events.error.fields, code: 'invalid_alertmanager_payload' });
    const i = await integration(key, 'alertmanager');
    intake.take(i, Math.max(1, Math.min(events.events.length, i.spec.rateLimitPerMinute || 1)));
    const out = await intake.submit(events.events.map((e) => intake.stamp(i, e)));
    return { status: 'success' as const, accepted: events.events.length, alerts: out.alertIds };
  };

  return [
    defineRoute({
      method: 'POST',
      url: '/v2/enqueue',
      summary: 'PagerDuty Events API v2: trigger, acknowledge or resolve an alert',
      description:
        'routing_key is the key of a Mainstay integration of type pagerduty. Answers exactly as PagerDuty does.',
      tags: ['intake'],
      access: 'public',
      bodyLimit: PD_MAX_BODY,
      response: null,
      protocolError: pagerDutyErrors,
      handler: async ({ request, reply }) => {
        const parsed = parsePagerDutyEvent(json(request.body), () => newId().replace(/-/g, ''));
        if ('error' in parsed) return reply.status(parsed.error.status).send(parsed.error.body);
        const i = await integration(parsed.routingKey, 'pagerduty');
        intake.take(i);
        await intake.submit([intake.stamp(i, parsed.event)]);
        return reply.status(parsed.reply.status).send(parsed.reply.body);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v2/change/enqueue',
      summary: 'PagerDuty Events API v2: a change event (recorded, never notifies)',
      tags: ['intake'],
      access: 'public',
      bodyLimit: PD_MAX_BODY,
      response: null,
      protocolError: pagerDutyErrors,
      handler: async ({ request, reply }) => {
        const parsed = parsePagerDutyChange(json(request.body));
        if ('error' in parsed) return reply.status(parsed.error.status).send(parsed.error.body);
        const i = await integration(parsed.routingKey, 'pagerduty');
        intake.take(i);
        await intake.recordChange(i, {
          summary: parsed.change.summary,
          source: parsed.change.source,
          timestamp: parsed.change.timestamp,
          details: { customDetails: parsed.change.customDetails, links: parsed.change.links },
        });
        return reply.status(parsed.reply.status).send(parsed.reply.body);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/integrations/alertmanager/:key',
      summary: 'Alertmanager (or Grafana alerting) webhook, version 4: one POST is one alert group',
      tags: ['intake'],
      access: 'public',
      params: KeyParams,
      bodyLimit: 8 * 1024 * 1024,
      response: Accepted,
      handler: async ({ params, request }) => amBody(params.key, parseAlertmanagerWebhook(json(request.body))),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/integrations/alertmanager/:key/api/v2/alerts',
      summary: "Alertmanager's v2 alert API, as Prometheus posts alerts (set path_prefix to the integration URL)",
      tags: ['intake'],
      access: 'public',
      params: KeyParams,
      bodyLimit: 8 * 1024 * 1024,
      response: Accepted,
      handler: async ({ params, request }) =>
        amBody(params.key, parsePrometheusAlerts(json(request.body), intake.now())),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/integrations/webhook/:key',
      summary: 'Generic JSON webhook, read through the integration mapping',
      tags: ['intake'],
      access: 'public',
      params: KeyParams,
      bodyLimit: 1024 * 1024,
      response: Accepted,
      handler: async ({ params, request }) => {
        const i = await integration(params.key, 'webhook');
        if (!i.spec.mapping) throw new InputError('this integration has no mapping');
        const parsed = parseGenericWebhook(json(request.body), i.spec.mapping);
        if ('error' in parsed)
          throw new InputError(parsed.error.message, { fields: parsed.error.fields, code: 'invalid_webhook_payload' });
        intake.take(i, Math.max(1, Math.min(parsed.events.length, i.spec.rateLimitPerMinute || 1)));
        const out = await intake.submit(parsed.events.map((e) => intake.stamp(i, e)));
        return { status: 'success' as const, accepted: parsed.events.length, alerts: out.alertIds };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v2/alerts',
      summary: 'Opsgenie Alert API: create an alert (Authorization: GenieKey <integration key>)',
      tags: ['intake'],
      access: 'public',
      bodyLimit: 512 * 1024,
      response: null,
      protocolError: opsgenieErrors,
      handler: async ({ request, reply, requestId }) => {
        const key = opsgenieKey(request.headers.authorization);
        if (!key) {
          const r = opsgenieUnauthorized(requestId);
          return reply.status(r.status).send(r.body);
        }
        const parsed = parseOpsgenieCreate(json(request.body), requestId);
        if ('error' in parsed) return reply.status(parsed.error.status).send(parsed.error.body);
        const i = await integration(key, 'opsgenie');
        intake.take(i);
        await intake.submit([intake.stamp(i, parsed.event)]);
        return reply.status(parsed.reply.status).send(parsed.reply.body);
      },
    }),
    ...(['acknowledge', 'close'] as const).map((action) =>
      defineRoute({
        method: 'POST',
        url: `/v2/alerts/:identifier/${action}`,
        summary: `Opsgenie Alert API: ${action} an alert by alias (identifierType=alias)`,
        tags: ['intake'],
        access: 'public',
        params: z.object({ identifier: z.string().min(1).max(512) }),
        query: z.object({ identifierType: z.string().max(20).optional() }).loose(),
        bodyLimit: 512 * 1024,
        response: null,
        protocolError: opsgenieErrors,
        handler: async ({ request, reply, requestId, params, query }) => {
          const key = opsgenieKey(request.headers.authorization);
          if (!key) {
            const r = opsgenieUnauthorized(requestId);
            return reply.status(r.status).send(r.body);
          }
          const parsed = parseOpsgenieAction(
            action,
            params.identifier,
            query.identifierType,
            json(request.body),
            requestId,
          );
          if ('error' in parsed) return reply.status(parsed.error.status).send(parsed.error.body);
          const i = await integration(key, 'opsgenie');
          intake.take(i);
          await intake.submit([intake.stamp(i, parsed.event)]);
          return reply.status(parsed.reply.status).send(parsed.reply.body);
        },
      }),
    ),
  ];
}
