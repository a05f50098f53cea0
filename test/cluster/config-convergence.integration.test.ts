import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply, doc, integrationKey } from '../alerts/helpers.js';
import { POSTGRES_URL } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';

const describePg = POSTGRES_URL ? describe : describe.skip;

/**
 * Two instances on one PostgreSQL schema: an integration created through one is known to the
 * other at once, although the other re-reads the configuration version only once a second.
 */
describePg('configuration made on one instance, used through another', () => {
  let a: TestServer;
  let b: TestServer;
  const env = { MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' };
  const enqueue = (s: TestServer, key: string, dedup: string) =>
    s.app.http.inject({
      method: 'POST',
      url: '/v2/enqueue',
      payload: {
        routing_key: key,
        event_action: 'trigger',
        dedup_key: dedup,
        payload: { summary: 'db1 disk 95%', source: 'db1', severity: 'critical' },
      },
    });

  beforeAll(async () => {
    a = await startTestServer({ engine: 'postgres', env });
    b = await startTestServer({ engine: 'postgres', env, reopen: { dataDir: a.dataDir, schema: a.schema } });
  });
  afterAll(async () => {
    await b?.close({ keepData: true });
    await a?.close();
  });

  it('a routing key created through one instance is accepted by the other right away', async () => {
    // b has just read the configuration (this unknown key answers 404 and refreshes its cache).
    expect((await enqueue(b, 'no-such-key', 'x')).statusCode).toBe(404);
    for (let i = 0; i < 5; i++) {
      await apply(a, [doc('Integration', `pd-${i}`, { type: 'pagerduty', rateLimitPerMinute: 0 })]);
      const key = await integrationKey(a, `pd-${i}`);
      const r = await enqueue(b, key, `k-${i}`);
      expect(r.statusCode, r.body).toBe(202);
    }
    // Unknown keys still answer 404, however often they are tried.
    const unknown = await Promise.all(Array.from({ length: 20 }, (_, i) => enqueue(b, `nope-${i}`, 'x')));
    expect(unknown.map((r) => r.statusCode)).toEqual(Array(20).fill(404));
  });
});
