import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../../../test/support/engines.js';
import { migrate } from '../../platform/db/migrations.js';
import { alertsMigrations } from '../migrations/2026-11-21-alerts.js';

// biome-ignore lint/suspicious/noExplicitAny: rows written as they were before the migration
type Any = any;

/** Labels of alerts already resolved when the migration runs are marked inactive; open ones stay active. */
describe.each(engines())('alert_labels.active migration on %s', (engine) => {
  let tdb: TestDatabase;
  beforeEach(async () => {
    tdb = await openTestDatabase(engine);
  });
  afterEach(async () => {
    await tdb.close();
  });

  it('backfills active from the alerts and keeps every label', async () => {
    const before = alertsMigrations.filter((m) => m.name < '2026-11-22.40');
    await migrate(tdb.database, [{ module: 'alerts', migrations: before }]);
    const db = tdb.database.db as Any;
    const alert = (id: string, open: boolean) => ({
      id,
      fingerprint: `fp-${id}`,
      active_key: open ? `fp-${id}` : null,
      integration_id: null,
      source: 'api',
      dedup_key: id,
      status: open ? 'firing' : 'resolved',
      acknowledged_at: null,
      summary: id,
      severity: 'critical',
      labels_json: '{}',
      annotations_json: '{}',
      details_json: null,
      generator_url: null,
      starts_at: 1,
      ends_at: open ? null : 2,
      expires_at: null,
      first_seen_at: 1,
      last_seen_at: 1,
      repeats: 0,
      flapping: 0,
      why_json: '{}',
      updated_at: 1,
    });
    await db
      .insertInto('alerts')
      .values([alert('open', true), alert('closed', false)])
      .execute();
    await db
      .insertInto('alert_labels')
      .values([
        { alert_id: 'open', name: 'env', value: 'prod' },
        { alert_id: 'open', name: 'team', value: 'db' },
        { alert_id: 'closed', name: 'env', value: 'prod' },
      ])
      .execute();
    await migrate(tdb.database, [{ module: 'alerts', migrations: alertsMigrations }]);
    const rows = await db
      .selectFrom('alert_labels')
      .select(['alert_id', 'name', 'active'])
      .orderBy('alert_id')
      .orderBy('name')
      .execute();
    expect(rows.map((r: Any) => ({ ...r, active: Number(r.active) }))).toEqual([
      { alert_id: 'closed', name: 'env', active: 0 },
      { alert_id: 'open', name: 'env', active: 1 },
      { alert_id: 'open', name: 'team', active: 1 },
    ]);
  });
});
