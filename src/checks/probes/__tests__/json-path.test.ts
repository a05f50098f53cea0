import { describe, expect, it } from 'vitest';
import { type JsonAssertion, JsonAssertionSchema, JsonPathSchema } from '../../check.model.js';
import { cachedRegex, checkJsonAssertion, checkJsonAssertions, parseJsonPath } from '../json-path.js';

const doc = {
  status: 'ok',
  version: '1.10.2',
  queue: { depth: 140, name: 'orders', paused: false, owner: null },
  items: [{ name: 'first', tags: ['a', 'b'] }, { name: 'second' }],
  'key with spaces': true,
  'dash-name': 7,
  empty: '',
};

const check = (path: string, op: JsonAssertion['op'], value?: JsonAssertion['value']) =>
  checkJsonAssertion(doc, JsonAssertionSchema.parse({ path, op, value }));

describe('JSON paths', () => {
  it.each([
    ['$', []],
    ['$.status', ['status']],
    ['$.queue.depth', ['queue', 'depth']],
    ['$.items[1].name', ['items', 1, 'name']],
    ['$["key with spaces"]', ['key with spaces']],
    ['$.dash-name', ['dash-name']],
    ['$[0][12]', [0, 12]],
  ])('%s parses to %j', (path, segments) => {
    expect(JsonPathSchema.safeParse(path).success).toBe(true);
    expect(parseJsonPath(path)).toEqual(segments);
  });

  it.each(['status', '$.', '$..a', '$[x]', '$[]', '$[""]', '$.1abc', '$["open'])(
    '%s is not a supported path',
    (path) => {
      expect(parseJsonPath(path)).toBeUndefined();
    },
  );

  it('a name selects only an object key, an index only an array element', () => {
    expect(check('$.items.name', 'exists')).toBe('$.items.name does not exist');
    expect(check('$.queue[0]', 'exists')).toBe('$.queue[0] does not exist');
    expect(check('$.items[5]', 'exists')).toBe('$.items[5] does not exist');
    expect(check('$.status.length', 'exists')).toBe('$.status.length does not exist');
    expect(check('$.constructor', 'exists')).toBe('$.constructor does not exist');
  });
});

