import fc from 'fast-check';
import { expect } from 'vitest';

/**
 * Shared pieces of the property tests: adversarial values, a mutator that turns a valid payload
 * into a near-valid one, raw bodies with wrong content types, and a time bound per run.
 */

/** Every run of every property must answer within this (one request, one parse, one evaluation). */
export const RUN_BOUND_MS = 2000;

/**
 * fast-check settings: a fixed budget per property; the seed and shrunk counterexample print on failure
 * (replay one with `fc.assert(…, { seed, path })`). MAINSTAY_PROPERTY_SCALE=10 runs ten times as many
 * cases, for a deeper search on a developer's machine.
 */
export const RUNS = (numRuns: number) =>
  ({
    numRuns: Math.max(1, Math.round(numRuns * Number(process.env.MAINSTAY_PROPERTY_SCALE ?? 1))),
    endOnFailure: true,
  }) as const;

/** Runs `fn` and fails when it takes longer than `ms`; returns its result and the time taken. */
export async function timed<T>(what: string, fn: () => Promise<T> | T, ms = RUN_BOUND_MS): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  const took = performance.now() - t0;
  expect(took, `${what} took ${Math.round(took)} ms (bound ${ms} ms)`).toBeLessThan(ms);
  return out;
}

/** Keys that have a meaning on Object.prototype: a payload must never reach the prototype through them. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'] as const;

/** JSON text nested `depth` levels deep (arrays or objects), built as text so the test itself never recurses. */
export function nestedJsonText(depth: number, kind: 'array' | 'object', leaf = '1'): string {
  return kind === 'array'
    ? '['.repeat(depth) + leaf + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

/** A value nested `depth` levels (parsed from text: real own properties, no recursion here). */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  return JSON.parse(nestedJsonText(depth, kind));
}

/** Strings that break naive code: unicode of every plane, lone surrogates, control characters, huge ones. */
export const adversarialString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff',
    '💥'.repeat(600),
    'a\nb',
    '\r\n',
    '\ufeff',
    '%s%n{{x}}',
    "'; drop table alerts; --",
    '../../etc/passwd',
    'null',
    'true',
    '0',
    '-1',
    '1e309',
    'NaN',
    '2026-02-30T25:61:61Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999999999+14:00',
  ),
  fc.constantFrom(...PROTO_KEYS),
  // Just past the field limits most protocols use (1024, 16 KiB, 64 KiB), and far past them.
  fc.constantFrom(256, 1025, 16_385, 70_000, 300_000).map((n) => 'x'.repeat(n)),
);

/** Any JSON-ish value, leaning on the shapes parsers get wrong. */
export const adversarialValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: adversarialString },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      null,
      true,
      false,
      0,
      -0,
      -1,
      1.5,
      2 ** 53 + 1,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.MIN_VALUE,
      [],
      {},
      [null],
      [[]],
      { '': '' },
    ),
  },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS).map((k) => JSON.parse(`{"${k}": {"polluted": "yes"}}`)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 20, max: 3000 }), fc.constantFrom('array' as const, 'object' as const))
      .map(([d, k]) => nested(d, k)),
  },
  { weight: 1, arbitrary: fc.array(fc.string(), { minLength: 200, maxLength: 2000 }) },
);

type Json = unknown;

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

