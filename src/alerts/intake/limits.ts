/**
 * Helpers shared by the intake adapters: bounds, own-property access, label rules, timestamps.
 * Everything here is linear in its input and never throws on untrusted values.
 */

/** Mainstay's label-name rule (as LabelsSchema in platform/resources). */
export const LABEL_NAME_RE = /^[A-Za-z_][A-Za-z0-9_./-]{0,62}$/;
export const LABEL_NAME_RULE = 'letters, digits, _ . / -, starting with a letter or _, at most 63 characters';
export const MAX_LABEL_VALUE = 1024;
export const MAX_LABELS = 128;
export const MAX_ANNOTATIONS = 128;
export const MAX_ANNOTATION_NAME = 128;
export const MAX_ANNOTATION_VALUE = 16 * 1024;
export const MAX_SUMMARY = 1024;
export const MAX_URL = 4096;
/** Source-specific details kept with an alert, as JSON bytes. */
export const MAX_DETAILS_BYTES = 64 * 1024;
/** Field errors reported per request: enough to fix a payload, bounded for adversarial ones. */
export const MAX_FIELD_ERRORS = 100;

export type Json = unknown;
export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property only: `constructor` or `__proto__` in a payload never reach the prototype. */
export function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Sets an own data property, also for the key `__proto__` (which `o[k] = v` would swallow). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

export function isValidLabelName(name: string): boolean {
  return name.length <= 63 && LABEL_NAME_RE.test(name);
}

/** Cuts `s` to at most `max` UTF-16 units, ending in `…` when cut, without splitting a surrogate pair. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max - 1;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${s.slice(0, end)}…`;
}

/** Numbers and booleans as text; strings as they are; anything else undefined. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

/** Byte size of `v` as JSON, or undefined when it cannot be serialised (too deep, cyclic, BigInt). */
export function jsonBytes(v: unknown): number | undefined {
  try {
    const text = JSON.stringify(v);
    return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Details kept with an alert, at most `max` JSON bytes: the largest fields are dropped first and
 * named in `_dropped`, with a `_note` saying why, so a reader knows something was there.
 */
export function boundDetails(fields: JsonObject, max: number = MAX_DETAILS_BYTES): JsonObject | undefined {
  const sized = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({ k, v, size: jsonBytes(v), key: Buffer.byteLength(JSON.stringify(k), 'utf8') + 2 }));
  if (sized.length === 0) return undefined;
  const dropped = new Set<string>();
  let kept = sized.filter((e) => {
    if (e.size !== undefined) return true;
    dropped.add(e.k);
    return false;
  });
  let total = kept.reduce((n, e) => n + (e.size ?? 0) + e.key, 2);
  if (dropped.size === 0 && total <= max) return buildObject(kept);
  // Room for `_dropped` and `_note`; the largest fields go first until the rest fits.
  const budget = max - 1024;
  for (const e of [...kept].sort((a, b) => (b.size ?? 0) - (a.size ?? 0))) {
    if (total <= budget) break;
    dropped.add(e.k);
    total -= (e.size ?? 0) + e.key;
  }
  kept = kept.filter((e) => !dropped.has(e.k));
  const out = buildObject(kept);
  out._dropped = [...dropped].slice(0, 20).map((k) => truncate(k, 64));
  out._note = `details are limited to ${max} bytes of JSON; ${dropped.size} field(s) were dropped, the largest first`;
  return out;
}

function buildObject(entries: { k: string; v: unknown }[]): JsonObject {
  const out: JsonObject = {};
  for (const { k, v } of entries) setOwn(out, k, v);
  return out;
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,12}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * An RFC 3339 / ISO 8601 date-time (`2015-07-17T08:42:58.315+0000`, `…+02:00`, `…Z`, nanosecond
 * fractions) in epoch ms. No offset means UTC. `null`: Go's zero time `0001-01-01T00:00:00Z`, which
 * Alertmanager sends for "not set". `undefined`: not a date-time.
 */
export function parseTimestamp(text: unknown): number | null | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (year === 1 && month === 1 && day === 1 && hour === 0 && minute === 0 && second === 0) return null;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = month === 2 && leap ? 29 : (DAYS[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > dim || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  let offsetMin = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMin = sign * (oh * 60 + om);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, Math.min(second, 59), ms);
  return d.getTime() - offsetMin * 60_000;
}

export interface FieldError {
  path: string;
  message: string;
}

/** The `{message, fields[]}` error of the JSON intake adapters (Alertmanager, generic webhook). */
export interface IntakeFieldsError {
  message: string;
  fields: FieldError[];
}

/** Collects field errors, keeping the first MAX_FIELD_ERRORS and counting the rest. */
export class FieldErrors {
  readonly fields: FieldError[] = [];
  count = 0;

  add(path: string, message: string): void {
    this.count += 1;
    if (this.fields.length < MAX_FIELD_ERRORS) this.fields.push({ path, message });
  }

  /** The error to return, or undefined when nothing was added. */
  result(what: string): { error: IntakeFieldsError } | undefined {
    if (this.count === 0) return undefined;
    const more = this.count > this.fields.length ? ` (the first ${this.fields.length} are listed)` : '';
    return { error: { message: `${what}: ${this.count} invalid field(s)${more}`, fields: this.fields } };
  }
}
