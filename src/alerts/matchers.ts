import { RE2JS, RE2JSException } from 're2js';

/**
 * Label matchers with Alertmanager's syntax and semantics (docs: configuration → <matcher>):
 * `name="value"`, `name!="value"`, `name=~"regex"`, `name!~"regex"`. Values may be quoted
 * (with \" \\ \n escapes) or bare. Regexes are anchored at both ends, as in Alertmanager, and a
 * missing label matches as the empty string (so `foo=""` matches alerts without `foo`).
 *
 * Regexes are RE2 (Go's regexp syntax, as Alertmanager reads them) and run on re2js, a linear-time
 * engine: JavaScript's backtracking RegExp would let a pattern such as `(a+)+$` — valid RE2 — hold
 * the event loop for minutes on a 30-character label (catastrophic backtracking), and matchers
 * come from silences, routes, inhibit rules, maintenance windows and the alert list's `?matcher=`.
 * What RE2 refuses is refused here too, with a 400 that names it: backreferences (`\1`),
 * lookarounds (`(?=…)`, `(?<=…)`, `(?!…)`), possessive and nested repetition operators (`a**`).
 * Linear time is O(program size × input length), so the program size is bounded as well.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

/** A compiled, anchored matcher regex. */
export interface CompiledRegex {
  /** Whether the whole value matches (linear time in its length). */
  test(value: string): boolean;
}

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  /** Compiled, anchored regex for =~ and !~. */
  re?: CompiledRegex;
}

export type Labels = Readonly<Record<string, string>>;

/** The longest regex a matcher may hold; bounds compile cost and keeps patterns reviewable. */
export const MAX_MATCHER_REGEX = 1000;

/**
 * The most instructions a matcher regex may compile to. Every 1000-character pattern without counted
 * repetition fits (about one instruction per character); `x{1,100}` counts a hundred times. At this
 * size the worst pattern measured (`a*b?` × 250) takes about 0.3 s on a 1024-character label value
 * (the longest a label may be), and ordinary ones a few microseconds.
 */
export const MAX_REGEX_PROGRAM = 1200;

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

/**
 * An upper estimate of the instructions `pattern` compiles to, read from its text in one pass, so that
 * a short pattern that would expand to a huge program (`(?:…){1000}`) is refused before compiling:
 * atoms count 1, groups their content plus 2, and a counted repetition multiplies what it repeats.
 */
export function estimateRegexSize(pattern: string): number {
  type Frame = { alts: number; seq: number; last: number };
  const stack: Frame[] = [{ alts: 0, seq: 0, last: 0 }];
  let top = stack[0] as Frame;
  const atom = (n: number) => {
    top.seq += n;
    top.last = n;
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const stop = end < 0 ? pattern.length : end;
        atom(Math.max(1, stop - i - 2));
        i = end < 0 ? pattern.length : end + 1;
        continue;
      }
      if ((n === 'p' || n === 'P' || n === 'x') && pattern[i + 2] === '{') {
        const end = pattern.indexOf('}', i + 3);
        i = end < 0 ? pattern.length : end;
      } else i += 1;
      atom(1);
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '\\') j += 2;
        else if (pattern.startsWith('[:', j)) {
          const end = pattern.indexOf(':]', j + 2);
          j = end < 0 ? j + 1 : end + 2;
        } else j++;
      }
      i = j;
      atom(1);
    } else if (c === '(') {
      top = { alts: 0, seq: 0, last: 0 };
      stack.push(top);
    } else if (c === ')' && stack.length > 1) {
      const group = stack.pop() as Frame;
      top = stack[stack.length - 1] as Frame;
      atom(group.alts + group.seq + 2);
    } else if (c === '|') {
      top.alts += top.seq + 1;
      top.seq = 0;
      top.last = 0;
    } else if (c === '*' || c === '+' || c === '?') {
      top.seq += 1;
    } else {
      const rep = c === '{' ? /^\{(\d{1,6})(?:,(\d{0,6}))?\}/.exec(pattern.slice(i, i + 16)) : null;
      if (rep) {
        const times = Math.max(Number(rep[1]), Number(rep[2] || 0), 1);
        // n copies of what it repeats, each optional one behind a split instruction.
        top.seq += top.last * (times - 1) + times;
        top.last = top.last * times + times;
        i += rep[0].length - 1;
      } else atom(1);
    }
  }
  return stack.reduce((sum, f) => sum + f.alts + f.seq, 0);
}

const RE2_HINT =
  'matcher regexes are RE2, as in Alertmanager: no backreferences (\\1) or lookarounds ((?=…), (?<=…), (?!…))';

export function compileRegex(value: string): CompiledRegex {
  if (value.length > MAX_MATCHER_REGEX) throw new MatcherError(`regex longer than ${MAX_MATCHER_REGEX} characters`);
  const tooComplex = (size: string) =>
    new MatcherError(
      `regex ${JSON.stringify(value.slice(0, 100))} is too complex: it compiles to ${size} instructions, at most ${MAX_REGEX_PROGRAM} are allowed (a counted repetition such as {1,100} repeats what it applies to)`,
    );
  const estimate = estimateRegexSize(value);
  if (estimate > 2 * MAX_REGEX_PROGRAM) throw tooComplex(`about ${estimate}`);
  let re: RE2JS;
  try {
    // Anchored like Alertmanager (Go's `^(?:…)$`); RE2 reads flag groups such as a leading `(?i)` itself.
    re = RE2JS.compile(`^(?:${value})$`);
  } catch (err) {
    const message = err instanceof RE2JSException ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    throw new MatcherError(`invalid regex ${JSON.stringify(value)}: ${message} (${RE2_HINT})`);
  }
  const size = re.programSize();
  if (size > MAX_REGEX_PROGRAM) throw tooComplex(String(size));
  return { test: (v) => re.testExact(v) };
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
