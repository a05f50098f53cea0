import { describe, expect, it } from 'vitest';
import { applyResult, type CheckState, flapPercent, initialState } from '../check.state.js';
import * as hist from '../histogram.js';

const policy = { retries: 2, recoveryThreshold: 2, flapping: { low: 20, high: 30 } };

function run(results: boolean[], p = policy, start: CheckState = initialState(true, 0)) {
  let s = start;
  const events: string[] = [];
  results.forEach((ok, i) => {
    const r = applyResult(s, { at: (i + 1) * 1000, ok, latencyMs: 10, message: ok ? 'ok' : 'boom' }, p);
    s = r.state;
    events.push(...r.events.map((e) => e.type));
  });
  return { s, events };
}

describe('check state machine', () => {
  it('the first good result makes a pending check up without an event', () => {
    const { s, events } = run([true]);
    expect(s.status).toBe('up');
    expect(events).toEqual([]);
  });

  it('a failure counts only after `retries` consecutive failures', () => {
    expect(run([true, false, false]).s.status).toBe('up');
    const { s, events } = run([true, false, false, false]);
    expect(s.status).toBe('down');
    expect(s.since).toBe(4000);
    expect(events).toEqual(['down']);
  });

  it('a good result between failures resets the confirmation', () => {
    expect(run([true, false, false, true, false, false]).s.status).toBe('up');
  });

  it('a down check needs recoveryThreshold good results to be up', () => {
    const down = run([false, false, false]).s;
    expect(down.status).toBe('down');
    expect(run([true], policy, down).s.status).toBe('down');
    const { s, events } = run([true, true], policy, down);
    expect(s.status).toBe('up');
    expect(events).toEqual(['up']);
  });

  it('flapping starts at the high threshold and ends below the low one (Nagios percent state change)', () => {
    const alternating = Array.from({ length: 21 }, (_, i) => i % 2 === 0);
    const flappy = run(alternating, { ...policy, retries: 0, recoveryThreshold: 1 });
    expect(flappy.s.flapPercent).toBe(100);
    expect(flappy.s.flapping).toBe(true);
    expect(flappy.events).toContain('flapping_start');
    const calm = run(Array(21).fill(true), { ...policy, retries: 0, recoveryThreshold: 1 }, flappy.s);
    expect(calm.s.flapping).toBe(false);
    expect(calm.events).toContain('flapping_end');
  });

  it('weights recent state changes more than old ones', () => {
    const old = `${'01'.repeat(2)}${'1'.repeat(17)}`;
    const recent = `${'1'.repeat(17)}${'01'.repeat(2)}`;
    expect(flapPercent(recent)).toBeGreaterThan(flapPercent(old));
    expect(flapPercent('1'.repeat(21))).toBe(0);
  });

  it('a certificate entering its warning window raises certificate_expiring once', () => {
    const cert = { expiry: 'warning', daysLeft: 10, subject: 'CN=x', validTo: 'soon' } as never;
    let s = initialState(true, 0);
    const first = applyResult(s, { at: 1, ok: true, latencyMs: 1, message: 'ok', certificate: cert }, policy);
    s = first.state;
    expect(first.events.map((e) => e.type)).toEqual(['certificate_expiring']);
    expect(applyResult(s, { at: 2, ok: true, latencyMs: 1, message: 'ok', certificate: cert }, policy).events).toEqual(
      [],
    );
  });

  it('a paused check records results but never changes status', () => {
    const { s, events } = run([false, false, false, false], policy, initialState(false, 0));
    expect(s.status).toBe('paused');
    expect(events).toEqual([]);
  });
});

describe('latency histogram', () => {
  it('reads back quantiles within 15 %', () => {
    const h: hist.Histogram = {};
    for (let ms = 1; ms <= 1000; ms++) hist.add(h, ms);
    const p95 = hist.quantile(h, 0.95, 1000)!;
    expect(p95).toBeGreaterThanOrEqual(950);
    expect(p95).toBeLessThanOrEqual(950 * 1.15);
    const other: hist.Histogram = {};
    hist.add(other, 5000, 1000);
    hist.merge(h, other);
    expect(hist.quantile(h, 0.5)).toBeGreaterThan(1000);
  });
});
