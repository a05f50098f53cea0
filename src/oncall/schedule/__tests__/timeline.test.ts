import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finalTimeline, layerShifts, onCallAt } from '../engine.js';
import { at, rows, spec } from './fixtures.js';

const BERLIN = 'Europe/Berlin';
const A = 'a@example.com';
const B = 'b@example.com';
const C = 'c@example.com';
const D = 'd@example.com';
const O = 'o@example.com';

/** A: daily rotation of A/B all day; above it, C on weekday business hours only. */
const stacked = spec({
  timeZone: BERLIN,
  layers: [
    { name: 'base', rotation: { unit: 'days', start: '2026-06-01', participants: [A, B] } },
    {
      name: 'office',
      rotation: { unit: 'weeks', start: '2026-06-01', participants: [C] },
      restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '10:00', end: '16:00' }],
    },
  ],
});
const june2 = [at('2026-06-02T00:00:00+02:00'), at('2026-06-03T00:00:00+02:00')] as const;

describe('finalTimeline stacking', () => {
  it('lets a higher layer win where it has someone and the lower one fill its gaps', () => {
    const shifts = finalTimeline(stacked, {}, ...june2);
    expect(shifts.map((s) => [s.user, s.start, s.end, s.source, s.layer])).toEqual([
      [A, june2[0], at('2026-06-02T09:00:00+02:00'), 'layer', 0],
      [B, at('2026-06-02T09:00:00+02:00'), at('2026-06-02T10:00:00+02:00'), 'layer', 0],
      [C, at('2026-06-02T10:00:00+02:00'), at('2026-06-02T16:00:00+02:00'), 'layer', 1],
      [B, at('2026-06-02T16:00:00+02:00'), june2[1], 'layer', 0],
    ]);
  });

  it('leaves gaps where no layer has anyone', () => {
    const s = spec({
      timeZone: BERLIN,
      layers: [
        {
          name: 'day',
          rotation: { unit: 'days', start: '2026-06-01', participants: [A] },
          restrictions: [{ start: '08:00', end: '18:00' }],
        },
        {
          name: 'night',
          rotation: { unit: 'days', start: '2026-06-01', participants: [B] },
          restrictions: [{ start: '20:00', end: '06:00' }],
        },
      ],
    });
    expect(rows(finalTimeline(s, {}, ...june2), BERLIN)).toEqual([
      [B, '2026-06-02T00:00:00+02:00', '2026-06-02T06:00:00+02:00'],
      [A, '2026-06-02T08:00:00+02:00', '2026-06-02T18:00:00+02:00'],
      [B, '2026-06-02T20:00:00+02:00', '2026-06-03T00:00:00+02:00'],
    ]);
  });

  it('merges touching segments of the same user and source, not of different layers', () => {
    const solo = spec({
      timeZone: BERLIN,
      layers: [{ name: 'solo', rotation: { unit: 'days', start: '2026-06-01', participants: [A] } }],
    });
    const range = [at('2026-06-02T00:00:00+02:00'), at('2026-06-05T00:00:00+02:00')] as const;
    expect(layerShifts(solo, 0, ...range)).toHaveLength(4);
    expect(finalTimeline(solo, {}, ...range)).toEqual([
      { user: A, start: range[0], end: range[1], source: 'layer', layer: 0 },
    ]);
    const twoLayers = spec({
      timeZone: BERLIN,
      layers: [
        { name: 'all', rotation: { unit: 'days', start: '2026-06-01', participants: [A] } },
        {
          name: 'am',
          rotation: { unit: 'days', start: '2026-06-01', participants: [A] },
          restrictions: [{ start: '00:00', end: '12:00' }],
        },
      ],
    });
    expect(finalTimeline(twoLayers, {}, ...june2).map((s) => s.layer)).toEqual([1, 0]);
  });
});

