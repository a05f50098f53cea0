import { describe, expect, it } from 'vitest';
import { monotonicId, newId } from '../ids.js';

describe('newId', () => {
  it('is a version 7 UUID carrying its millisecond, unique across many pool refills', () => {
    const at = Date.parse('2026-11-23T10:00:00.123Z');
    const ids = Array.from({ length: 20_000 }, () => newId(at));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 300)) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    }
    // Sortable by time: a later millisecond sorts after.
    expect(newId(at + 1) > newId(at)).toBe(true);
  });
});

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
