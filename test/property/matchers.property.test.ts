import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileRegex,
  estimateRegexSize,
  formatMatcher,
  MAX_REGEX_PROGRAM,
  MatcherError,
  type MatchOp,
  matchOne,
  parseMatcher,
  parseMatcherList,
} from '../../src/alerts/matchers.js';
import { apply, doc, integrationKey } from '../alerts/helpers.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { adversarialString, RUN_BOUND_MS, RUNS, timed } from './support.js';

/**
 * Matchers and their regexes (silences, routes, inhibit rules, maintenance windows, the alert list's
 * `?matcher=`) under random and adversarial text. Regexes are RE2 on a linear-time engine, so the
 * classic catastrophic-backtracking patterns finish in milliseconds on the longest label value (1024
 * characters), Perl-only constructs are refused with a MatcherError, and nothing else is ever thrown.
 */

const LONG = 1024; // the longest label value an alert may carry

/** A query-string value; a lone surrogate (which cannot be encoded) becomes U+FFFD. */
function queryValue(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(
      Array.from(text, (c) => (c.length === 1 && /[\ud800-\udfff]/.test(c) ? '\ufffd' : c)).join(''),
    );
  }
}

/** Inputs that make backtracking engines explode on the patterns below. */
const hostileInputs = [
  'a'.repeat(LONG),
  `${'a'.repeat(LONG - 1)}!`,
  'ab'.repeat(LONG / 2),
  `${'x'.repeat(LONG - 1)}y`,
  `${'a1 '.repeat(LONG / 3)}!`,
  '',
];

/** Patterns that hang JavaScript's RegExp (exponential or high-degree polynomial backtracking); all valid RE2. */
const CATASTROPHIC = [
  '(a+)+$',
  '(a+)+b',
  '(a|a)*b',
  '(a|aa)+$',
  '(x+x+)+y',
  '(.*a){20}',
  '([a-zA-Z]+)*!',
  '(\\w+\\s?)*$',
  '(a*)*b',
  '((a+)+)+c',
  '(.*)*x',
  '.*.*.*.*.*.*.*.*x',
  '(?:a|b|ab)*c',
  '(\\d+|\\d+\\.)*z',
  '(a?){30}a{30}',
];

/** Perl/JavaScript-only syntax that RE2 (and so Alertmanager) refuses. */
const NOT_RE2 = [
  '(a)\\1',
  '(?<n>a)\\k<n>',
  '(?=a)a',
  '(?!a).',
  '(?<=a)b',
  '(?<!a)b',
  '(?>a+)',
  'a++',
  'a**',
  '\\u0041',
  '\\cA',
  '[^]',
  '(?P=n)',
  'x{1001}',
  '(x{100}){100}',
  '(',
  ')',
  '[a',
  'a{2,1}',
];

const atom = fc.constantFrom(
  'a',
  'b',
  'x',
  '.',
  '\\d',
  '\\w',
  '\\s',
  '[a-z]',
  '[^x]',
  '\\pL',
  '[[:alpha:]]',
  'é',
  '💥',
  '\\.',
  '\\Q.*\\E',
  '(?i)a',
  '^',
  '$',
  '\\b',
);
const quantifier = fc.constantFrom('*', '+', '?', '*?', '+?', '{2}', '{1,3}', '{0,50}', '{2,}', '{100}', '{1000}');

/** Random RE2-ish regexes: nested groups, quantifiers on quantifiers, alternations, counted repetition. */
const { regex } = fc.letrec<{ regex: string }>((tie) => ({
  regex: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('regex'), tie('regex')).map(([a, b]) => a + b),
    fc.tuple(tie('regex'), tie('regex')).map(([a, b]) => `${a}|${b}`),
    tie('regex').map((r) => `(${r})`),
    fc.tuple(tie('regex'), quantifier).map(([r, q]) => `(?:${r})${q}`),
    fc.tuple(atom, quantifier).map(([r, q]) => r + q),
  ),
}));