describe('overrides and swaps', () => {
  it('an override across the Berlin fall-back wins over the layers for exactly its instants', () => {
    const overrides = [
      { id: 'ov1', user: O, start: at('2026-10-25T01:00:00+02:00'), end: at('2026-10-25T04:00:00+01:00') },
    ];
    const shifts = finalTimeline(
      stacked,
      { overrides },
      at('2026-10-24T22:00:00+02:00'),
      at('2026-10-25T06:00:00+01:00'),
    );
    expect(shifts.map((s) => [s.user, s.start, s.end, s.source, s.ref])).toEqual([
      [B, at('2026-10-24T22:00:00+02:00'), at('2026-10-25T01:00:00+02:00'), 'layer', undefined],
      // 01:00 CEST to 04:00 CET is four real hours.
      [O, at('2026-10-25T01:00:00+02:00'), at('2026-10-25T04:00:00+01:00'), 'override', 'ov1'],
      [B, at('2026-10-25T04:00:00+01:00'), at('2026-10-25T06:00:00+01:00'), 'layer', undefined],
    ]);
    expect(shifts[1]!.end - shifts[1]!.start).toBe(4 * 3_600_000);
  });

  it('where overrides overlap, the later one in the list wins', () => {
    const overrides = [
      { id: 'x', user: O, start: at('2026-06-02T02:00:00+02:00'), end: at('2026-06-02T06:00:00+02:00') },
      { id: 'y', user: D, start: at('2026-06-02T03:00:00+02:00'), end: at('2026-06-02T04:00:00+02:00') },
    ];
    const shifts = finalTimeline(
      stacked,
      { overrides },
      at('2026-06-02T00:00:00+02:00'),
      at('2026-06-02T08:00:00+02:00'),
    );
    expect(shifts.map((s) => [s.user, s.ref])).toEqual([
      [A, undefined],
      [O, 'x'],
      [D, 'y'],
      [O, 'x'],
      [A, undefined],
    ]);
  });

  it('a swap hands only the slots of `from` inside its range to `to`', () => {
    const swaps = [
      { id: 's1', from: B, to: D, start: at('2026-06-02T12:00:00+02:00'), end: at('2026-06-02T20:00:00+02:00') },
    ];
    expect(
      finalTimeline(stacked, { swaps }, ...june2).map((s) => [s.user, s.start, s.end, s.source, s.ref ?? s.layer]),
    ).toEqual([
      [A, june2[0], at('2026-06-02T09:00:00+02:00'), 'layer', 0],
      [B, at('2026-06-02T09:00:00+02:00'), at('2026-06-02T10:00:00+02:00'), 'layer', 0],
      [C, at('2026-06-02T10:00:00+02:00'), at('2026-06-02T16:00:00+02:00'), 'layer', 1],
      [D, at('2026-06-02T16:00:00+02:00'), at('2026-06-02T20:00:00+02:00'), 'swap', 's1'],
      [B, at('2026-06-02T20:00:00+02:00'), june2[1], 'layer', 0],
    ]);
  });

  it('two swaps one each way trade two people without chaining', () => {
    const range = [at('2026-06-02T00:00:00+02:00'), at('2026-06-04T09:00:00+02:00')] as const;
    const swaps = [
      { id: 'ab', from: A, to: B, start: range[0], end: range[1] },
      { id: 'ba', from: B, to: A, start: range[0], end: range[1] },
    ];
    const base = { ...stacked, layers: [stacked.layers[0]!] };
    expect(rows(finalTimeline(base, { swaps }, ...range), BERLIN)).toEqual([
      [B, '2026-06-02T00:00:00+02:00', '2026-06-02T09:00:00+02:00'],
      [A, '2026-06-02T09:00:00+02:00', '2026-06-03T09:00:00+02:00'],
      [B, '2026-06-03T09:00:00+02:00', '2026-06-04T09:00:00+02:00'],
    ]);
  });

  it('an override wins over a swap', () => {
    const swaps = [{ id: 's', from: A, to: D, start: june2[0], end: june2[1] }];
    const overrides = [{ id: 'o', user: O, start: june2[0], end: at('2026-06-02T05:00:00+02:00') }];
    const shifts = finalTimeline(stacked, { swaps, overrides }, june2[0], at('2026-06-02T09:00:00+02:00'));
    expect(shifts.map((s) => [s.user, s.source])).toEqual([
      [O, 'override'],
      [D, 'swap'],
    ]);
  });
});

