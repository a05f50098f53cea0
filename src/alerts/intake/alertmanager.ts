import type { AlertEvent } from '../alert.model.js';
import {
  boundDetails,
  FieldErrors,
  type IntakeFieldsError,
  isBlank,
  isObject,
  isValidLabelName,
  type JsonObject,
  LABEL_NAME_RULE,
  MAX_ANNOTATION_NAME,
  MAX_ANNOTATION_VALUE,
  MAX_ANNOTATIONS,
  MAX_LABEL_VALUE,
  MAX_LABELS,
  MAX_SUMMARY,
  MAX_URL,
  own,
  parseTimestamp,
  scalarText,
  setOwn,
  truncate,
} from './limits.js';
import { normalizeSeverity } from './severity.js';

/**
 * Alertmanager's webhook (payload version "4", docs "Configuration" → `<webhook_config>`), Grafana
 * alerting's webhook (the same shape plus orgId, title, state, message and, per alert, values,
 * valueString, silenceURL, dashboardURL, panelURL, imageURL; Grafana sends version "1"), and the
 * body Prometheus POSTs to Alertmanager's `/api/v2/alerts` (postableAlerts:
 * `[{labels, annotations, startsAt, endsAt, generatorURL}]`).
 *
 * Labels are the identity (dedupKey null, the fingerprint is computed from them), so they are
 * validated, never rewritten: a label that breaks Mainstay's rules rejects the request with the
 * field named, rather than silently becoming a different alert.
 */

export interface AmParsed {
  /** The webhook's groupKey (null for the v2 API, which has no groups). */
  groupKey: string | null;
  events: AlertEvent[];
}

export type AmError = IntakeFieldsError;

/** Most alerts accepted in one POST. */
export const AM_MAX_ALERTS = 10_000;
const MAX_GROUP_KEY = 8192;

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number | undefined;
  endsAt: number | undefined;
  generatorURL: string | undefined;
}

function labelsOf(v: unknown, path: string, errs: FieldErrors): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!isObject(v)) {
    errs.add(path, 'must be an object of label names to string values');
    return labels;
  }
  const entries = Object.entries(v);
  const before = errs.count;
  if (entries.length > MAX_LABELS) {
    errs.add(path, `has ${entries.length} labels; at most ${MAX_LABELS} are allowed`);
    return labels;
  }
  for (const [name, value] of entries) {
    if (!isValidLabelName(name)) {
      errs.add(path, `label name ${JSON.stringify(truncate(name, 80))} is invalid: ${LABEL_NAME_RULE}`);
    } else if (typeof value !== 'string') {
      errs.add(`${path}.${name}`, 'label value must be a string');
    } else if (value.length > MAX_LABEL_VALUE) {
      errs.add(`${path}.${name}`, `label value is longer than ${MAX_LABEL_VALUE} characters`);
    } else if (value !== '') {
      // An empty value is the same as no label (Prometheus data model), so it does not change identity.
      setOwn(labels, name, value);
    }
  }
  if (errs.count === before && Object.keys(labels).length === 0) {
    errs.add(path, 'at least one label with a non-empty value is required');
  }
  return labels;
}

function annotationsOf(v: unknown, path: string, errs: FieldErrors): Record<string, string> {
  const annotations: Record<string, string> = {};
  if (isBlank(v)) return annotations;
  if (!isObject(v)) {
    errs.add(path, 'must be an object of names to string values');
    return annotations;
  }
  const entries = Object.entries(v);
  if (entries.length > MAX_ANNOTATIONS) {
    errs.add(path, `has ${entries.length} annotations; at most ${MAX_ANNOTATIONS} are allowed`);
    return annotations;
  }
  for (const [name, value] of entries) {
    if (name === '' || name.length > MAX_ANNOTATION_NAME) {
      errs.add(path, `annotation names must be 1 to ${MAX_ANNOTATION_NAME} characters`);
      continue;
    }
    const text = scalarText(value);
    if (text === undefined) errs.add(`${path}.${name}`, 'annotation value must be a string');
    else setOwn(annotations, name, truncate(text, MAX_ANNOTATION_VALUE));
  }
  return annotations;
}

function timeOf(obj: JsonObject, key: string, path: string, errs: FieldErrors): number | undefined {
  const v = own(obj, key);
  if (isBlank(v)) return undefined;
  const at = parseTimestamp(v);
  if (at === undefined) {
    errs.add(`${path}.${key}`, 'must be an RFC 3339 date-time, e.g. 2026-01-02T15:04:05Z');
    return undefined;
  }
  return at ?? undefined; // Go's zero time: not set.
}

function urlOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && v.length <= MAX_URL ? v : undefined;
}

function alertOf(raw: unknown, path: string, errs: FieldErrors): AmAlert | undefined {
  if (!isObject(raw)) {
    errs.add(path, 'must be an object');
    return undefined;
  }
  const before = errs.count;
  const alert: AmAlert = {
    labels: labelsOf(own(raw, 'labels'), `${path}.labels`, errs),
    annotations: annotationsOf(own(raw, 'annotations'), `${path}.annotations`, errs),
    startsAt: timeOf(raw, 'startsAt', path, errs),
    endsAt: timeOf(raw, 'endsAt', path, errs),
    generatorURL: urlOf(own(raw, 'generatorURL')),
  };
  return errs.count === before ? alert : undefined;
}

/** annotations.summary, else annotations.description, else labels.alertname, else "alert". */
export function amSummary(annotations: Record<string, string>, labels: Record<string, string>): string {
  const pick = [own(annotations, 'summary'), own(annotations, 'description'), own(labels, 'alertname')].find(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );
  return truncate(pick ?? 'alert', MAX_SUMMARY);
}