const anyRegex = fc.oneof(
  { weight: 4, arbitrary: regex },
  { weight: 2, arbitrary: fc.constantFrom(...CATASTROPHIC, ...NOT_RE2) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: adversarialString.map((s) => s.slice(0, 1200)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 2, max: 400 }), fc.constantFrom('a', 'ab', 'x.y', '\\d+', '(a|b)'))
      .map(([n, alt]) => Array.from({ length: n }, (_, i) => `${alt}${i}`).join('|')),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 200 }), fc.constantFrom('.{1,100}', 'a*b?', '(?:x{1,9})', '[a-z]{1,50}'))
      .map(([n, piece]) => piece.repeat(n).slice(0, 1000)),
  },
);

describe('matcher regexes are RE2 on a linear-time engine', () => {
  it('every catastrophic-backtracking pattern compiles (it is valid RE2) and runs in milliseconds on 1024 characters', () => {
    for (const pattern of CATASTROPHIC) {
      const re = compileRegex(pattern);
      for (const input of hostileInputs) {
        const t0 = performance.now();
        re.test(input);
        // Backtracking takes hours here (2^1024 paths); linear time is milliseconds, with room for a busy machine.
        expect(performance.now() - t0, `${pattern} on ${input.slice(0, 12)}…`).toBeLessThan(1000);
      }
    }
  });

  it.each(NOT_RE2)('refuses %s as RE2 does, naming RE2', (pattern) => {
    expect(() => compileRegex(pattern)).toThrow(MatcherError);
  });

  it('a lookaround or backreference in a matcher is refused with a message that says matchers are RE2', () => {
    expect(() => parseMatcher('a=~"(?=x)x"')).toThrow(/RE2/);
    expect(() => parseMatcher('a=~"(x)\\1"')).toThrow(/RE2/);
  });

  it('keeps RE2 syntax JavaScript lacks: (?i) anywhere, \\pL, POSIX classes, \\Q…\\E, (?P<name>…), \\z', () => {
    const holds = (pattern: string, value: string) => compileRegex(pattern).test(value);
    expect(holds('(?i)critical', 'CRITICAL')).toBe(true);
    expect(holds('db(?i)PROD', 'dbprod')).toBe(true);
    expect(holds('db(?i)PROD', 'DBprod')).toBe(false);
    expect(holds('\\pL+', 'Grüße')).toBe(true);
    expect(holds('[[:digit:]]+', '2026')).toBe(true);
    expect(holds('\\Q1.2\\E', '1.2')).toBe(true);
    expect(holds('\\Q1.2\\E', '1x2')).toBe(false);
    expect(holds('(?P<env>prod|dev)', 'dev')).toBe(true);
    expect(holds('foo\\z', 'foo')).toBe(true);
    // Anchored at both ends, and `.` does not cross a newline (Go's defaults).
    expect(holds('ab', 'xab')).toBe(false);
    expect(holds('a.*', 'a\nb')).toBe(false);
  });

  it('a pattern that expands to a huge program is refused before it is compiled, naming the limit', () => {
    for (const pattern of ['(?:[a-z]{1,1000}){1,1000}', `(?:${'x'.repeat(900)}){1000}`, '.{1,100}'.repeat(20)]) {
      const t0 = performance.now();
      expect(() => compileRegex(pattern)).toThrow(new RegExp(`at most ${MAX_REGEX_PROGRAM}`));
      expect(performance.now() - t0).toBeLessThan(1000);
    }
    // An alternation of 50 host names (about 1000 characters) is fine.
    const hosts = Array.from({ length: 50 }, (_, i) => `web-${i}.example.org`).join('|');
    expect(compileRegex(hosts).test('web-49.example.org')).toBe(true);
  });

  it('property: any regex either compiles or throws a MatcherError, and a compiled one matches 1024 characters within the bound', () => {
    fc.assert(
      fc.property(anyRegex, fc.string({ maxLength: LONG }), (pattern, random) => {
        const t0 = performance.now();
        let re: ReturnType<typeof compileRegex> | undefined;
        try {
          re = compileRegex(pattern);
        } catch (err) {
          expect(err).toBeInstanceOf(MatcherError);
        }
        if (re) for (const input of [...hostileInputs, random]) expect(typeof re.test(input)).toBe('boolean');
        const took = performance.now() - t0;
        expect(took, `${JSON.stringify(pattern.slice(0, 120))} took ${Math.round(took)} ms`).toBeLessThan(RUN_BOUND_MS);
      }),
      RUNS(300),
    );
  });

  it('property: the size estimate never lets a program past twice the limit reach the compiler', () => {
    fc.assert(
      fc.property(anyRegex, (pattern) => {
        if (pattern.length > 1000 || estimateRegexSize(pattern) > 2 * MAX_REGEX_PROGRAM) return;
        try {
          compileRegex(pattern);
        } catch (err) {
          expect(err).toBeInstanceOf(MatcherError);
        }
      }),
      RUNS(200),
    );
  });
});

