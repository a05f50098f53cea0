import { describe, expect, it } from 'vitest';
import { engines } from '../support/engines.js';
import { startTestServer } from '../support/server.js';

describe.each(engines())('one secret key per database on %s', (engine) => {
  it('an instance whose key differs from the one the database was sealed with refuses to start, saying what to do', async () => {
    const first = await startTestServer({
      engine,
      env: { MAINSTAY_SECRET_KEY: 'the-first-key-0123456789abcdefghijkl' },
    });
    const reopen = { dataDir: first.dataDir, schema: first.schema };
    await first.close({ keepData: true });

    const err = await startTestServer({
      engine,
      reopen,
      env: { MAINSTAY_SECRET_KEY: 'another-key-0123456789abcdefghijklmn' },
    }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string; hint?: string },
    );
    expect(err?.code).toBe('secret_key_mismatch');
    expect(err?.message).toMatch(/sealed with key \S+, but this instance's key is \S+/);
    expect(err?.hint).toContain('MAINSTAY_SECRET_KEY');

    // The right key starts as before.
    const again = await startTestServer({
      engine,
      reopen,
      env: { MAINSTAY_SECRET_KEY: 'the-first-key-0123456789abcdefghijkl' },
    });
    await again.close();
  });
});
