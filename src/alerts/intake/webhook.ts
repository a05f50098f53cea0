import type { AlertEvent } from '../alert.model.js';
import type { WebhookMapping } from '../config.model.js';
import {
  boundDetails,
  FieldErrors,
  type IntakeFieldsError,
  isObject,
  isValidLabelName,
  jsonBytes,
  LABEL_NAME_RULE,
  MAX_ANNOTATION_VALUE,
  MAX_LABEL_VALUE,
  MAX_SUMMARY,
  own,
  scalarText,
  setOwn,
  truncate,
} from './limits.js';
import { DEFAULT_SEVERITY, normalizeSeverity } from './severity.js';

/**
 * Generic JSON webhooks: an integration's WebhookMapping says, as JSON paths, where the summary,
 * severity, dedup key, status, labels and annotations are, and (for batches) where the array of
 * items is; each item is then mapped with the same paths, `$` being the item.
 */

/** Most items mapped from one POST (as Alertmanager's limit). */
export const WEBHOOK_MAX_ITEMS = 10_000;
const MAX_DEDUP_KEY = 512;

/**
 * The value at a JsonPathSchema path (`$`, `.name`, `[3]`, `["odd key"]`) in `obj`, or undefined.
 * Only own properties are read, so `$.constructor` is undefined, not Object's constructor.
 */
export function readJsonPath(obj: unknown, path: string): unknown {
  if (typeof path !== 'string' || path.charAt(0) !== '$' || path.length > 500) return undefined;
  let cur: unknown = obj;
  let i = 1;
  while (i < path.length) {
    const c = path.charAt(i);
    if (c === '.') {
      let end = i + 1;
      while (end < path.length && path.charAt(end) !== '.' && path.charAt(end) !== '[') end += 1;
      const name = path.slice(i + 1, end);
      if (name === '' || !isObject(cur)) return undefined;
      cur = own(cur, name);
      i = end;
    } else if (c === '[' && path.charAt(i + 1) === '"') {
      const close = path.indexOf('"]', i + 2);
      if (close < 0 || !isObject(cur)) return undefined;
      cur = own(cur, path.slice(i + 2, close));
      i = close + 2;
    } else if (c === '[') {
      const close = path.indexOf(']', i + 1);
      const digits = close < 0 ? '' : path.slice(i + 1, close);
      if (digits === '' || digits.length > 9 || !/^\d+$/.test(digits) || !Array.isArray(cur)) return undefined;
      cur = cur[Number(digits)];
      i = close + 1;
    } else {
      return undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** A mapped value as text: strings as they are, numbers and booleans stringified, objects as JSON. */
function valueText(v: unknown): string | undefined {
  const s = scalarText(v);
  if (s !== undefined) return s;
  if (v === null || v === undefined) return undefined;
  const size = jsonBytes(v);
  return size === undefined || size > MAX_ANNOTATION_VALUE ? undefined : JSON.stringify(v);
}

/**
 * One POST mapped to events. The summary is required (an item without one is an error naming the
 * absolute path that was read); severity is normalized (absent: warning); a status value listed in
 * resolvedValues resolves, any other value (or none) triggers. Identity: the mapped dedup key;
 * without one, the labels; with neither, the summary (otherwise every alert of the integration
 * would be the same alert). The posted item is kept as details (bounded).
 */
export function parseGenericWebhook(
  body: unknown,
  mapping: WebhookMapping,
): { events: AlertEvent[] } | { error: IntakeFieldsError } {
  const errs = new FieldErrors();
  const what = 'The webhook payload does not fit the integration mapping';
  let items: { item: unknown; base: string }[];
  if (mapping.items !== undefined) {
    const list = readJsonPath(body, mapping.items);
    if (!Array.isArray(list)) {
      errs.add(mapping.items, 'expected an array of items here (mapping.items)');
      return errs.result(what) as { error: IntakeFieldsError };
    }
    if (list.length > WEBHOOK_MAX_ITEMS) {
      errs.add(mapping.items, `has ${list.length} items; at most ${WEBHOOK_MAX_ITEMS} are accepted per request`);
      return errs.result(what) as { error: IntakeFieldsError };
    }
    items = list.map((item, i) => ({ item, base: `${mapping.items}[${i}]` }));
  } else {
    items = [{ item: body, base: '$' }];
  }

  const events: AlertEvent[] = [];
  for (const { item, base } of items) {
    const at = (path: string) => base + path.slice(1);
    const before = errs.count;
    const summary = valueText(readJsonPath(item, mapping.summary));
    if (summary === undefined || summary.trim() === '') {
      errs.add(at(mapping.summary), 'no summary here (mapping.summary); every alert needs one');
    }
    let dedupKey: string | null = null;
    if (mapping.dedupKey !== undefined) {
      const key = valueText(readJsonPath(item, mapping.dedupKey));
      if (key !== undefined && key.length > MAX_DEDUP_KEY) {
        errs.add(at(mapping.dedupKey), `dedup key is longer than ${MAX_DEDUP_KEY} characters (mapping.dedupKey)`);
      } else if (key !== undefined && key !== '') dedupKey = key;
    }
    const labels: Record<string, string> = {};
    for (const [name, path] of Object.entries(mapping.labels)) {
      const v = valueText(readJsonPath(item, path));
      if (v === undefined || v === '') continue;
      if (!isValidLabelName(name)) errs.add(`mapping.labels`, `label name ${JSON.stringify(name)}: ${LABEL_NAME_RULE}`);
      else if (v.length > MAX_LABEL_VALUE) {
        errs.add(at(path), `value for label ${name} is longer than ${MAX_LABEL_VALUE} characters`);
      } else setOwn(labels, name, v);
    }
    if (errs.count > before || summary === undefined) continue;

    const annotations: Record<string, string> = {};
    for (const [name, path] of Object.entries(mapping.annotations)) {
      const v = valueText(readJsonPath(item, path));
      if (v !== undefined && v !== '') setOwn(annotations, name, truncate(v, MAX_ANNOTATION_VALUE));
    }
    if (own(annotations, 'summary') === undefined) annotations.summary = truncate(summary, MAX_ANNOTATION_VALUE);
    const status = mapping.status === undefined ? undefined : valueText(readJsonPath(item, mapping.status));
    const resolved = status !== undefined && mapping.resolvedValues.includes(status);
    const severity =
      mapping.severity === undefined
        ? DEFAULT_SEVERITY
        : normalizeSeverity(valueText(readJsonPath(item, mapping.severity)));
    if (dedupKey === null && Object.keys(labels).length === 0) dedupKey = truncate(summary, MAX_DEDUP_KEY);
    const details = boundDetails(isObject(item) ? item : { payload: item });
    events.push({
      action: resolved ? 'resolve' : 'trigger',
      source: 'webhook',
      integrationId: null,
      dedupKey,
      labels,
      annotations,
      summary: truncate(summary, MAX_SUMMARY),
      severity,
      ...(details !== undefined ? { details } : {}),
    });
  }
  return errs.result(what) ?? { events };
}