describe('matcher text', () => {
  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_./-]{0,20}$/);
  const op = fc.constantFrom<MatchOp>('=', '!=', '=~', '!~');

  it('property: parsing any text throws nothing but a MatcherError, within the bound', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          adversarialString,
          fc.tuple(name, op, fc.string()).map(([n, o, v]) => `${n}${o}${v}`),
          fc.tuple(name, op, anyRegex).map(([n, o, v]) => `${n}${o}"${v}"`),
          fc
            .array(fc.tuple(name, op, fc.string({ maxLength: 20 })), { maxLength: 30 })
            .map((ms) => `{${ms.map(([n, o, v]) => `${n}${o}"${v}"`).join(', ')}}`),
        ),
        (text) => {
          const t0 = performance.now();
          try {
            for (const m of parseMatcherList(text)) matchOne(m, { [m.name]: 'a'.repeat(LONG) });
          } catch (err) {
            expect(err).toBeInstanceOf(MatcherError);
          }
          expect(performance.now() - t0).toBeLessThan(RUN_BOUND_MS);
        },
      ),
      RUNS(300),
    );
  });

  it('property: the canonical text of an equality matcher parses back to the same matcher, whatever its value', () => {
    fc.assert(
      fc.property(
        name,
        fc.constantFrom<MatchOp>('=', '!='),
        fc.string({ unit: 'binary', maxLength: 40 }),
        (n, o, value) => {
          const m = parseMatcher(formatMatcher({ name: n, op: o, value }));
          expect({ name: m.name, op: m.op, value: m.value }).toEqual({ name: n, op: o, value });
          expect(matchOne(m, { [n]: value })).toBe(o === '=');
        },
      ),
      RUNS(300),
    );
  });
});

