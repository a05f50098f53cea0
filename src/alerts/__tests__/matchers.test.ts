import { describe, expect, it } from 'vitest';
import { formatMatcher, MatcherError, matchesAll, matchOne, parseMatcher, parseMatcherList } from '../matchers.js';

const plain = (text: string) => {
  const { name, op, value } = parseMatcher(text);
  return { name, op, value };
};

describe('parseMatcher', () => {
  it.each([
    ['a quoted equality', 'severity="critical"', { name: 'severity', op: '=', value: 'critical' }],
    ['a bare value', 'env=prod', { name: 'env', op: '=', value: 'prod' }],
    ['a negative equality', 'env!="prod"', { name: 'env', op: '!=', value: 'prod' }],
    ['a regex', 'service=~"foo|bar"', { name: 'service', op: '=~', value: 'foo|bar' }],
    ['a negative bare regex', 'service!~foo.*', { name: 'service', op: '!~', value: 'foo.*' }],
    ['spaces around the operator', '  env  =  "prod"  ', { name: 'env', op: '=', value: 'prod' }],
    ['an empty value', 'owner=""', { name: 'owner', op: '=', value: '' }],
    ['a quoted name', '"env"="prod"', { name: 'env', op: '=', value: 'prod' }],
    [
      'names with dots, slashes and dashes',
      'app.kubernetes.io/name="x"',
      { name: 'app.kubernetes.io/name', op: '=', value: 'x' },
    ],
    ['an escaped quote', 'msg="say \\"hi\\""', { name: 'msg', op: '=', value: 'say "hi"' }],
    ['an escaped backslash', 'path="C:\\\\tmp"', { name: 'path', op: '=', value: 'C:\\tmp' }],
    ['an escaped newline', 'msg="a\\nb"', { name: 'msg', op: '=', value: 'a\nb' }],
    [
      'other backslashes kept literally, as Alertmanager',
      'host=~"db\\.example\\.org"',
      { name: 'host', op: '=~', value: 'db\\.example\\.org' },
    ],
    ['a comma and an equals sign inside quotes', 'q="a,b=c"', { name: 'q', op: '=', value: 'a,b=c' }],
  ])('parses %s', (_name, text, expected) => {
    expect(plain(text)).toEqual(expected);
  });

  it.each([
    ['no operator', 'severity'],
    ['an operator but no name', '="x"'],
    ['a name starting with a digit', '1abc="x"'],
    ['a missing closing quote', 'a="x'],
    ['an unescaped quote inside', 'a="x"y"'],
    ['a quote in a bare value', 'a=x"y'],
    ['a value ending in a lone backslash', 'a="x\\"'],
  ])('rejects %s', (_name, text) => {
    expect(() => parseMatcher(text)).toThrow(MatcherError);
  });

  it('rejects an invalid regex with a message naming it', () => {
    expect(() => parseMatcher('a=~"(unclosed"')).toThrow(/invalid regex "\(unclosed"/);
  });

  it('rejects a regex longer than the limit', () => {
    expect(() => parseMatcher(`a=~"${'x'.repeat(1001)}"`)).toThrow(/longer than 1000/);
  });
});

describe('matchOne', () => {
  it.each([
    ['= holds on the same value', 'a="1"', { a: '1' }, true],
    ['= fails on another value', 'a="1"', { a: '2' }, false],
    ['="" holds on a missing label', 'a=""', {}, true],
    ['!= holds on a missing label', 'a!="1"', {}, true],
    ['=~ is anchored at the start', 'a=~"oo"', { a: 'foo' }, false],
    ['=~ is anchored at the end', 'a=~"fo"', { a: 'foo' }, false],
    ['=~ holds for any alternative whole', 'a=~"foo|bar"', { a: 'bar' }, true],
    ['=~ alternatives are anchored as a group', 'a=~"foo|bar"', { a: 'foobar' }, false],
    ['=~".*" holds on a missing label', 'a=~".*"', {}, true],
    ['=~".+" fails on a missing label', 'a=~".+"', {}, false],
    ['!~ fails on a match', 'a!~"x.*"', { a: 'xyz' }, false],
    ['!~ holds on a missing label unless the regex matches ""', 'a!~"x.*"', {}, true],
    ['an escaped dot in a regex is a literal dot', 'h=~"db\\.org"', { h: 'dbxorg' }, false],
    ['a leading (?i) makes the regex case-insensitive', 's=~"(?i)critical"', { s: 'CRITICAL' }, true],
    ['without (?i) the regex is case-sensitive', 's=~"critical"', { s: 'CRITICAL' }, false],
  ])('%s', (_name, text, labels, expected) => {
    expect(matchOne(parseMatcher(text), labels)).toBe(expected);
  });

  it('matchesAll needs every matcher, and an empty list matches everything', () => {
    const ms = parseMatcherList('a="1", b=~"x|y"');
    expect(matchesAll(ms, { a: '1', b: 'y' })).toBe(true);
    expect(matchesAll(ms, { a: '1', b: 'z' })).toBe(false);
    expect(matchesAll([], { a: '1' })).toBe(true);
  });
});

describe('parseMatcherList', () => {
  it.each([
    ['a comma-separated list', 'a="1",b!="2"', ['a="1"', 'b!="2"']],
    ['the braces form', '{a="1", b=~"x|y"}', ['a="1"', 'b=~"x|y"']],
    ['commas inside quotes', '{q="a,b", r=~"x,y|z"}', ['q="a,b"', 'r=~"x,y|z"']],
    ['an escaped quote followed by a comma inside quotes', 'q="a\\",b", r="2"', ['q="a\\",b"', 'r="2"']],
    ['a trailing comma', 'a="1",', ['a="1"']],
    ['empty braces', '{}', []],
    ['an empty string', '', []],
  ])('parses %s', (_name, text, expected) => {
    expect(parseMatcherList(text).map(formatMatcher)).toEqual(expected);
  });

  it('rejects a list with an invalid matcher', () => {
    expect(() => parseMatcherList('a="1", oops')).toThrow(MatcherError);
  });
});

describe('formatMatcher', () => {
  it.each([
    ['a plain value', { name: 'a', op: '=', value: 'x' }, 'a="x"'],
    ['quotes', { name: 'a', op: '!=', value: 'say "hi"' }, 'a!="say \\"hi\\""'],
    ['backslashes', { name: 'a', op: '=~', value: 'db\\.org' }, 'a=~"db\\\\.org"'],
    ['newlines', { name: 'a', op: '!~', value: 'x\ny' }, 'a!~"x\\ny"'],
    ['an empty value', { name: 'a', op: '=', value: '' }, 'a=""'],
  ] as const)('formats and round-trips %s', (_name, m, text) => {
    expect(formatMatcher(m)).toBe(text);
    expect(plain(text)).toEqual(m);
  });
});
