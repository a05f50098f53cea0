import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaintenanceWindowSpecSchema, TimeIntervalSpecSchema } from '../../src/alerts/config.model.js';
import {
  activeOccurrence,
  occurrencesBetween,
  rruleError,
  scheduleProblem,
} from '../../src/alerts/maintenance-schedule.js';
import { compileTimeInterval } from '../../src/alerts/time-intervals.js';
import { HeartbeatSpecSchema } from '../../src/checks/check.model.js';
import { expectedAfter } from '../../src/checks/heartbeat.monitor.js';
import { InputError } from '../../src/platform/errors.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { adversarialString, RUN_BOUND_MS, RUNS, timed } from './support.js';

/**
 * Cron (heartbeat checks), RRULE (maintenance windows) and Alertmanager time intervals under random
 * and adversarial rules: validation answers with a field path (never a throw of anything else), and
 * evaluation of whatever validation accepted never hangs and never throws.
 */

const DAY = 86_400_000;
/** 1970 … 2200: instants the evaluators may be asked about. */
const instant = fc.integer({ min: 0, max: 7_258_118_400_000 });

const zone = fc.oneof(
  fc.constantFrom(
    'UTC',
    'Europe/Berlin',
    'America/St_Johns',
    'Australia/Lord_Howe',
    'Pacific/Kiritimati',
    'Pacific/Chatham',
    'Asia/Kathmandu',
    'America/Santiago',
    'Etc/GMT+12',
    'Etc/GMT-14',
    'Mars/Olympus',
    'Europe/berlin',
    'UTC+25',
    '+05:30',
    '-14:00',
    'EST5EDT',
    'Local',
    '',
    ' UTC',
  ),
  adversarialString.map((s) => s.slice(0, 80)),
);

// ---------------------------------------------------------------------------------------------
// Cron

const cronField = fc.oneof(
  fc.constantFrom(
    '*',
    '*/0',
    '*/1',
    '*/7',
    '*/100',
    '0',
    '59',
    '60',
    '-1',
    '1-5',
    '5-1',
    '1,2,3',
    'L',
    'W',
    'LW',
    '?',
    '#',
  ),
  fc.constantFrom('15W', '5L', '1#5', 'MON#6', 'L-3', 'MON-FRI', 'JAN', 'FEB-DEC', 'SUN,SAT', '0-59/1', '*/2,*/3'),
  fc.integer({ min: -5, max: 100 }).map(String),
  fc.string({ maxLength: 6 }),
);
const cron = fc.oneof(
  { weight: 4, arbitrary: fc.array(cronField, { minLength: 5, maxLength: 7 }).map((f) => f.join(' ')) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '0 0 30 2 *',
      '0 0 31 4 *',
      '0 0 29 2 *',
      '0 0 29 2 1',
      '0 0 31 2,4,6,9,11 *',
      '* * * * * *',
      '*/0 * * * *',
      '0 0 1 1 * 2099',
      '0 0 1 1 * 1999',
      '@yearly',
      '@reboot',
      '@every 5m',
      '0 0 L 2 *',
      '0 0 ? * MON#5',
      '0 0 * * 8',
      '',
      ' ',
      '0 0 0 0 0',
      '60 24 32 13 8',
      `${'0,'.repeat(98)}0 * * * *`,
    ),
  },
  { weight: 1, arbitrary: adversarialString.map((s) => s.slice(0, 250)) },
);

