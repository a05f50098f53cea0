import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { InputError } from '../errors.js';
import { newId } from '../ids.js';

describe('configuration', () => {
  it('defaults to 127.0.0.1:8080 and ./data/mainstay.db', () => {
    const c = loadConfig({});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(8080);
    expect(c.sqlitePath.endsWith('data/mainstay.db')).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('flags win over environment variables', () => {
    expect(loadConfig({ MAINSTAY_PORT: '9000' }, { port: 9100 }).port).toBe(9100);
    expect(loadConfig({ MAINSTAY_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('a bad value stops the start with the env var named', () => {
    try {
      loadConfig({ MAINSTAY_PORT: 'eighty', MAINSTAY_DATABASE_URL: 'mysql://x' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toContain('MAINSTAY_PORT');
      expect((err as InputError).fields?.map((f) => f.path)).toEqual(['MAINSTAY_PORT', 'MAINSTAY_DATABASE_URL']);
    }
  });

  it('TLS needs both the certificate and the key', () => {
    expect(() => loadConfig({ MAINSTAY_TLS_CERT: '/x.pem' })).toThrow(/together/);
  });
});

describe('clock and ids', () => {
  it('a fake clock fires timers in time order as it advances', () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 200);
    clock.setTimeout(() => fired.push('a'), 100);
    const cancel = clock.setTimeout(() => fired.push('never'), 150);
    cancel();
    clock.advance(150);
    expect(fired).toEqual(['a']);
    clock.advance(100);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(250);
  });

  it('ids sort by creation time', () => {
    const a = newId(1_000);
    const b = newId(2_000);
    expect(a < b).toBe(true);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