function eventOf(a: AmAlert, action: 'trigger' | 'resolve', details: JsonObject | undefined): AlertEvent {
  return {
    action,
    source: 'alertmanager',
    integrationId: null,
    dedupKey: null,
    labels: a.labels,
    annotations: a.annotations,
    summary: amSummary(a.annotations, a.labels),
    severity: normalizeSeverity(own(a.labels, 'severity')),
    ...(a.startsAt !== undefined ? { startsAt: a.startsAt } : {}),
    ...(a.endsAt !== undefined ? { endsAt: a.endsAt } : {}),
    ...(a.generatorURL !== undefined ? { generatorURL: a.generatorURL } : {}),
    ...(details !== undefined ? { details } : {}),
  };
}

function alertsArray(v: unknown, path: string, errs: FieldErrors): unknown[] | undefined {
  if (!Array.isArray(v)) {
    errs.add(path, 'must be an array of alerts');
    return undefined;
  }
  if (v.length > AM_MAX_ALERTS) {
    errs.add(path, `has ${v.length} alerts; at most ${AM_MAX_ALERTS} are accepted per request`);
    return undefined;
  }
  return v;
}

const STATUSES = ['firing', 'resolved'] as const;
type Status = (typeof STATUSES)[number];

function statusOf(v: unknown): Status | undefined {
  return STATUSES.includes(v as Status) ? (v as Status) : undefined;
}

const GRAFANA_ALERT_FIELDS = ['silenceURL', 'dashboardURL', 'panelURL', 'imageURL', 'valueString', 'values'];

/**
 * One webhook POST (one alert group). Each alert's own `status` decides (the group's is the
 * fallback): resolved → resolve, firing → trigger. A firing alert's endsAt is not kept: Alertmanager
 * re-sends a group only at group_interval/repeat_interval, so an endsAt would expire alerts that
 * are still firing; the resolve comes as its own notification (webhook_config send_resolved, on by
 * default). The zero time `0001-01-01T00:00:00Z` means "not set".
 */
export function parseAlertmanagerWebhook(body: unknown): AmParsed | { error: AmError } {
  const errs = new FieldErrors();
  const what = 'Invalid Alertmanager webhook payload';
  if (!isObject(body)) {
    errs.add('body', 'must be a JSON object (an Alertmanager webhook payload)');
    return errs.result(what) as { error: AmError };
  }
  const rawGroupKey = own(body, 'groupKey');
  let groupKey: string | null = null;
  if (typeof rawGroupKey === 'string' && rawGroupKey.length <= MAX_GROUP_KEY) groupKey = rawGroupKey;
  else if (!isBlank(rawGroupKey)) errs.add('groupKey', `must be a string of at most ${MAX_GROUP_KEY} characters`);

  const rawStatus = own(body, 'status');
  const groupStatus = statusOf(rawStatus);
  if (!isBlank(rawStatus) && groupStatus === undefined) errs.add('status', "must be 'firing' or 'resolved'");

  const group: JsonObject = {};
  for (const key of ['receiver', 'externalURL', 'orgId'] as const) {
    const text = scalarText(own(body, key));
    if (text !== undefined && text !== '') group[key] = truncate(text, 1024);
  }

  const events: AlertEvent[] = [];
  const alerts = alertsArray(own(body, 'alerts'), 'alerts', errs) ?? [];
  alerts.forEach((raw, i) => {
    const path = `alerts[${i}]`;
    const alert = alertOf(raw, path, errs);
    const rawAlertStatus = isObject(raw) ? own(raw, 'status') : undefined;
    const status = isBlank(rawAlertStatus) ? groupStatus : statusOf(rawAlertStatus);
    if (status === undefined) {
      errs.add(`${path}.status`, "must be 'firing' or 'resolved' (here or in the group's status)");
      return;
    }
    if (!alert || !isObject(raw)) return;
    const extra: JsonObject = { ...group };
    const fingerprint = scalarText(own(raw, 'fingerprint'));
    if (fingerprint) extra.fingerprint = truncate(fingerprint, 64);
    for (const key of GRAFANA_ALERT_FIELDS) {
      const v = own(raw, key);
      if (!isBlank(v)) extra[key] = v;
    }
    const resolved = status === 'resolved';
    events.push(
      eventOf(
        { ...alert, endsAt: resolved ? alert.endsAt : undefined },
        resolved ? 'resolve' : 'trigger',
        boundDetails(extra),
      ),
    );
  });
  return errs.result(what) ?? { groupKey, events };
}

/**
 * The array Prometheus POSTs to `/api/v2/alerts`. An endsAt at or before `now` resolves the alert;
 * a later one is kept on a trigger, and the caller resolves the alert when that time passes
 * without a refresh (Prometheus re-sends firing alerts with a moved endsAt; without endsAt the
 * caller applies its resolve timeout, as Alertmanager's resolve_timeout).
 */
export function parsePrometheusAlerts(body: unknown, now: number): AmParsed | { error: AmError } {
  const errs = new FieldErrors();
  const what = 'Invalid alerts';
  const alerts = alertsArray(body, 'body', errs);
  const events: AlertEvent[] = [];
  alerts?.forEach((raw, i) => {
    const path = `[${i}]`;
    const alert = alertOf(raw, path, errs);
    if (!alert) return;
    if (alert.startsAt !== undefined && alert.endsAt !== undefined && alert.endsAt < alert.startsAt) {
      errs.add(`${path}.endsAt`, 'must not be before startsAt');
      return;
    }
    const resolved = alert.endsAt !== undefined && alert.endsAt <= now;
    events.push(eventOf(alert, resolved ? 'resolve' : 'trigger', undefined));
  });
  return errs.result(what) ?? { groupKey: null, events };
}
