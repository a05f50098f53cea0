import { formatMatcher, MatcherError, type MatchOp, makeMatcher, parseMatcher } from '../matchers.js';
import { AlertmanagerConfigError, type ImportContext, isMap, type YamlMap } from './am-context.js';

/**
 * Alertmanager's three ways of writing matchers (docs: configuration → <route>, <inhibit_rule>):
 * `match` (label: value, equality), `match_re` (label: regex, anchored by Alertmanager as `^(?:re)$`,
 * as our matchers are) and `matchers` (a list of strings, each holding one or more matchers).
 */

// RE2 POSIX classes inside brackets (`[[:alpha:]]`); JavaScript reads them as literal characters.
const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  digit: '0-9',
  lower: 'a-z',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/**
 * An RE2 (Go regexp/syntax) pattern as a JavaScript one with the same meaning, or a MatcherError
 * for constructs that JavaScript (without the u flag our matchers use) would silently read
 * differently: `\p{…}` classes, `\Q…\E` quoting, `\C`. Named groups `(?P<n>…)`, `\A`, `\z` and
 * POSIX classes are rewritten. Common RE2 (`.`, classes, `|`, `(?i)` at the start) is shared.
 */
export function fromRe2(re: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i] as string;
    if (c === '\\') {
      const n = re[i + 1] ?? '';
      i++;
      if (n !== '' && 'pPQEC'.includes(n))
        throw new MatcherError(`regex ${JSON.stringify(re)}: \\${n} is RE2-only syntax`);
      if (!inClass && n === 'A') out += '^';
      else if (!inClass && n === 'z') out += '$';
      else out += c + n;
      continue;
    }
    if (inClass) {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(re.slice(i));
      if (posix) {
        const set = POSIX[posix[2] as string];
        if (set === undefined || posix[1])
          throw new MatcherError(`regex ${JSON.stringify(re)}: ${posix[0]} is not supported`);
        out += set;
        i += posix[0].length - 1;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (re[i + 1] === '^') out += re[++i];
      // A `]` right after `[` or `[^` is a literal in RE2; JavaScript reads `[]` as an empty class.
      if (re[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && re.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    out += c;
  }
  return out;
}

/** One `matchers` line split into matchers, as Alertmanager's parser does (`{a="1", b=~"x,y"}` or bare). */
function splitLine(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && quoted) {
      cur += c + (s[i + 1] ?? '');
      i++;
    } else if (c === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else {
      if (c === '"') quoted = !quoted;
      cur += c;
    }
  }
  parts.push(cur);
  return parts.filter((p) => p.trim());
}

const OP = /^(\s*(?:[A-Za-z_][A-Za-z0-9_./-]*|"[^"]*")\s*)(=~|!~|!=|=)/;

/** Name, operator and unquoted value of one matcher, without compiling its regex (which may be RE2 syntax). */
function parseRaw(text: string): { name: string; op: MatchOp; value: string } {
  const m = OP.exec(text);
  if (!m) return parseMatcher(text);
  const op = m[2] as MatchOp;
  const plain = op === '=~' ? '=' : op === '!~' ? '!=' : op;
  const parsed = parseMatcher(`${m[1]}${plain}${text.slice(m[0].length)}`);
  return { name: parsed.name, op, value: parsed.value };
}

/** A scalar map value as Go's YAML decoder reads it into a string. */
function text(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

export interface MatcherKeys {
  match: string;
  matchRe: string;
  matchers: string;
}

export const ROUTE_KEYS: MatcherKeys = { match: 'match', matchRe: 'match_re', matchers: 'matchers' };

/**
 * The matchers of one node in our canonical text form, or `{ error }` when one of them is valid
 * Alertmanager but cannot be evaluated here (an RE2-only regex construct, a UTF-8 label name).
 */
export function convertMatchers(
  ctx: ImportContext,
  node: YamlMap,
  path: string,
  keys: MatcherKeys,
): { matchers: string[] } | { error: string } {
  const out: string[] = [];
  const one = (name: string, op: MatchOp, value: string, at: string): string | undefined => {
    try {
      const regex = op === '=~' || op === '!~';
      const js = regex ? fromRe2(value) : value;
      out.push(formatMatcher(makeMatcher(name, op, js)));
      if (js !== value) ctx.notes.push(`${at}: regex ${JSON.stringify(value)} is written ${JSON.stringify(js)}`);
      return undefined;
    } catch (err) {
      if (err instanceof MatcherError) return `${at}: ${err.message}`;
      throw err;
    }
  };
  for (const [key, op] of [
    [keys.match, '='],
    [keys.matchRe, '=~'],
  ] as const) {
    const map = node[key];
    if (map === undefined || map === null) continue;
    if (!isMap(map)) throw new AlertmanagerConfigError(`${path}.${key}`, 'must be a map of label names to values');
    for (const [name, value] of Object.entries(map)) {
      const error = one(name, op, text(value), `${path}.${key}.${name}`);
      if (error) return { error };
    }
  }
  const lines = node[keys.matchers];
  if (lines !== undefined && lines !== null) {
    if (!Array.isArray(lines)) throw new AlertmanagerConfigError(`${path}.${keys.matchers}`, 'must be a list');
    for (const [i, line] of lines.entries()) {
      const at = `${path}.${keys.matchers}[${i}]`;
      if (typeof line !== 'string') throw new AlertmanagerConfigError(at, 'must be a string like name="value"');
      try {
        for (const m of splitLine(line).map(parseRaw)) {
          const error = one(m.name, m.op, m.value, at);
          if (error) return { error };
        }
      } catch (err) {
        if (err instanceof MatcherError) return { error: `${at}: ${err.message}` };
        throw err;
      }
    }
  }
  return { matchers: out };
}

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_./-]{0,62}$/;
/** Matches every alert: a missing label reads as "", which `.*` matches. */
const MATCH_ALL = 'alertname=~".*"';
const INHIBIT_KEYS = new Set([
  'source_match',
  'source_match_re',
  'source_matchers',
  'target_match',
  'target_match_re',
  'target_matchers',
  'equal',
]);

/** `inhibit_rules` → InhibitRule documents named inhibit-1, inhibit-2… in file order. */
export function convertInhibitRules(ctx: ImportContext, rules: unknown): void {
  if (rules === undefined || rules === null) return;
  if (!Array.isArray(rules)) throw new AlertmanagerConfigError('inhibit_rules', 'must be a list');
  rules.forEach((rule, i) => {
    const path = `inhibit_rules[${i}]`;
    if (!isMap(rule)) throw new AlertmanagerConfigError(path, 'must be a map');
    for (const key of Object.keys(rule))
      if (!INHIBIT_KEYS.has(key)) ctx.skip(`${path}.${key}`, 'unknown inhibit rule field, ignored');
    const sides: Record<'source' | 'target', string[]> = { source: [], target: [] };
    for (const side of ['source', 'target'] as const) {
      const r = convertMatchers(ctx, rule, path, {
        match: `${side}_match`,
        matchRe: `${side}_match_re`,
        matchers: `${side}_matchers`,
      });
      if ('error' in r) {
        ctx.skip(path, `the rule is left out: ${r.error.replace(`${path}.`, '')}`);
        return;
      }
      // Alertmanager lets a side be empty (it then matches every alert); our rules need a matcher on
      // each side, so an empty side becomes one that matches everything: the same meaning.
      if (r.matchers.length === 0) {
        ctx.notes.push(`${path}: no ${side} matchers, so every alert is a ${side}; written as ${MATCH_ALL}`);
        r.matchers.push(MATCH_ALL);
      }
      sides[side] = r.matchers;
    }
    const equal = rule.equal ?? [];
    if (!Array.isArray(equal)) throw new AlertmanagerConfigError(`${path}.equal`, 'must be a list of label names');
    const names = equal.map(text);
    const bad = names.find((n) => !LABEL_NAME.test(n));
    if (bad !== undefined) {
      // Dropping a label from `equal` would widen the rule; leaving the rule out is the safe side.
      ctx.skip(`${path}.equal`, `the rule is left out: label name ${JSON.stringify(bad)} is not supported here`);
      return;
    }
    const name = ctx.names.InhibitRule.allocate(`inhibit-${i + 1}`, 'inhibit');
    ctx.add(path, 'InhibitRule', name, {
      sourceMatchers: sides.source,
      targetMatchers: sides.target,
      ...(names.length ? { equal: names } : {}),
      description: `imported from alertmanager.yml ${path}`,
    });
  });
}