describe('heartbeat cron', () => {
  it('property: validation answers with a path under target (never throws), and an accepted cron’s next slot comes within the bound', () => {
    fc.assert(
      fc.property(cron, zone, instant, (expr, tz, t) => {
        const t0 = performance.now();
        const parsed = HeartbeatSpecSchema.safeParse({ cron: expr, timeZone: tz });
        if (!parsed.success) {
          for (const issue of parsed.error.issues) expect(['cron', 'timeZone']).toContain(String(issue.path[0]));
        } else {
          const next = expectedAfter(parsed.data, t);
          if (next !== null) expect(next).toBeGreaterThan(t);
        }
        expect(performance.now() - t0, `${JSON.stringify(expr)} in ${tz}`).toBeLessThan(RUN_BOUND_MS);
      }),
      RUNS(300),
    );
  });

  it('a cron that never fires (30 February) is refused on cron; one that fires every four years (29 February) is kept', () => {
    const feb30 = HeartbeatSpecSchema.safeParse({ cron: '0 0 30 2 *' });
    expect(feb30.success).toBe(false);
    expect(feb30.error?.issues[0]?.path).toEqual(['cron']);
    const feb29 = HeartbeatSpecSchema.parse({ cron: '0 0 29 2 *', timeZone: 'UTC' });
    expect(new Date(expectedAfter(feb29, Date.parse('2026-01-01T00:00:00Z')) as number).toISOString()).toBe(
      '2028-02-29T00:00:00.000Z',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// RRULE and maintenance windows

const rrulePart = fc.oneof(
  fc
    .constantFrom('SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'FORTNIGHTLY')
    .map((f) => `FREQ=${f}`),
  fc.constantFrom(0, 1, 2, 23, 24, 999, 1000, 1001, 2 ** 31, 10 ** 20).map((n) => `INTERVAL=${n}`),
  fc.constantFrom(0, 1, 10_000, 10_001, 10 ** 9).map((n) => `COUNT=${n}`),
  fc
    .constantFrom('19700101', '20260101T000000Z', '20250101', '99991231T235959Z', '20260230', '2026', 'tomorrow')
    .map((u) => `UNTIL=${u}`),
  fc.constantFrom('0', '0,30', Array.from({ length: 60 }, (_, i) => i).join(','), '60').map((v) => `BYSECOND=${v}`),
  fc
    .constantFrom('0', '59', '60', '0,15,30,45', Array.from({ length: 60 }, (_, i) => i).join(','))
    .map((v) => `BYMINUTE=${v}`),
  fc
    .constantFrom('0', '23', '24', '3,9,15,21', Array.from({ length: 24 }, (_, i) => i).join(','))
    .map((v) => `BYHOUR=${v}`),
  fc
    .constantFrom('MO', 'SU,SA', '1SU', '-1FR', '5MO', '6MO', '53MO', '+2TU', 'XX', 'MO,TU,WE,TH,FR,SA,SU')
    .map((v) => `BYDAY=${v}`),
  fc.constantFrom('1', '30', '31', '-1', '0', '32', '29,30,31').map((v) => `BYMONTHDAY=${v}`),
  fc.constantFrom('1', '2', '12', '13', '0', '2,4').map((v) => `BYMONTH=${v}`),
  fc.constantFrom('1', '366', '-366', '367', '60').map((v) => `BYYEARDAY=${v}`),
  fc.constantFrom('1', '53', '-1', '54', '0').map((v) => `BYWEEKNO=${v}`),
  fc.constantFrom('1', '-1', '2', '366', '367', '0').map((v) => `BYSETPOS=${v}`),
  fc.constantFrom('MO', 'SU', 'XX').map((v) => `WKST=${v}`),
  fc.constantFrom('DTSTART=20260101T000000Z', 'TZID=Europe/Berlin', 'X-NAME=1', 'FREQ', '=', ';', ''),
  fc.string({ maxLength: 12 }),
);
const rrule = fc.oneof(
  { weight: 5, arbitrary: fc.array(rrulePart, { minLength: 1, maxLength: 6 }).map((p) => p.join(';')) },
  { weight: 1, arbitrary: fc.array(rrulePart, { minLength: 1, maxLength: 6 }).map((p) => `RRULE:${p.join(';')}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'FREQ=SECONDLY',
      'FREQ=YEARLY;COUNT=10000;BYMONTH=2;BYMONTHDAY=29',
      'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
      'FREQ=MONTHLY;BYMONTHDAY=31',
      'FREQ=MONTHLY;BYMONTHDAY=-1',
      'FREQ=MONTHLY;BYDAY=5FR',
      'FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO',
      'FREQ=YEARLY;BYYEARDAY=366',
      'FREQ=HOURLY;INTERVAL=23;BYHOUR=5',
      'FREQ=HOURLY;INTERVAL=2;BYHOUR=1,3,5',
      'FREQ=DAILY;INTERVAL=7;BYDAY=TU',
      'FREQ=MONTHLY;INTERVAL=12;BYMONTH=6',
      'FREQ=DAILY;UNTIL=19700101',
      'FREQ=WEEKLY;BYSETPOS=8;BYDAY=MO,TU',
      'FREQ=YEARLY;BYSETPOS=-1;BYDAY=MO;BYMONTH=2',
      'FREQ=DAILY;COUNT=1',
      'FREQ=DAILY\nFREQ=WEEKLY',
    ),
  },
  { weight: 1, arbitrary: adversarialString.map((s) => s.slice(0, 500)) },
);
const localTime = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
    )
    .map(([y, mo, d, h, mi]) => {
      const p = (n: number, w = 2) => String(n).padStart(w, '0');
      return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}`;
    }),
  fc.constantFrom('2026-03-29T02:30', '2026-10-25T02:30', '2026-02-29T00:00', '2028-02-29T00:00', '0000-01-01T00:00'),
);
const duration = fc.oneof(
  fc.constantFrom(
    '0s',
    '1ms',
    '1m',
    '1h',
    '2h30m',
    '1d',
    '7d',
    '1w',
    '1y',
    '100y',
    '99999999y',
    `${'9'.repeat(31)}y`,
    '1h1h1h',
  ),
  fc.tuple(fc.nat({ max: 10_000 }), fc.constantFrom('ms', 's', 'm', 'h', 'd', 'w', 'y')).map(([n, u]) => `${n}${u}`),
);
const windowSpec = fc.record({
  timeZone: zone,
  starts: localTime,
  duration,
  rrule: fc.option(rrule, { nil: undefined }),
  matchers: fc.constant(['team="db"']),
});

describe('maintenance window schedules', () => {
  it('property: rruleError answers a message or nothing, never throws, within the bound', () => {
    fc.assert(
      fc.property(rrule, (text) => {
        const t0 = performance.now();
        const err = rruleError(text);
        expect(err === undefined || typeof err === 'string').toBe(true);
        expect(performance.now() - t0).toBeLessThan(RUN_BOUND_MS);
      }),
      RUNS(300),
    );
  });

  it('property: an invalid schedule names its field; a valid one lists occurrences within the bound, sorted, each its duration long', () => {
    fc.assert(
      fc.property(windowSpec, instant, fc.integer({ min: 1, max: 400 * DAY }), (raw, from, span) => {
        const t0 = performance.now();
        const parsed = MaintenanceWindowSpecSchema.safeParse(raw);
        if (!parsed.success) return;
        const problem = scheduleProblem(parsed.data);
        if (problem) {
          expect(['timeZone', 'starts', 'duration', 'rrule']).toContain(problem.path);
          expect(() => occurrencesBetween(parsed.data, from, from + span)).toThrow(InputError);
          return;
        }
        const list = occurrencesBetween(parsed.data, from, from + span);
        expect(list.length).toBeLessThanOrEqual(500);
        for (const [i, o] of list.entries()) {
          expect(Number.isFinite(o.start) && Number.isFinite(o.end)).toBe(true);
          expect(new Date(o.start).toISOString()).toBeTypeOf('string');
          expect(new Date(o.end).toISOString()).toBeTypeOf('string');
          expect(o.start).toBeLessThan(from + span);
          expect(o.end).toBeGreaterThan(from);
          if (i > 0) expect(o.start).toBeGreaterThanOrEqual((list[i - 1] as { start: number }).start);
        }
        activeOccurrence(parsed.data, from);
        const took = performance.now() - t0;
        expect(took, `${JSON.stringify(parsed.data)} took ${Math.round(took)} ms`).toBeLessThan(RUN_BOUND_MS);
      }),
      RUNS(300),
    );
  });
});

describe('counterexamples the properties found (kept as plain regressions)', () => {
  const spec = (duration: string, starts = '2026-10-25T02:30') =>
    MaintenanceWindowSpecSchema.parse({ timeZone: 'Asia/Kathmandu', starts, duration, matchers: ['a="b"'] });

  it('a duration past JavaScript’s dates (9999…9y) is refused on duration, not a RangeError when listed', () => {
    const huge = MaintenanceWindowSpecSchema.safeParse({
      starts: '2026-01-01T00:00',
      duration: '99999999y',
      matchers: ['a="b"'],
    });
    expect(huge.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['duration', 'out of range (at most 292y)'],
    ]);
    expect(scheduleProblem(spec('3651d'))).toEqual({ path: 'duration', message: 'duration: at most 10 years (3650d)' });
    expect(scheduleProblem(spec('0s'))).toEqual({ path: 'duration', message: 'duration: must be longer than zero' });
    const longest = spec('3650d', '9999-12-31T23:59');
    expect(occurrencesBetween(longest, Date.parse('9999-12-01T00:00:00Z'), Date.parse('9999-12-31T00:00:00Z'))).toEqual(
      [],
    );
    const list = occurrencesBetween(longest, Date.parse('9999-12-31T20:00:00Z'), Date.UTC(10000, 0, 2));
    expect(list).toHaveLength(1);
    expect(new Date((list[0] as { end: number }).end).toISOString()).toMatch(/^\+010009-12-/);
  });
});

// ---------------------------------------------------------------------------------------------
// Time intervals

const hhmm = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
  fc.constantFrom('24:00', '00:00', '23:59', '24:01', '9:00', '0900', ''),
);
const weekday = fc.constantFrom(
  'monday',
  'sunday',
  'saturday:sunday',
  'sunday:saturday',
  'friday:monday',
  'MONDAY',
  'funday',
);
const dayRange = fc.oneof(
  fc
    .tuple(fc.integer({ min: -40, max: 40 }), fc.option(fc.integer({ min: -40, max: 40 })))
    .map(([a, b]) => (b === null ? String(a) : `${a}:${b}`)),
  fc.constantFrom('-1', '-31:-1', '1:31', '0', '-3:5'),
);
const monthRange = fc.constantFrom('january', 'december:january', '1:12', '13', '0', 'february', '2:1', 'smarch');
const yearRange = fc.constantFrom('2026', '2026:2025', '0000:9999', '1970:2200', '20260');
const timeIntervalSpec = fc.record({
  timeZone: zone,
  intervals: fc.array(
    fc.record(
      {
        times: fc.array(fc.record({ start: hhmm, end: hhmm }), { maxLength: 3 }),
        weekdays: fc.array(weekday, { maxLength: 3 }),
        daysOfMonth: fc.array(dayRange, { maxLength: 3 }),
        months: fc.array(monthRange, { maxLength: 3 }),
        years: fc.array(yearRange, { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
    { minLength: 0, maxLength: 4 },
  ),
});

describe('time intervals', () => {
  it('property: validation throws only a TimeIntervalError with a path; a compiled interval answers for any instant', () => {
    fc.assert(
      fc.property(timeIntervalSpec, fc.array(instant, { minLength: 1, maxLength: 20 }), (raw, instants) => {
        const t0 = performance.now();
        const parsed = TimeIntervalSpecSchema.safeParse(raw);
        if (!parsed.success) return;
        let inside: ((at: number) => boolean) | undefined;
        try {
          inside = compileTimeInterval(parsed.data);
        } catch (err) {
          expect(err).toBeInstanceOf(InputError);
          expect((err as InputError).fields?.[0]?.path).toMatch(/^(timeZone|intervals\[\d+\]\.\w+)/);
        }
        if (inside) for (const at of instants) expect(typeof inside(at)).toBe('boolean');
        expect(performance.now() - t0).toBeLessThan(RUN_BOUND_MS);
      }),
      RUNS(300),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The same rules through the API, on both engines.

describe.each(engines())('schedules over HTTP under random input on %s', (engine) => {
  let s: TestServer;
  const h = () => ({ authorization: `Bearer ${s.adminToken}` });
  const exported = async () =>
    JSON.stringify((await s.app.http.inject({ method: 'GET', url: '/api/v1/export', headers: h() })).json());
  const apply = (documents: unknown[]) =>
    timed('apply', () =>
      s.app.http.inject({
        method: 'POST',
        url: '/api/v1/apply',
        headers: h(),
        payload: { documents: documents.map((document) => ({ document })) },
      }),
    );
  const doc = (kind: string, name: string, spec: unknown) => ({
    apiVersion: 'mainstay/v1',
    kind,
    metadata: { name },
    spec,
  });

  beforeAll(async () => {
    s = await startTestServer({ engine, listen: false, env: { MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' } });
  });
  afterAll(async () => {
    await s?.close();
  });

  /** 200, or a 400 that names a field under documents.0.spec and changes nothing. */
  async function expectAppliedOrRefused(document: unknown) {
    const before = await exported();
    const r = await apply([document]);
    expect(r.statusCode, r.body.slice(0, 300)).toBeLessThan(500);
    if (r.statusCode !== 200) {
      expect(r.statusCode).toBe(400);
      expect(r.json().error.fields?.[0]?.path, r.body.slice(0, 300)).toMatch(/^documents\.0\.spec\.\w+/);
      expect(await exported()).toBe(before);
    }
    return r.statusCode;
  }

  it('MaintenanceWindow: 200 or a 400 on the field at fault; the calendar over any 400 days answers within the bound', async () => {
    await fc.assert(
      fc.asyncProperty(windowSpec, instant, async (spec, from) => {
        await expectAppliedOrRefused(doc('MaintenanceWindow', 'w', spec));
        const to = from + 400 * DAY;
        const r = await timed('calendar', () =>
          s.app.http.inject({
            method: 'GET',
            url: `/api/v1/maintenance/calendar?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`,
            headers: h(),
          }),
        );
        expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
      }),
      RUNS(50),
    );
  });

  it('silence with a random duration: 201, or a 400 on duration that creates nothing (99999999y was a 500)', async () => {
    const count = async () =>
      (await s.app.http.inject({ method: 'GET', url: '/api/v1/silences?limit=1', headers: h() })).json()
        .total as number;
    await fc.assert(
      fc.asyncProperty(fc.oneof(duration, fc.constantFrom('292y', '293y', '300000y')), async (d) => {
        const before = await count();
        const r = await timed('silence', () =>
          s.app.http.inject({
            method: 'POST',
            url: '/api/v1/silences',
            headers: h(),
            payload: { matchers: ['a="b"'], duration: d, comment: 'property test' },
          }),
        );
        expect(r.statusCode, r.body.slice(0, 300)).toBeLessThan(500);
        if (r.statusCode === 201) expect(await count()).toBe(before + 1);
        else {
          // 0s ends the silence where it starts: refused on endsAt, which it computes.
          expect(['duration', 'endsAt']).toContain(r.json().error.fields[0].path);
          expect(await count()).toBe(before);
        }
      }),
      RUNS(25),
    );
  });

  it('heartbeat Check with a random cron: 200 or a 400 on spec.target.cron / spec.target.timeZone', async () => {
    await fc.assert(
      fc.asyncProperty(cron, zone, async (expr, tz) => {
        await expectAppliedOrRefused(doc('Check', 'hb', { kind: 'heartbeat', target: { cron: expr, timeZone: tz } }));
      }),
      RUNS(60),
    );
  });

  it('TimeInterval used by a route: 200 or a 400 naming the entry; routing a label set then answers', async () => {
    await fc.assert(
      fc.asyncProperty(timeIntervalSpec, async (spec) => {
        const code = await expectAppliedOrRefused(doc('TimeInterval', 'ti', spec));
        if (code !== 200) return;
        await apply([
          doc('Receiver', 'log', {}),
          doc('Route', 'root', { receiver: 'log', routes: [{ matchers: ['a="b"'], muteTimeIntervals: ['ti'] }] }),
        ]);
        const r = await timed('routing test', () =>
          s.app.http.inject({
            method: 'POST',
            url: '/api/v1/routing/test',
            headers: h(),
            payload: { labels: { a: 'b' } },
          }),
        );
        expect(r.statusCode).toBe(200);
      }),
      RUNS(30),
    );
  });
});
