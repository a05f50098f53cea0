import { type AlertAction, type AlertEvent, SEVERITIES, type Severity } from '../alert.model.js';
import {
  boundDetails,
  isBlank,
  isObject,
  type JsonObject,
  jsonBytes,
  MAX_DETAILS_BYTES,
  MAX_LABEL_VALUE,
  MAX_URL,
  own,
  parseTimestamp,
  scalarText,
} from './limits.js';
import { DEFAULT_SEVERITY } from './severity.js';

/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`, `POST /v2/change/enqueue`) as pure functions: a
 * parsed JSON body in, a normalized AlertEvent and PagerDuty's own reply out, or the 400 reply
 * PagerDuty would give. Field rules and replies follow PagerDuty's developer docs ("Send an Alert
 * Event", "Send a Change Event", "Events API v2 Overview") and its OpenAPI file events-v2.
 */

/** An HTTP reply for the route to send as is (JSON body). */
export type IntakeReply = { status: number; body: unknown };

/** Events API v2 payloads are limited to 512 KB (Events API v2 Overview, "Size Limits"). */
export const PD_MAX_BODY = 512 * 1024;
/** PagerDuty's keys are 32 characters; Mainstay integration keys may be other lengths. */
export const PD_MAX_ROUTING_KEY = 128;
export const PD_MAX_DEDUP_KEY = 255;
export const PD_MAX_SUMMARY = 1024;

export interface PdAccepted {
  routingKey: string;
  /** integrationId is null: the caller fills it after looking up the routing key. */
  event: AlertEvent;
  /** The given dedup_key, or the generated one for a trigger without it. */
  dedupKey: string;
  /** 202 `{status: 'success', message: 'Event processed', dedup_key}`. */
  reply: IntakeReply;
}

export interface PdChange {
  summary: string;
  source: string | null;
  timestamp: number | null;
  customDetails: unknown;
  links: { href: string; text?: string }[];
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'invalid event',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'throttle exceeded',
};

/**
 * PagerDuty's error body `{status, message, errors[]}`. 400 is PagerDuty's documented
 * `{"status": "invalid event", "message": "Event object is invalid", "errors": [...]}`; the other
 * codes keep the shape with their own status text (PagerDuty's Go client expects these fields).
 */
export function pdError(status: number, message: string, errors: string[]): IntakeReply {
  return { status, body: { status: STATUS_TEXT[status] ?? 'error', message, errors } };
}

/** 404 for a routing key that matches no Mainstay integration. */
export function pdUnknownRoutingKey(): IntakeReply {
  return pdError(404, 'Routing key not found', ["'routing_key' does not match any integration"]);
}

/** 429 for a key over its rate limit; PagerDuty clients retry these (and only these, and 5xx). */
export function pdRateLimited(): IntakeReply {
  return pdError(429, 'Requests for this service are arriving too quickly.  Please retry later.', [
    'Enhance Your Calm.',
  ]);
}

/** 413 for a body over PD_MAX_BODY. */
export function pdBodyTooLarge(): IntakeReply {
  return pdError(413, 'Event object is too large', [`Event payloads are limited to 512 KB (${PD_MAX_BODY} bytes)`]);
}

const ACTIONS: readonly AlertAction[] = ['trigger', 'acknowledge', 'resolve'];
const INVALID = 'Event object is invalid';

function notAnObject(): { error: IntakeReply } {
  return { error: pdError(400, INVALID, ['Event object must be a JSON object']) };
}

/** A string field: undefined when absent or blank, with an error pushed when it is not text or too long. */
function optionalText(obj: JsonObject, key: string, path: string, max: number, errors: string[]): string | undefined {
  const v = own(obj, key);
  if (isBlank(v)) return undefined;
  const text = scalarText(v);
  if (text === undefined) {
    errors.push(`'${path}' must be a string`);
    return undefined;
  }
  if (text.length > max) {
    errors.push(`'${path}' is too long (maximum is ${max} characters)`);
    return undefined;
  }
  return text;
}

function requiredText(obj: JsonObject, key: string, path: string, max: number, errors: string[]): string | undefined {
  if (isBlank(own(obj, key))) {
    errors.push(`'${path}' is missing or blank`);
    return undefined;
  }
  return optionalText(obj, key, path, max, errors);
}

function routingKeyOf(body: JsonObject, errors: string[]): string | undefined {
  const v = own(body, 'routing_key');
  if (isBlank(v)) {
    errors.push("'routing_key' is missing or blank");
    return undefined;
  }
  if (typeof v !== 'string') {
    errors.push("'routing_key' must be a string");
    return undefined;
  }
  if (v.length > PD_MAX_ROUTING_KEY) {
    errors.push(`Length of 'routing_key' is incorrect (should be at most ${PD_MAX_ROUTING_KEY} characters)`);
    return undefined;
  }
  return v;
}

function timestampOf(payload: JsonObject, errors: string[]): number | undefined {
  const v = own(payload, 'timestamp');
  if (isBlank(v)) return undefined;
  const at = parseTimestamp(v);
  if (at === undefined) {
    errors.push("'payload.timestamp' is invalid (must be an ISO 8601 date-time, e.g. 2015-07-17T08:42:58.315+0000)");
    return undefined;
  }
  return at ?? undefined;
}

interface Trigger {
  summary: string;
  severity: Severity;
  labels: Record<string, string>;
  startsAt: number | undefined;
  details: JsonObject | undefined;
}

function triggerOf(body: JsonObject, errors: string[]): Trigger | undefined {
  const raw = own(body, 'payload');
  let payload: JsonObject = {};
  if (isObject(raw)) payload = raw;
  else if (!isBlank(raw)) errors.push("'payload' must be a JSON object");
  const before = errors.length;
  const summary = requiredText(payload, 'summary', 'payload.summary', PD_MAX_SUMMARY, errors);
  const source = requiredText(payload, 'source', 'payload.source', MAX_LABEL_VALUE, errors);
  const sev = own(payload, 'severity');
  if (isBlank(sev)) errors.push("'payload.severity' is missing or blank");
  else if (!SEVERITIES.includes(sev as Severity)) {
    errors.push(
      "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')",
    );
  }
  const startsAt = timestampOf(payload, errors);
  const labels: Record<string, string> = {};
  for (const key of ['component', 'group', 'class'] as const) {
    const text = optionalText(payload, key, `payload.${key}`, MAX_LABEL_VALUE, errors);
    if (text !== undefined) labels[key] = text;
  }
  if (errors.length > before || summary === undefined || source === undefined) return undefined;
  const severity = sev as Severity;
  const details = boundDetails({
    custom_details: own(payload, 'custom_details'),
    links: arrayOrUndefined(own(body, 'links')),
    images: arrayOrUndefined(own(body, 'images')),
    client: scalarText(own(body, 'client')),
    client_url: scalarText(own(body, 'client_url')),
  });
  return { summary, severity, labels: { severity, source, ...labels }, startsAt, details };
}

function arrayOrUndefined(v: unknown): unknown[] | undefined {
  return Array.isArray(v) && v.length > 0 ? v : undefined;
}

/**
 * `POST /v2/enqueue`. Every field error is reported (not only the first), in PagerDuty's wording
 * ("'payload.severity' is missing or blank"). A trigger without dedup_key gets `newDedupKey()`,
 * returned in the reply as PagerDuty does; acknowledge and resolve need a dedup_key.
 */
export function parsePagerDutyEvent(body: unknown, newDedupKey: () => string): PdAccepted | { error: IntakeReply } {
  if (!isObject(body)) return notAnObject();
  const errors: string[] = [];
  const routingKey = routingKeyOf(body, errors);

  const rawAction = own(body, 'event_action');
  let action: AlertAction | undefined;
  if (isBlank(rawAction)) errors.push("'event_action' is missing or blank");
  else if (ACTIONS.includes(rawAction as AlertAction)) action = rawAction as AlertAction;
  else {
    errors.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
  }

  const dedupErrors = errors.length;
  const givenDedupKey = optionalText(body, 'dedup_key', 'dedup_key', PD_MAX_DEDUP_KEY, errors);
  if (givenDedupKey === undefined && errors.length === dedupErrors && action !== undefined && action !== 'trigger') {
    errors.push("'dedup_key' is missing or blank");
  }

  const trigger = action === 'trigger' ? triggerOf(body, errors) : undefined;
  if (errors.length > 0 || routingKey === undefined || action === undefined) {
    return { error: pdError(400, INVALID, errors) };
  }

  const dedupKey = givenDedupKey ?? newDedupKey();
  const event: AlertEvent = trigger
    ? {
        action,
        source: 'pagerduty',
        integrationId: null,
        dedupKey,
        labels: trigger.labels,
        annotations: { summary: trigger.summary },
        summary: trigger.summary,
        severity: trigger.severity,
        ...(trigger.startsAt !== undefined ? { startsAt: trigger.startsAt } : {}),
        ...(trigger.details !== undefined ? { details: trigger.details } : {}),
      }
    : // acknowledge/resolve carry only the key: they apply to the open alert with that dedup_key.
      {
        action,
        source: 'pagerduty',
        integrationId: null,
        dedupKey,
        labels: {},
        annotations: {},
        summary: '',
        severity: DEFAULT_SEVERITY,
      };
  return {
    routingKey,
    event,
    dedupKey,
    reply: { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } },
  };
}

const MAX_CHANGE_LINKS = 50;

function linksOf(v: unknown): { href: string; text?: string }[] {
  if (!Array.isArray(v)) return [];
  const links: { href: string; text?: string }[] = [];
  for (const item of v) {
    if (links.length >= MAX_CHANGE_LINKS) break;
    if (!isObject(item)) continue;
    const href = own(item, 'href');
    if (typeof href !== 'string' || href.trim() === '' || href.length > MAX_URL) continue;
    const text = own(item, 'text');
    links.push(typeof text === 'string' ? { href, text: text.slice(0, 1024) } : { href });
  }
  return links;
}

/**
 * `POST /v2/change/enqueue`: routing_key and payload.summary (≤ 1024) are required; source,
 * timestamp, custom_details and links are optional (links without an href are dropped, as they
 * cannot be shown). Reply 202 `{status: 'success', message: 'Change event processed'}`.
 */
export function parsePagerDutyChange(
  body: unknown,
): { routingKey: string; change: PdChange; reply: IntakeReply } | { error: IntakeReply } {
  if (!isObject(body)) return notAnObject();
  const errors: string[] = [];
  const routingKey = routingKeyOf(body, errors);
  const raw = own(body, 'payload');
  let payload: JsonObject = {};
  if (isObject(raw)) payload = raw;
  else if (!isBlank(raw)) errors.push("'payload' must be a JSON object");
  const summary = requiredText(payload, 'summary', 'payload.summary', PD_MAX_SUMMARY, errors);
  const source = optionalText(payload, 'source', 'payload.source', MAX_LABEL_VALUE, errors);
  const timestamp = timestampOf(payload, errors);
  if (errors.length > 0 || routingKey === undefined || summary === undefined) {
    return { error: pdError(400, INVALID, errors) };
  }
  let customDetails = own(payload, 'custom_details') ?? null;
  const size = jsonBytes(customDetails);
  if (size === undefined || size > MAX_DETAILS_BYTES) {
    customDetails = {
      _dropped: ['custom_details'],
      _note: `details are limited to ${MAX_DETAILS_BYTES} bytes of JSON; custom_details was dropped`,
    };
  }
  return {
    routingKey,
    change: {
      summary,
      source: source ?? null,
      timestamp: timestamp ?? null,
      customDetails,
      links: linksOf(own(body, 'links')),
    },
    reply: { status: 202, body: { status: 'success', message: 'Change event processed' } },
  };
}
