/**
 * Label matchers with Alertmanager's syntax and semantics (docs: configuration → <matcher>):
 * `name="value"`, `name!="value"`, `name=~"regex"`, `name!~"regex"`. Values may be quoted
 * (with \" \\ \n escapes) or bare. Regexes are anchored at both ends, as in Alertmanager, and a
 * missing label matches as the empty string (so `foo=""` matches alerts without `foo`).
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  /** Compiled, anchored regex for =~ and !~. */
  re?: RegExp;
}

export type Labels = Readonly<Record<string, string>>;

/** The longest regex a matcher may hold; bounds compile cost and keeps patterns reviewable. */
export const MAX_MATCHER_REGEX = 1000;

export class MatcherError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_./-]*$/;

function unquote(raw: string): string {
  const s = raw.trim();
  if (!s.startsWith('"')) {
    if (/["\\]/.test(s)) throw new MatcherError(`unquoted value ${JSON.stringify(s)} contains a quote or backslash`);
    return s;
  }
  if (s.length < 2 || !s.endsWith('"')) throw new MatcherError(`value ${s} is missing its closing quote`);
  let out = '';
  for (let i = 1; i < s.length - 1; i++) {
    const c = s[i];
    if (c === '\\') {
      const n = s[++i];
      if (i >= s.length - 1) throw new MatcherError(`value ${s} ends with a lone backslash`);
      // As Alertmanager's parser (pkg/labels/parse.go): \n, \" and \\ are escapes; any other backslash
      // is literal, so a regex like "foo\.bar" keeps its meaning instead of becoming "foo.bar".
      out += n === 'n' ? '\n' : n === '"' || n === '\\' ? n : `\\${n}`;
    } else if (c === '"') {
      throw new MatcherError(`value ${s} has an unescaped quote inside`);
    } else {
      out += c;
    }
  }
  return out;
}

export function compileRegex(value: string): RegExp {
  if (value.length > MAX_MATCHER_REGEX) throw new MatcherError(`regex longer than ${MAX_MATCHER_REGEX} characters`);
  // RE2's leading flag group, common in Alertmanager configs (`(?i)critical`), is not JavaScript
  // syntax; i and s mean the same as JS flags, and inside Go's anchoring group they cover the whole value.
  const flags = /^\(\?([is]+)\)/.exec(value);
  const body = flags ? value.slice(flags[0].length) : value;
  try {
    // Anchored like Alertmanager (Go's `^(?:…)$`). No `u` flag: it rejects escapes such as `\-` that RE2 accepts.
    return new RegExp(`^(?:${body})$`, flags ? [...new Set(flags[1])].join('') : '');
  } catch (err) {
    throw new MatcherError(`invalid regex ${JSON.stringify(value)}: ${(err as Error).message}`);
  }
}

export function makeMatcher(name: string, op: MatchOp, value: string): Matcher {
  if (!NAME.test(name)) throw new MatcherError(`invalid label name ${JSON.stringify(name)}`);
  const m: Matcher = { name, op, value };
  if (op === '=~' || op === '!~') m.re = compileRegex(value);
  return m;
}

/** Parses one matcher string: `severity="critical"`, `service=~"foo|bar"`, `env!=prod`. */
export function parseMatcher(input: string): Matcher {
  const s = input.trim();
  const m = /^([A-Za-z_][A-Za-z0-9_./-]*|"[^"]*")\s*(=~|!~|!=|=)\s*([\s\S]*)$/.exec(s);
  if (!m) throw new MatcherError(`${JSON.stringify(input)} is not a matcher like name="value", name=~"regex"`);
  const rawName = m[1] as string;
  const name = rawName.startsWith('"') ? rawName.slice(1, -1) : rawName;
  return makeMatcher(name, m[2] as MatchOp, unquote(m[3] as string));
}

/**
 * Parses a matcher list. Accepts Alertmanager's braces form too: `{a="1", b=~"x|y"}` or a
 * comma-separated string, so `--matcher` on the CLI and the UI filter box take the same text.
 */
export function parseMatcherList(input: string): Matcher[] {
  let s = input.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && quoted) {
      cur += c + (s[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) parts.push(cur);
  return parts.filter((p) => p.trim()).map(parseMatcher);
}

function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The canonical text of a matcher: `name<op>"value"`. */
export function formatMatcher(m: Pick<Matcher, 'name' | 'op' | 'value'>): string {
  return `${m.name}${m.op}${quote(m.value)}`;
}

/** Whether one matcher holds for a label set (a missing label reads as ""). */
export function matchOne(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return (m.re ?? compileRegex(m.value)).test(v);
    case '!~':
      return !(m.re ?? compileRegex(m.value)).test(v);
  }
}

/** All matchers hold (an empty list matches everything). */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const m of matchers) if (!matchOne(m, labels)) return false;
  return true;
}
