import type { Kysely } from 'kysely';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.js';
import { Worker } from '../../src/platform/queue/index.js';
import { engines } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { apply, doc, integrationKey, startReceiver } from './helpers.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');

// biome-ignore lint/suspicious/noExplicitAny: reads across the module's tables
type Db = Kysely<any>;

/**
 * A new group whose route has `group_wait: 0s` is flushed in the transaction that stores its first
 * alert: when the intake answers, the notification and its delivery task are committed already, and
 * no flush task was needed. A flush that fails there costs the intake nothing: it is rolled back
 * alone and queued as a flush task, as for any other group.
 */
describe.each(engines())('flush of a new group in the intake transaction on %s', (engine) => {
  let s: TestServer;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  let key = '';
  let clock: FakeClock;
  let worker: Worker;
  const db = () => s.app.database.db as Db;
  const trigger = async (dedup: string, component = dedup) => {
    const r = await s.app.http.inject({
      method: 'POST',
      url: '/v2/enqueue',
      payload: {
        routing_key: key,
        event_action: 'trigger',
        dedup_key: dedup,
        payload: { summary: dedup, source: 'host-1', severity: 'critical', component },
      },
    });
    expect(r.statusCode).toBe(202);
  };
  const tasks = async () =>
    (await db().selectFrom('queue_tasks').select(['kind', 'state', 'run_at']).orderBy('kind').execute()).map(
      (t: { kind: string; state: string; run_at: number }) => ({
        kind: t.kind,
        state: t.state,
        inMs: Number(t.run_at) - clock.now(),
      }),
    );
  const drain = async () => {
    while ((await worker.runOnce()) > 0) {}
  };

  beforeAll(async () => {
    hook = await startReceiver();
  });
  afterAll(async () => {
    await hook?.close();
  });
  beforeEach(async () => {
    clock = new FakeClock(T0);
    s = await startTestServer({
      engine,
      clock,
      env: { MAINSTAY_WORKER: 'false', MAINSTAY_CHECKS: 'false' },
      listen: false,
    });
    worker = new Worker({
      queue: s.app.queue,
      handlers: s.app.alerts.taskHandlers ?? {},
      clock,
      logger: pino({ level: 'silent' }),
      retention: false,
    });
    await apply(s, [
      doc('Receiver', 'hook', { webhooks: [{ url: `${hook.url}/hook` }] }),
      doc('Integration', 'pd', { type: 'pagerduty', rateLimitPerMinute: 0 }),
      doc('Route', 'root', {
        receiver: 'hook',
        groupBy: ['component'],
        groupWait: '0s',
        groupInterval: '5m',
        repeatInterval: '4h',
      }),
    ]);
    key = await integrationKey(s, 'pd');
    hook.got.length = 0;
  });
  afterEach(async () => {
    await s?.close();
  });

  it('commits the notification and its delivery with the alert; only the repeat flush is queued', async () => {
    await trigger('a');
    const notes = await db().selectFrom('alert_notifications').select(['status', 'firing']).execute();
    expect(notes).toEqual([{ status: 'pending', firing: 1 }]);
    expect(await tasks()).toEqual([
      { kind: 'alerts.deliver', state: 'pending', inMs: 0 },
      { kind: 'alerts.flush', state: 'pending', inMs: 4 * 3_600_000 },
    ]);
    const [alert] = await db().selectFrom('alerts').select(['id', 'why_json']).execute();
    if (!alert) throw new Error('the alert was not stored');
    expect(JSON.parse(alert.why_json).state).toBe('notifying');
    const history = await db()
      .selectFrom('alert_history')
      .select('type')
      .where('alert_id', '=', alert.id)
      .orderBy('at')
      .orderBy('id')
      .execute();
    expect(history.map((h: { type: string }) => h.type)).toEqual(['triggered', 'notified']);
    await drain();
    expect(hook.got.map((g) => [g.body.status, g.body.alerts.length])).toEqual([['firing', 1]]);

    // A second alert of the same group waits for group_interval, as in Alertmanager.
    await trigger('b', 'a');
    await drain();
    expect(hook.got).toHaveLength(1);
    clock.advance(5 * 60_000);
    await drain();
    expect(hook.got.map((g) => [g.body.status, g.body.alerts.length])).toEqual([
      ['firing', 1],
      ['firing', 2],
    ]);
  });

  it('a flush that fails in the intake transaction is rolled back alone and queued; the alert is kept', async () => {
    const dispatcher = s.app.alerts.dispatcher;
    const original = dispatcher.flushCreated.bind(dispatcher);
    dispatcher.flushCreated = async (trx, groups, cfg) => {
      await original(trx, groups, cfg); // its writes (notification, delivery task) must be undone
      throw new Error('flush failed');
    };
    await trigger('a');
    expect(await db().selectFrom('alerts').select('status').execute()).toEqual([{ status: 'firing' }]);
    expect(await db().selectFrom('alert_notifications').select('id').execute()).toEqual([]);
    expect(await tasks()).toEqual([{ kind: 'alerts.flush', state: 'pending', inMs: 0 }]);
    dispatcher.flushCreated = original;
    await drain();
    expect(hook.got.map((g) => [g.body.status, g.body.alerts.length])).toEqual([['firing', 1]]);
    expect(await db().selectFrom('alert_notifications').select('status').execute()).toEqual([{ status: 'delivered' }]);
  });

  it('a rolled-back intake leaves neither the alert nor its notification', async () => {
    const events = [
      {
        source: 'api' as const,
        integrationId: null,
        action: 'trigger' as const,
        dedupKey: 'x',
        summary: 'x',
        severity: 'critical' as const,
        labels: { alertname: 'x', component: 'x' },
        annotations: {},
      },
    ];
    await expect(
      s.app.database.transaction(async (trx) => {
        // biome-ignore lint/suspicious/noExplicitAny: the pipeline is internal to the module
        await (s.app.alerts.intake as any).pipeline.ingest(trx, events);
        expect(await (trx as Db).selectFrom('alert_notifications').select('id').execute()).toHaveLength(1);
        throw new Error('the caller fails after ingest');
      }),
    ).rejects.toThrow('the caller fails');
    expect(await db().selectFrom('alerts').select('id').execute()).toEqual([]);
    expect(await db().selectFrom('alert_notifications').select('id').execute()).toEqual([]);
    expect(await tasks()).toEqual([]);
    await drain();
    expect(hook.got).toEqual([]);
  });
});
