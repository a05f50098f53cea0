import { describe, expect, it } from 'vitest';
import { monotonicId } from '../ids.js';

describe('monotonicId', () => {
  it('is strictly increasing for ids made in the same millisecond, and across a counter overflow', () => {
    const at = Date.parse('2026-11-23T10:00:00Z');
    const ids = Array.from({ length: 5000 }, () => monotonicId(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
  it('is a version 7 UUID', () => {
    expect(monotonicId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