/** The same inputs through every HTTP surface that takes matchers, on both engines: 400 or success, never 5xx. */
describe.each(engines())('matchers over HTTP under random input on %s', (engine) => {
  let s: TestServer;
  const h = () => ({ authorization: `Bearer ${s.adminToken}` });
  const exported = async () =>
    JSON.stringify((await s.app.http.inject({ method: 'GET', url: '/api/v1/export', headers: h() })).json());
  const silenceCount = async () =>
    (await s.app.http.inject({ method: 'GET', url: '/api/v1/silences?limit=1', headers: h() })).json().total as number;
  const matcherText = fc.oneof(
    fc
      .tuple(fc.constantFrom('alertname', 'host', 'a', 'severity'), fc.constantFrom('=~', '!~'), anyRegex)
      .map(([n, o, v]) => `${n}${o}${JSON.stringify(v)}`),
    fc.string({ maxLength: 80 }),
    adversarialString.map((x) => x.slice(0, 1300)),
  );

  beforeAll(async () => {
    s = await startTestServer({ engine, listen: false, env: { MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' } });
    await apply(s, [doc('Integration', 'am', { type: 'alertmanager', rateLimitPerMinute: 0 })]);
    const key = await integrationKey(s, 'am');
    // Alerts whose label values are as long as allowed, so regex filters run on the worst inputs.
    const alerts = hostileInputs
      .filter((v) => v !== '')
      .map((v, i) => ({ labels: { alertname: `Long${i}`, host: v, a: v.slice(0, 300) }, annotations: {} }));
    const r = await s.app.http.inject({
      method: 'POST',
      url: `/api/v1/integrations/alertmanager/${key}`,
      payload: { version: '4', status: 'firing', alerts },
    });
    expect(r.statusCode).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('GET /api/v1/alerts?matcher=…: 200 or a 400 naming matcher.N, within the bound', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(matcherText, { minLength: 1, maxLength: 3 }), async (texts) => {
        const qs = texts.map((t) => `matcher=${queryValue(t)}`).join('&');
        const r = await timed('alert list', () =>
          s.app.http.inject({ method: 'GET', url: `/api/v1/alerts?status=all&${qs}`, headers: h() }),
        );
        expect(r.statusCode).toBeLessThan(500);
        if (r.statusCode === 400) expect(r.json().error.fields?.[0]?.path ?? 'query').toMatch(/^matcher|query|limit/);
        else expect(r.statusCode).toBe(200);
      }),
      RUNS(80),
    );
  });

  it('POST /api/v1/silences and /silences/preview: 201/200 or a 400 that creates nothing, within the bound', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(matcherText, { minLength: 1, maxLength: 3 }), async (matchers) => {
        const before = await silenceCount();
        const r = await timed('silence create', () =>
          s.app.http.inject({
            method: 'POST',
            url: '/api/v1/silences',
            headers: h(),
            payload: { matchers, duration: '1h', comment: 'property test' },
          }),
        );
        expect(r.statusCode).toBeLessThan(500);
        if (r.statusCode === 201) expect(await silenceCount()).toBe(before + 1);
        else {
          expect(r.statusCode).toBe(400);
          expect(r.json().error.fields?.[0]?.path).toMatch(/^matchers/);
          expect(await silenceCount()).toBe(before);
        }
        const p = await timed('silence preview', () =>
          s.app.http.inject({ method: 'POST', url: '/api/v1/silences/preview', headers: h(), payload: { matchers } }),
        );
        expect([200, 400]).toContain(p.statusCode);
      }),
      RUNS(30),
    );
  });

  it('apply of Route, InhibitRule and MaintenanceWindow with random matchers: 200, or a 400 that changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(matcherText, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('Route', 'InhibitRule', 'MaintenanceWindow'),
        async (matchers, kind) => {
          const spec =
            kind === 'Route'
              ? { routes: [{ matchers, routes: [{ matchers: matchers.slice(0, 1) }] }] }
              : kind === 'InhibitRule'
                ? { sourceMatchers: matchers, targetMatchers: matchers.slice(-1) }
                : { starts: '2026-01-01T00:00', duration: '1h', rrule: 'FREQ=DAILY', matchers };
          const before = await exported();
          const r = await timed('apply', () =>
            s.app.http.inject({
              method: 'POST',
              url: '/api/v1/apply',
              headers: h(),
              payload: { documents: [{ document: doc(kind, kind === 'Route' ? 'root' : 'prop', spec) }] },
            }),
          );
          expect(r.statusCode).toBeLessThan(500);
          if (r.statusCode !== 200) {
            expect(r.statusCode).toBe(400);
            expect(r.json().error.fields?.[0]?.path).toMatch(/^documents\.0\.spec/);
            expect(await exported()).toBe(before);
          }
          // Whatever was applied, the pipeline still evaluates it: routing a long label set answers.
          const t = await timed('routing test', () =>
            s.app.http.inject({
              method: 'POST',
              url: '/api/v1/routing/test',
              headers: h(),
              payload: { labels: { alertname: 'x', host: 'a'.repeat(LONG), a: 'ab'.repeat(150) } },
            }),
          );
          expect(t.statusCode).toBe(200);
        },
      ),
      RUNS(30),
    );
  });
});
