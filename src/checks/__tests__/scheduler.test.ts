import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../platform/clock.js';
import { nextSlot, offsetFor, type RunCheck, type ScheduledCheck, Scheduler } from '../scheduler.js';

const logger = pino({ level: 'silent' });
const check = (id: string, intervalMs = 30_000, timeoutMs = 5_000): ScheduledCheck => ({
  id,
  name: id,
  kind: 'http',
  intervalMs,
  timeoutMs,
});

/** Lets promise callbacks run between fake-clock steps. */
const settle = () => new Promise((r) => setImmediate(r));

/** Advances the fake clock in steps, letting finished runs settle in between, as real time would. */
async function step(clock: FakeClock, totalMs: number, stepMs = 500) {
  for (let t = 0; t < totalMs; t += stepMs) {
    clock.advance(stepMs);
    await settle();
  }
}

/** Stops the scheduler while time goes on, so runs waiting on fake timers can finish. */
async function stop(s: Scheduler, clock: FakeClock) {
  const done = s.stop();
  await step(clock, 60_000, 1_000);
  await done;
}

function scheduler(clock: FakeClock, run: RunCheck, maxConcurrency = 1000) {
  const s = new Scheduler({ clock, logger, run, registry: new Registry(), maxConcurrency });
  return s;
}

describe('check scheduler', () => {
  it('spreads checks evenly over their interval with a stable offset per check', () => {
    const buckets = new Array(30).fill(0);
    for (let i = 0; i < 3000; i++) buckets[Math.floor(offsetFor(`check-${i}`, 30_000) / 1000)]++;
    expect(Math.min(...buckets)).toBeGreaterThan(60);
    expect(Math.max(...buckets)).toBeLessThan(140);
    expect(offsetFor('a', 30_000)).toBe(offsetFor('a', 30_000));
  });

  it('runs on a fixed grid that never drifts, however long each run takes', async () => {
    const clock = new FakeClock(0);
    const planned: number[] = [];
    const s = scheduler(clock, async (_c, at) => {
      planned.push(at);
      await new Promise<void>((r) => clock.setTimeout(r, 1_700));
    });
    s.upsert(check('a', 10_000));
    s.start();
    for (let i = 0; i < 100; i++) {
      clock.advance(1_000);
      await settle();
    }
    const offset = offsetFor('a', 10_000);
    expect(planned.length).toBe(10);
    expect(planned).toEqual(planned.map((_, i) => nextSlot(0, 10_000, offset) + i * 10_000));
    await stop(s, clock);
  });

  it('a hanging target is cut at its timeout and does not delay other checks', async () => {
    const clock = new FakeClock(0);
    const starts: Record<string, number[]> = { slow: [], fast: [] };
    let aborted = 0;
    const s = scheduler(clock, (c, _at, signal) => {
      starts[c.id]!.push(clock.now());
      if (c.id === 'fast') return Promise.resolve();
      return new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => {
          aborted++;
          resolve();
        }),
      );
    });
    s.upsert(check('slow', 10_000, 3_000));
    s.upsert(check('fast', 10_000, 3_000));
    s.start();
    for (let i = 0; i < 60; i++) {
      clock.advance(500);
      await settle();
    }
    expect(starts.fast!.length).toBe(3);
    expect(starts.slow!.length).toBe(3);
    expect(aborted).toBe(3);
    await s.stop();
  });

  it('skips a slot while the previous run of the same check is still going', async () => {
    const clock = new FakeClock(0);
    let runs = 0;
    const s = scheduler(clock, () => {
      runs++;
      return new Promise<void>((r) => clock.setTimeout(r, 25_000));
    });
    s.upsert(check('a', 10_000, 30_000));
    s.start();
    for (let i = 0; i < 60; i++) {
      clock.advance(1_000);
      await settle();
    }
    expect(runs).toBe(2);
    expect((await s.skipped.get()).values.find((v) => v.labels.reason === 'overlap')?.value).toBeGreaterThan(0);
    await stop(s, clock);
  });

  it('bounds concurrency and drops a slot that cannot start within its interval', async () => {
    const clock = new FakeClock(0);
    let running = 0;
    let peak = 0;
    const s = scheduler(
      clock,
      () => {
        running++;
        peak = Math.max(peak, running);
        return new Promise<void>((r) =>
          clock.setTimeout(() => {
            running--;
            r();
          }, 9_000),
        );
      },
      5,
    );
    for (let i = 0; i < 20; i++) s.upsert(check(`c${i}`, 10_000, 9_500));
    s.start();
    for (let i = 0; i < 40; i++) {
      clock.advance(1_000);
      await settle();
    }
    expect(peak).toBe(5);
    expect((await s.skipped.get()).values.find((v) => v.labels.reason === 'overload')?.value).toBeGreaterThan(0);
    await stop(s, clock);
  });

  it('measures schedule lag', async () => {
    const clock = new FakeClock(0);
    const s = scheduler(clock, async () => {});
    s.upsert(check('a', 5_000));
    s.start();
    await step(clock, 20_000);
    const lag = await s.lag.get();
    expect(lag.values.find((v) => v.metricName?.endsWith('_count'))?.value).toBeGreaterThanOrEqual(3);
    await s.stop();
  });

  it('takes an edit or a removal into account without a restart', async () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    const s = scheduler(clock, async (c) => {
      seen.push(`${c.id}:${c.intervalMs}`);
    });
    s.upsert(check('a', 10_000));
    s.start();
    await step(clock, 10_000);
    s.upsert(check('a', 5_000));
    await step(clock, 10_000);
    expect(seen.filter((x) => x === 'a:5000').length).toBe(2);
    s.remove('a');
    const before = seen.length;
    await step(clock, 30_000);
    expect(seen.length).toBe(before);
    await s.stop();
  });

  it('an edit while a run is in progress does not stop the check (regression: the running flag was lost)', async () => {
    const clock = new FakeClock(0);
    let runs = 0;
    const s = scheduler(clock, () => {
      runs++;
      return new Promise<void>((r) => clock.setTimeout(r, 2_000));
    });
    s.upsert(check('a', 5_000, 3_000));
    s.start();
    await step(clock, 5_000);
    expect(runs).toBe(1);
    s.upsert(check('a', 5_000, 3_000));
    await step(clock, 20_000);
    expect(runs).toBe(5);
    await stop(s, clock);
  });
});
