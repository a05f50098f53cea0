import { RE2JS } from 're2js';
import type { JsonAssertion } from '../check.model.js';

/**
 * The JSONPath subset of `JsonPathSchema` (`$`, `.name`, `[3]`, `["key with spaces"]`) and the
 * comparators of `JsonAssertionSchema`. Evaluation never throws: a missing value, a type
 * mismatch or a bad pattern is a failure message that names the path, what it found and what
 * was expected ("$.queue.depth is 140, expected < 100").
 */

export type JsonPathSegment = string | number;

const MAX_CACHED = 256;
const pathCache = new Map<string, JsonPathSegment[] | null>();
/** A compiled search pattern (unanchored, like `RegExp.prototype.test`). */
export interface SearchRegex {
  test(text: string): boolean;
}
const regexCache = new Map<string, SearchRegex | null>();

/** Bounded cache: the scheduler runs the same few thousand specs over and over. */
function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, value);
  return value;
}

/**
 * Compiles a check's pattern (bodyRegex, stdoutRegex, a JSON `matches`) with RE2 (re2js): its run
 * time is linear in the text, so a response from the monitored service cannot stall the server the
 * way a backtracking pattern such as `(\w+\s?)*$` can under JavaScript's engine. RE2 syntax: no
 * backreferences or lookarounds. Undefined when it does not compile.
 */
export function compileSearchRegex(pattern: string, opts: { multiline?: boolean } = {}): SearchRegex | undefined {
  try {
    const re = RE2JS.compile(pattern, opts.multiline ? RE2JS.MULTILINE : 0);
    return { test: (text) => re.test(text) };
  } catch {
    return undefined;
  }
}

/** A compiled pattern from a small bounded cache, or undefined when it does not compile. */
export function cachedRegex(pattern: string, opts: { multiline?: boolean } = {}): SearchRegex | undefined {
  const key = opts.multiline ? `m:${pattern}` : `-:${pattern}`;
  const hit = regexCache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  return remember(regexCache, key, compileSearchRegex(pattern, opts) ?? null) ?? undefined;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45;
}

function parse(path: string): JsonPathSegment[] | null {
  if (path.charCodeAt(0) !== 36 /* $ */) return null;
  const segments: JsonPathSegment[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      const start = ++i;
      if (!isNameStart(path.charCodeAt(i))) return null;
      while (i < path.length && isNameChar(path.charCodeAt(i))) i++;
      segments.push(path.slice(start, i));
    } else if (c === '[' && path[i + 1] === '"') {
      const end = path.indexOf('"]', i + 2);
      if (end < 0 || end === i + 2) return null;
      segments.push(path.slice(i + 2, end));
      i = end + 2;
    } else if (c === '[') {
      const end = path.indexOf(']', i + 1);
      const digits = path.slice(i + 1, end);
      if (end < 0 || digits.length === 0 || !/^\d+$/.test(digits)) return null;
      segments.push(Number(digits));
      i = end + 1;
    } else {
      return null;
    }
  }
  return segments;
}

/** The segments of a path, or undefined when it is not in the supported subset. */
export function parseJsonPath(path: string): JsonPathSegment[] | undefined {
  const hit = pathCache.get(path);
  if (hit !== undefined) return hit ?? undefined;
  return remember(pathCache, path, parse(path)) ?? undefined;
}

const MISSING: unique symbol = Symbol('missing');

/** The value at `segments`, or MISSING. A name only selects an object's own key, an index only an array element. */
function select(doc: unknown, segments: JsonPathSegment[]): unknown {
  let node: unknown = doc;
  for (const seg of segments) {
    if (typeof seg === 'number') {
      if (!Array.isArray(node) || seg >= node.length) return MISSING;
      node = node[seg];
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, seg)) return MISSING;
      node = (node as Record<string, unknown>)[seg];
    }
  }
  return node;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'an object';
  }
}

/** A short rendering for messages: scalars as JSON, containers by their shape. */
export function show(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v !== null && typeof v === 'object') return `an object with ${Object.keys(v).length} keys`;
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

type Scalar = string | number | boolean | null;

function compare(op: '<' | '<=' | '>' | '>=', a: number | string, b: number | string): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

/** Evaluates one assertion against a parsed document: undefined when it holds, else why not. */
export function checkJsonAssertion(doc: unknown, assertion: JsonAssertion): string | undefined {
  const { path, op } = assertion;
  const segments = parseJsonPath(path);
  if (!segments) return `${path} is not a supported JSON path (use $.name, [0] or ["key"])`;
  const actual = select(doc, segments);
  if (op === 'exists') return actual === MISSING ? `${path} does not exist` : undefined;
  if (op === 'not_exists')
    return actual === MISSING ? undefined : `${path} exists (${show(actual)}), expected it not to`;

  const expected: Scalar | undefined = assertion.value;
  const wanted = `expected ${op} ${show(expected)}`;
  if (expected === undefined) return `${path} ${op} needs a value`;
  if (actual === MISSING) return `${path} does not exist, ${wanted}`;

  switch (op) {
    case '==':
      return actual === expected ? undefined : mismatch(path, actual, expected, wanted);
    case '!=':
      // Values of different types are different: `!= "down"` holds for null.
      return actual === expected ? `${path} is ${show(actual)}, ${wanted}` : undefined;
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (typeof expected !== 'number' && typeof expected !== 'string') {
        return `${path} ${op} needs a number or a string, not ${show(expected)}`;
      }
      if (typeof actual !== typeof expected) {
        return `${path} is ${show(actual)} (${typeName(actual)}), ${wanted} (${typeName(expected)})`;
      }
      return compare(op, actual as number | string, expected) ? undefined : `${path} is ${show(actual)}, ${wanted}`;
    }
    case 'contains': {
      if (typeof actual === 'string') {
        if (typeof expected !== 'string') return `${path} is a string; contains needs a string, not ${show(expected)}`;
        return actual.includes(expected) ? undefined : `${path} is ${show(actual)}, ${wanted}`;
      }
      if (Array.isArray(actual)) {
        return actual.includes(expected) ? undefined : `${path} (${show(actual)}) has no element ${show(expected)}`;
      }
      if (actual !== null && typeof actual === 'object') {
        if (typeof expected !== 'string') return `${path} is an object; contains needs a key name`;
        return Object.hasOwn(actual, expected) ? undefined : `${path} has no key ${show(expected)}`;
      }
      return `${path} is ${show(actual)} (${typeName(actual)}); contains needs a string, an array or an object`;
    }
    case 'matches': {
      if (typeof expected !== 'string') return `${path} matches needs a pattern string, not ${show(expected)}`;
      const re = cachedRegex(expected);
      if (!re) return `${show(expected)} is not a valid regular expression`;
      if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') {
        return `${path} is ${show(actual)} (${typeName(actual)}); matches needs a string, number or boolean`;
      }
      return re.test(String(actual)) ? undefined : `${path} is ${show(actual)}, expected to match /${expected}/`;
    }
  }
}

function mismatch(path: string, actual: unknown, expected: Scalar, wanted: string): string {
  const types = typeName(actual) !== typeName(expected) ? ` (${typeName(actual)}, not ${typeName(expected)})` : '';
  return `${path} is ${show(actual)}${types}, ${wanted}`;
}

/** Every failed assertion's message, in order; empty when all hold. */
export function checkJsonAssertions(doc: unknown, assertions: readonly JsonAssertion[]): string[] {
  const failures: string[] = [];
  for (const a of assertions) {
    const failure = checkJsonAssertion(doc, a);
    if (failure !== undefined) failures.push(failure);
  }
  return failures;
}
