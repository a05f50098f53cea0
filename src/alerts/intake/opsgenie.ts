import type { AlertEvent, Severity } from '../alert.model.js';
import { boundDetails, isBlank, isObject, type JsonObject, own, scalarText, setOwn } from './limits.js';
import type { IntakeReply } from './pagerduty.js';
import { DEFAULT_SEVERITY } from './severity.js';

/**
 * The subset of Opsgenie's Alert API that teams migrating off Opsgenie use from scripts and tools:
 * create (`POST /v2/alerts`), acknowledge and close (`POST /v2/alerts/:identifier/acknowledge|close`)
 * by alias, with `Authorization: GenieKey <key>`. Field limits and replies follow Opsgenie's
 * "Alert API" and "Response" docs: requests are accepted asynchronously with
 * 202 `{result: 'Request will be processed', took, requestId}`; errors are
 * `{message, took, requestId}` plus `errors: {field: message}` on 422.
 *
 * `took` is 0: these functions do no I/O, so there is nothing to time.
 */

export const OG_LIMITS = {
  message: 130,
  alias: 512,
  description: 15_000,
  entity: 512,
  source: 100,
  user: 100,
  note: 25_000,
  tags: 20,
  tag: 50,
  detailKey: 256,
  detailValue: 8000,
} as const;

/**
 * Opsgenie priorities (P1 highest, default P3) as severities: P1 critical, P2 error, P3 warning,
 * P4 and P5 info. P3 is Opsgenie's default, so an alert without a priority is a warning here too.
 */
export const OG_PRIORITY_SEVERITY: Readonly<Record<string, Severity>> = {
  P1: 'critical',
  P2: 'error',
  P3: 'warning',
  P4: 'info',
  P5: 'info',
};

const UNPROCESSABLE = 'Request body is not processable. Please check the errors.';

/** The key of `Authorization: GenieKey <key>` (scheme case-insensitive), or undefined. */
export function opsgenieKey(authorizationHeader: string | undefined): string | undefined {
  if (typeof authorizationHeader !== 'string' || authorizationHeader.length > 1024) return undefined;
  const text = authorizationHeader.trim();
  if (text.length < 10 || text.slice(0, 8).toLowerCase() !== 'geniekey') return undefined;
  const sep = text.charAt(8);
  if (sep !== ' ' && sep !== '\t') return undefined;
  const key = text.slice(9).trim();
  return key === '' ? undefined : key;
}

/** Opsgenie's error body `{message, took, requestId, errors?}`. */
export function opsgenieError(
  status: number,
  message: string,
  requestId: string,
  errors?: Record<string, string>,
): IntakeReply {
  return { status, body: { message, took: 0, requestId, ...(errors ? { errors } : {}) } };
}

/** 401 as Opsgenie answers a missing or unknown key. */
export function opsgenieUnauthorized(requestId: string): IntakeReply {
  return opsgenieError(401, 'Could not authenticate', requestId);
}

/** 429 for a key over its rate limit. */
export function opsgenieRateLimited(requestId: string): IntakeReply {
  return opsgenieError(429, 'TooManyRequests', requestId);
}

function accepted(requestId: string): IntakeReply {
  return { status: 202, body: { result: 'Request will be processed', took: 0, requestId } };
}

function unprocessable(requestId: string, errors: Record<string, string>): { error: IntakeReply } {
  return { error: opsgenieError(422, UNPROCESSABLE, requestId, errors) };
}

/** A string (numbers and booleans as text) of at most `max` characters; errors go in `errors[key]`. */
function text(
  obj: JsonObject,
  key: string,
  max: number,
  errors: Record<string, string>,
  required = false,
): string | undefined {
  const v = own(obj, key);
  if (isBlank(v)) {
    if (required) errors[key] = `${key} can not be empty`;
    return undefined;
  }
  const s = scalarText(v);
  if (s === undefined) errors[key] = `${key} must be a string`;
  else if (s.length > max) errors[key] = `${key} can be at most ${max} characters (got ${s.length})`;
  else return s;
  return undefined;
}

function tagsOf(v: unknown, errors: Record<string, string>): string[] {
  if (isBlank(v)) return [];
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) {
    errors.tags = 'tags must be an array of strings';
    return [];
  }
  if (v.length > OG_LIMITS.tags) {
    errors.tags = `at most ${OG_LIMITS.tags} tags are allowed (got ${v.length})`;
    return [];
  }
  const long = v.find((t) => t.length > OG_LIMITS.tag);
  if (long !== undefined) {
    errors.tags = `tags can be at most ${OG_LIMITS.tag} characters each`;
    return [];
  }
  return [...new Set(v.map((t) => t.trim()).filter((t) => t !== ''))];
}

function detailsOf(v: unknown, errors: Record<string, string>): Record<string, string> | undefined {
  if (isBlank(v)) return undefined;
  if (!isObject(v)) {
    errors.details = 'details must be an object of string values';
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    const s = scalarText(value);
    if (s === undefined || k.length > OG_LIMITS.detailKey || s.length > OG_LIMITS.detailValue) {
      errors.details = `details must map keys (at most ${OG_LIMITS.detailKey} characters) to string values (at most ${OG_LIMITS.detailValue})`;
      return undefined;
    }
    setOwn(out, k, s);
  }
  return out;
}