/** One way to break a payload at one place. */
export type Mutation =
  | { op: 'replace'; path: number[]; value: unknown }
  | { op: 'delete'; path: number[] }
  | { op: 'add'; path: number[]; key: string; value: unknown }
  | { op: 'stringify'; path: number[] }
  | { op: 'wrap'; path: number[] };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('replace' as const),
      path: fc.array(fc.nat(), { maxLength: 5 }),
      value: adversarialValue,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('delete' as const),
      path: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('add' as const),
      path: fc.array(fc.nat(), { maxLength: 4 }),
      key: fc.oneof(fc.constantFrom(...PROTO_KEYS), adversarialString),
      value: adversarialValue,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('stringify' as const), path: fc.array(fc.nat(), { maxLength: 5 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wrap' as const), path: fc.array(fc.nat(), { maxLength: 5 }) }) },
);

/** Sets an own property to a copy of `value` (generated values are shared between runs and must stay intact). */
function setOwn(obj: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  const copy = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  Object.defineProperty(obj, key, { value: copy, enumerable: true, writable: true, configurable: true });
}

/**
 * Applies a mutation in place: walks `path` (each number picks one of the keys at that level, modulo
 * their count) and breaks what it reaches. Keys such as `__proto__` are set as own properties, as
 * JSON.parse would. Returns the new root.
 */
export function mutate(root: Json, m: Mutation): Json {
  const holder: Record<string, unknown> = { root };
  let parent: Record<string, unknown> | unknown[] = holder;
  let key: string | number = 'root';
  for (const n of m.path) {
    const cur: unknown = (parent as Record<string, unknown>)[key as string];
    if (!isContainer(cur)) break;
    const keys = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
    if (keys.length === 0) break;
    parent = cur;
    key = keys[n % keys.length] as string | number;
  }
  const target = (parent as Record<string, unknown>)[key as string];
  switch (m.op) {
    case 'replace':
      setOwn(parent, key, m.value);
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else if (parent !== holder) delete (parent as Record<string, unknown>)[key as string];
      break;
    case 'add':
      if (isContainer(target) && !Array.isArray(target)) setOwn(target, m.key, m.value);
      else if (Array.isArray(target)) setOwn(target, target.length, m.value);
      else setOwn(parent, key, m.value);
      break;
    case 'stringify':
      setOwn(parent, key, typeof target === 'string' ? Number(target) : JSON.stringify(target ?? null));
      break;
    case 'wrap':
      setOwn(parent, key, [target]);
      break;
  }
  return holder.root;
}

/** A near-valid payload: the valid one with one to three mutations. */
export function nearValid(valid: Json): fc.Arbitrary<Json> {
  // Copied once per run (the valid payload is small); deep adversarial values are never copied.
  return fc
    .array(mutation, { minLength: 1, maxLength: 3 })
    .map((ms) => ms.reduce((v, m) => mutate(v, m), JSON.parse(JSON.stringify(valid)) as Json));
}

/** How a body goes on the wire: JSON text with a content type, or raw bytes. */
export interface WireBody {
  contentType: string | undefined;
  payload: string | Buffer;
}

export const contentTypes: fc.Arbitrary<string | undefined> = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/xml',
  'application/vnd.api+json',
  ';;;',
  'json',
  '*/*',
  undefined,
);

/** Bodies that are not JSON at all, or JSON that JavaScript reads oddly. */
export const rawBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '0',
    '"text"',
    '[]',
    '{}',
    '{',
    '}',
    '{"a":1,}',
    "{'a':1}",
    '{"a":1}{"b":2}',
    '{"a": NaN}',
    '{"a": 1e400}',
    '{"a": -1e400}',
    '{"a": 123456789012345678901234567890}',
    '\ufeff{"a":1}',
    '{"a":"\\ud800"}',
    '{"__proto__": {"polluted": true}}',
    '{"constructor": {"prototype": {"polluted": true}}}',
    '{"a":1,"a":2}',
    'routing_key=x&event_action=trigger',
    '<?xml version="1.0"?><a/>',
  ),
  fc.integer({ min: 1000, max: 200_000 }).map((d) => nestedJsonText(d, 'array')),
  fc.integer({ min: 1000, max: 100_000 }).map((d) => nestedJsonText(d, 'object')),
);

/** A body for an endpoint: mostly near-valid JSON, sometimes any JSON, sometimes raw bytes, under any content type. */
export function wireBody(valid: Json): fc.Arbitrary<WireBody> {
  const json = (v: fc.Arbitrary<Json>) =>
    fc.record({ contentType: contentTypes, payload: v.map((x) => JSON.stringify(x) ?? 'null') });
  return fc.oneof(
    { weight: 5, arbitrary: json(nearValid(valid)) },
    { weight: 2, arbitrary: json(fc.jsonValue({ maxDepth: 4 })) },
    { weight: 2, arbitrary: json(adversarialValue) },
    { weight: 2, arbitrary: fc.record({ contentType: contentTypes, payload: rawBody }) },
  );
}

/** Test-side guard: nothing in this process was polluted through a payload. */
export function expectNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted, 'Object.prototype was polluted').toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
}