describe('onCallAt', () => {
  const nine = at('2026-06-02T09:00:00+02:00');

  it('includes the start of a segment and excludes its end', () => {
    expect(onCallAt(stacked, {}, nine)).toMatchObject({ user: B, start: nine, end: at('2026-06-02T10:00:00+02:00') });
    expect(onCallAt(stacked, {}, nine - 1)).toMatchObject({
      user: A,
      start: at('2026-06-01T16:00:00+02:00'),
      end: nine,
    });
  });

  it('gives the full extent of the segment, not a window around the instant', () => {
    const weekly = spec({
      timeZone: BERLIN,
      layers: [{ name: 'w', rotation: { unit: 'weeks', start: '2026-03-02', participants: [A, B] } }],
    });
    expect(onCallAt(weekly, {}, at('2026-03-26T15:00:00+01:00'))).toEqual({
      user: B,
      start: at('2026-03-23T09:00:00+01:00'),
      end: at('2026-03-30T09:00:00+02:00'),
      source: 'layer',
      layer: 0,
    });
    const overrides = [
      { id: 'o', user: O, start: at('2026-03-01T00:00:00+01:00'), end: at('2026-05-01T00:00:00+02:00') },
    ];
    expect(onCallAt(weekly, { overrides }, at('2026-04-10T00:00:00+02:00'))).toMatchObject({
      user: O,
      start: overrides[0]!.start,
      end: overrides[0]!.end,
    });
  });

  it('finds nobody before the rotation starts or in a gap', () => {
    const later = spec({
      timeZone: BERLIN,
      layers: [{ name: 'p', rotation: { unit: 'days', start: '2026-07-01', participants: [A] } }],
    });
    expect(onCallAt(later, {}, at('2026-07-01T08:59:59+02:00'))).toBeUndefined();
    expect(onCallAt(later, {}, at('2026-07-01T09:00:00+02:00'))).toMatchObject({ user: A });
  });
});

describe('ranges', () => {
  it('rejects a range beyond 400 days, a reversed one and a non-finite one', () => {
    const from = at('2026-01-01T00:00:00Z');
    expect(() => finalTimeline(stacked, {}, from, from + 401 * 86_400_000)).toThrow(/at most 400 days/);
    expect(() => layerShifts(stacked, 0, from, from - 1)).toThrow(RangeError);
    expect(() => finalTimeline(stacked, {}, from, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(finalTimeline(stacked, {}, from, from)).toEqual([]);
  });

  it('computes a year of a daily rotation well under 50 ms', () => {
    const from = at('2026-01-01T00:00:00+01:00');
    const to = at('2027-01-01T00:00:00+01:00');
    finalTimeline(stacked, {}, from, to);
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const shifts = finalTimeline(stacked, {}, from, to);
      best = Math.min(best, performance.now() - t0);
      expect(shifts.length).toBeGreaterThan(365);
    }
    expect(best).toBeLessThan(50);
  });
});

describe('timeline invariants', () => {
  it('sorted, non-overlapping, merged, inside the range, and onCallAt agrees with it', () => {
    const day = 86_400_000;
    const base = at('2026-03-20T00:00:00+01:00');
    const span = fc.record({ start: fc.integer({ min: 0, max: 20 * day }), len: fc.integer({ min: 1, max: 3 * day }) });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * day }),
        fc.integer({ min: 1, max: 14 * day }),
        fc.array(fc.tuple(span, fc.constantFrom(O, D)), { maxLength: 4 }),
        fc.array(fc.tuple(span, fc.constantFrom(A, B, C), fc.constantFrom(A, D)), { maxLength: 4 }),
        (offset, length, ov, sw) => {
          const from = base + offset;
          const to = from + length;
          const overrides = ov.map(([s, user], i) => ({
            id: `o${i}`,
            user,
            start: base + s.start,
            end: base + s.start + s.len,
          }));
          const swaps = sw.map(([s, f, t], i) => ({
            id: `s${i}`,
            from: f,
            to: t,
            start: base + s.start,
            end: base + s.start + s.len,
          }));
          const shifts = finalTimeline(stacked, { overrides, swaps }, from, to);
          for (const [i, s] of shifts.entries()) {
            expect(s.start).toBeLessThan(s.end);
            expect(s.start).toBeGreaterThanOrEqual(from);
            expect(s.end).toBeLessThanOrEqual(to);
            const prev = shifts[i - 1];
            if (prev) expect(prev.end).toBeLessThanOrEqual(s.start);
            if (prev && prev.end === s.start)
              expect([prev.user, prev.source, prev.layer, prev.ref]).not.toEqual([s.user, s.source, s.layer, s.ref]);
          }
          const probe = from + Math.floor(length / 3);
          const seg = shifts.find((s) => s.start <= probe && probe < s.end);
          const found = onCallAt(stacked, { overrides, swaps }, probe);
          expect(found?.user).toBe(seg?.user);
          if (seg && found) {
            expect(found.start).toBeLessThanOrEqual(seg.start);
            expect(found.end).toBeGreaterThanOrEqual(seg.end);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