/** Body of a request: undefined, null and '' are an empty body; other strings were not JSON. */
function bodyObject(body: unknown, requestId: string): { obj: JsonObject } | { error: IntakeReply } {
  if (body === undefined || body === null || body === '') return { obj: {} };
  if (typeof body === 'string') return { error: opsgenieError(400, 'Invalid JSON body', requestId) };
  if (!isObject(body)) return unprocessable(requestId, { body: 'the request body must be a JSON object' });
  return { obj: body };
}

/**
 * `POST /v2/alerts`. message is required (≤ 130 characters); alias (≤ 512) is the deduplication
 * key. Without an alias Opsgenie gives the alert a unique one (its alert id), so every such create
 * is a new alert: here the request id plays that part (returned in the reply as `requestId`).
 * Labels: priority (P1..P5, default P3), entity, source and tags (comma-joined) when given.
 * responders, visibleTo and actions are accepted and ignored (routing is Mainstay's).
 */
export function parseOpsgenieCreate(
  body: unknown,
  requestId: string,
): { event: AlertEvent; reply: IntakeReply } | { error: IntakeReply } {
  const parsed = bodyObject(body, requestId);
  if ('error' in parsed) return parsed;
  const b = parsed.obj;
  const errors: Record<string, string> = {};
  const message = text(b, 'message', OG_LIMITS.message, errors, true);
  const alias = text(b, 'alias', OG_LIMITS.alias, errors);
  const description = text(b, 'description', OG_LIMITS.description, errors);
  const entity = text(b, 'entity', OG_LIMITS.entity, errors);
  const source = text(b, 'source', OG_LIMITS.source, errors);
  const user = text(b, 'user', OG_LIMITS.user, errors);
  const note = text(b, 'note', OG_LIMITS.note, errors);
  const tags = tagsOf(own(b, 'tags'), errors);
  const details = detailsOf(own(b, 'details'), errors);
  const rawPriority = own(b, 'priority');
  const priority = isBlank(rawPriority) ? 'P3' : rawPriority;
  if (typeof priority !== 'string' || !Object.hasOwn(OG_PRIORITY_SEVERITY, priority)) {
    errors.priority = 'priority should be one of [P1, P2, P3, P4, P5]';
  }
  if (Object.keys(errors).length > 0 || message === undefined) return unprocessable(requestId, errors);
  const p = priority as string;

  const labels: Record<string, string> = { priority: p };
  if (entity !== undefined) labels.entity = entity;
  if (source !== undefined) labels.source = source;
  if (tags.length > 0) labels.tags = tags.join(',');
  const annotations: Record<string, string> = { summary: message };
  if (description !== undefined) annotations.description = description;
  const kept = boundDetails({ details, note, user });
  const event: AlertEvent = {
    action: 'trigger',
    source: 'opsgenie',
    integrationId: null,
    dedupKey: alias ?? requestId,
    labels,
    annotations,
    summary: message,
    severity: OG_PRIORITY_SEVERITY[p] ?? DEFAULT_SEVERITY,
    ...(kept !== undefined ? { details: kept } : {}),
  };
  return { event, reply: accepted(requestId) };
}

/**
 * `POST /v2/alerts/:identifier/acknowledge|close?identifierType=alias`. Only aliases identify
 * alerts here: Opsgenie's default identifierType is `id` (its own alert ids, which Mainstay does
 * not have), so a missing identifierType, `id` and `tiny` are refused with a 422 that says to send
 * `identifierType=alias`. Like Opsgenie, an alias that matches no open alert is still accepted
 * (the request is processed asynchronously and simply has no effect). Body: optional user,
 * source, note.
 */
export function parseOpsgenieAction(
  action: 'acknowledge' | 'close',
  identifier: string,
  identifierType: string | undefined,
  body: unknown,
  requestId: string,
): { event: AlertEvent; reply: IntakeReply } | { error: IntakeReply } {
  if (identifierType !== 'alias') {
    const told =
      identifierType === undefined || identifierType === ''
        ? 'identifierType defaults to id'
        : ['id', 'tiny'].includes(identifierType)
          ? `identifierType=${identifierType} is not supported`
          : `identifierType ${JSON.stringify(identifierType.slice(0, 40))} is invalid (id, tiny or alias)`;
    return unprocessable(requestId, {
      identifierType: `${told}; this API finds alerts only by alias: send ?identifierType=alias`,
    });
  }
  if (typeof identifier !== 'string' || identifier.trim() === '') {
    return unprocessable(requestId, { identifier: 'identifier can not be empty' });
  }
  if (identifier.length > OG_LIMITS.alias) {
    return unprocessable(requestId, { identifier: `an alias can be at most ${OG_LIMITS.alias} characters` });
  }
  const parsed = bodyObject(body, requestId);
  if ('error' in parsed) return parsed;
  const obj = parsed.obj;
  const errors: Record<string, string> = {};
  const user = text(obj, 'user', OG_LIMITS.user, errors);
  const source = text(obj, 'source', OG_LIMITS.source, errors);
  const note = text(obj, 'note', OG_LIMITS.note, errors);
  if (Object.keys(errors).length > 0) return unprocessable(requestId, errors);
  const kept = boundDetails({ user, source, note });
  const event: AlertEvent = {
    action: action === 'close' ? 'resolve' : 'acknowledge',
    source: 'opsgenie',
    integrationId: null,
    dedupKey: identifier,
    labels: {},
    annotations: {},
    summary: '',
    severity: DEFAULT_SEVERITY,
    ...(kept !== undefined ? { details: kept } : {}),
  };
  return { event, reply: accepted(requestId) };
}