describe('JSON assertions', () => {
  it.each([
    ['$.status', '==', 'ok'],
    ['$.queue.depth', '==', 140],
    ['$.queue.paused', '==', false],
    ['$.queue.owner', '==', null],
    ['$.status', '!=', 'down'],
    ['$.queue.owner', '!=', 'someone'],
    ['$.queue.depth', '<', 141],
    ['$.queue.depth', '<=', 140],
    ['$.queue.depth', '>', 100],
    ['$.queue.depth', '>=', 140],
    ['$.queue.name', '>', 'alpha'],
    ['$.queue.name', '<=', 'orders'],
    ['$.status', 'contains', 'o'],
    ['$.items[0].tags', 'contains', 'b'],
    ['$.queue', 'contains', 'depth'],
    ['$.version', 'matches', '^1\\.\\d+\\.\\d+$'],
    ['$.queue.depth', 'matches', '^1\\d\\d$'],
    ['$["key with spaces"]', '==', true],
    ['$.queue.owner', 'exists', undefined],
    ['$.missing', 'not_exists', undefined],
  ] as const)('%s %s %j holds', (path, op, value) => {
    expect(check(path, op, value)).toBeUndefined();
  });

  it.each([
    ['$.queue.depth', '<', 100, '$.queue.depth is 140, expected < 100'],
    ['$.queue.depth', '>=', 200, '$.queue.depth is 140, expected >= 200'],
    ['$.status', '==', 'down', '$.status is "ok", expected == "down"'],
    ['$.status', '!=', 'ok', '$.status is "ok", expected != "ok"'],
    ['$.queue.depth', '==', '140', '$.queue.depth is 140 (a number, not a string), expected == "140"'],
    ['$.version', '>', 2, '$.version is "1.10.2" (a string), expected > 2 (a number)'],
    ['$.queue', '<', 3, '$.queue is an object with 4 keys (an object), expected < 3 (a number)'],
    ['$.queue.depth', '<', true, '$.queue.depth < needs a number or a string, not true'],
    ['$.missing', '==', 1, '$.missing does not exist, expected == 1'],
    ['$.status', 'contains', 'x', '$.status is "ok", expected contains "x"'],
    ['$.items[0].tags', 'contains', 'z', '$.items[0].tags (an array of 2) has no element "z"'],
    ['$.queue', 'contains', 'size', '$.queue has no key "size"'],
    ['$.queue.depth', 'contains', 1, '$.queue.depth is 140 (a number); contains needs a string, an array or an object'],
    ['$.status', 'matches', '^down$', '$.status is "ok", expected to match /^down$/'],
    ['$.status', 'matches', '(', '"(" is not a valid regular expression'],
    ['$.items', 'matches', 'a', '$.items is an array of 2 (an array); matches needs a string, number or boolean'],
    ['$.status', 'not_exists', undefined, '$.status exists ("ok"), expected it not to'],
    ['$.nope', 'exists', undefined, '$.nope does not exist'],
    ['$.status', '==', undefined, '$.status == needs a value'],
  ] as const)('%s %s %j fails: %s', (path, op, value, message) => {
    expect(check(path, op, value)).toBe(message);
  });

  it('every failure is listed, in order, and none throws', () => {
    const failures = checkJsonAssertions(doc, [
      { path: '$.status', op: '==', value: 'ok' },
      { path: '$.queue.depth', op: '<', value: 100 },
      { path: '$.items', op: '>', value: 'a' },
    ]);
    expect(failures).toEqual([
      '$.queue.depth is 140, expected < 100',
      '$.items is an array of 2 (an array), expected > "a" (a string)',
    ]);
  });

  it('works on a document that is a bare value', () => {
    expect(checkJsonAssertion(42, { path: '$', op: '>', value: 41 })).toBeUndefined();
    expect(checkJsonAssertion(null, { path: '$.a', op: 'not_exists' })).toBeUndefined();
  });

  it('long strings are shortened in messages', () => {
    const failure = checkJsonAssertion({ s: 'x'.repeat(500) }, { path: '$.s', op: '==', value: 'y' });
    expect(failure?.length).toBeLessThan(200);
  });
});

describe('regex cache', () => {
  it('returns the same compiled pattern and undefined for one that does not compile', () => {
    expect(cachedRegex('a+b')).toBe(cachedRegex('a+b'));
    expect(cachedRegex('[')).toBeUndefined();
  });

  it('stays bounded: the oldest pattern is evicted after many others', () => {
    const early = cachedRegex('early');
    for (let i = 0; i < 1000; i++) cachedRegex(`p${i}`);
    const again = cachedRegex('early');
    expect(again?.test('so early')).toBe(true);
    expect(again).not.toBe(early);
  });

  it('runs in time linear in the text: a pattern that backtracks for minutes in JavaScript answers at once', () => {
    const re = cachedRegex('(\\w+\\s?)*$');
    const evil = `${'a'.repeat(5000)}!`;
    const t0 = performance.now();
    expect(re?.test(evil)).toBe(true);
    expect(cachedRegex('(a+)+b')?.test('a'.repeat(100_000))).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2_000);
  });

  it('is RE2: backreferences and lookarounds do not compile; multiline anchors at every line', () => {
    expect(cachedRegex('(a)\\1')).toBeUndefined();
    expect(cachedRegex('a(?=b)')).toBeUndefined();
    expect(cachedRegex('^ok$', { multiline: true })?.test('x\nok\n')).toBe(true);
    expect(cachedRegex('^ok$')?.test('x\nok\n')).toBe(false);
  });
});
