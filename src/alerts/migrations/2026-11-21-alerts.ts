import type { Db } from '../../platform/db/database.js';
import type { ModuleMigration } from '../../platform/db/migrations.js';

/**
 * `alerts.active_key` is the fingerprint while the alert is open and NULL once resolved: the unique
 * index on it makes "one open alert per fingerprint" a database rule (NULLs are distinct on both
 * engines), so a trigger after a resolve opens a new row, as PagerDuty does.
 */
export const alertsMigrations: ModuleMigration[] = [
  {
    name: '2026-11-21.20-alerts',
    async up(db: Db) {
      await db.schema
        .createTable('alert_integrations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_sealed', 'text', (c) => c.notNull())
        .addColumn('spec_json', 'text', (c) => c.notNull())
        .addColumn('labels_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('alert_config')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('labels_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('spec_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('alert_config_pk', ['kind', 'name'])
        .execute();

      await db.schema
        .createTable('alert_silences')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('matchers_json', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('labels_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alert_silences_ends').on('alert_silences').column('ends_at').execute();

      await db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('active_key', 'text', (c) => c.unique())
        .addColumn('integration_id', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('dedup_key', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('acknowledged_at', 'bigint')
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('labels_json', 'text', (c) => c.notNull())
        .addColumn('annotations_json', 'text', (c) => c.notNull())
        .addColumn('details_json', 'text')
        .addColumn('generator_url', 'text')
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint')
        /** Alertmanager-style endsAt of a firing alert: resolved when it passes without a refresh. */
        .addColumn('expires_at', 'bigint')
        .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('repeats', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('flapping', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('why_json', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alerts_status_seen').on('alerts').columns(['status', 'last_seen_at']).execute();
      await db.schema.createIndex('alerts_seen').on('alerts').column('last_seen_at').execute();
      await db.schema.createIndex('alerts_fingerprint').on('alerts').column('fingerprint').execute();
      await db.schema.createIndex('alerts_expires').on('alerts').column('expires_at').execute();

      /** One row per label of each alert, so equality matchers filter in SQL. */
      await db.schema
        .createTable('alert_labels')
        .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('alert_labels_pk', ['alert_id', 'name'])
        .execute();
      await db.schema.createIndex('alert_labels_nv').on('alert_labels').columns(['name', 'value']).execute();

      await db.schema
        .createTable('alert_history')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('details_json', 'text')
        .execute();
      await db.schema.createIndex('alert_history_alert').on('alert_history').columns(['alert_id', 'at']).execute();

      await db.schema
        .createTable('alert_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('group_key', 'text', (c) => c.notNull().unique())
        .addColumn('route_path', 'text', (c) => c.notNull())
        .addColumn('receiver', 'text', (c) => c.notNull())
        .addColumn('labels_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        /** When the pending flush task runs (null: none pending). */
        .addColumn('next_flush_at', 'bigint')
        .addColumn('flush_key', 'text')
        .addColumn('last_flush_at', 'bigint')
        .addColumn('last_notified_at', 'bigint')
        /** Fingerprints the last notification reported as firing. */
        .addColumn('notified_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('held', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alert_groups_held').on('alert_groups').column('held').execute();

      await db.schema
        .createTable('alert_group_members')
        .addColumn('group_id', 'text', (c) => c.notNull().references('alert_groups.id').onDelete('cascade'))
        .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('alert_group_members_pk', ['group_id', 'alert_id'])
        .execute();
      await db.schema.createIndex('alert_group_members_alert').on('alert_group_members').column('alert_id').execute();

      await db.schema
        .createTable('alert_notifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('receiver', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('firing', 'integer', (c) => c.notNull())
        .addColumn('resolved', 'integer', (c) => c.notNull())
        .addColumn('payload_json', 'text', (c) => c.notNull())
        .addColumn('targets', 'integer', (c) => c.notNull())
        .addColumn('delivered', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('receipts_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('alert_notifications_group')
        .on('alert_notifications')
        .columns(['group_id', 'at'])
        .execute();
      await db.schema.createIndex('alert_notifications_at').on('alert_notifications').column('at').execute();

      await db.schema
        .createTable('alert_changes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('integration_id', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('source', 'text')
        .addColumn('details_json', 'text')
        .execute();
      await db.schema.createIndex('alert_changes_at').on('alert_changes').column('at').execute();

      await db.schema
        .createTable('alert_meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
      await db.insertInto('alert_meta').values({ key: 'config_version', value: 1 }).execute();
    },
  },
  {
    // Whether the alert is open, copied onto its labels: the count of a label-filtered list of open
    // alerts then reads the (name, value, active, alert_id) index alone. It looked up every matching alert's row
    // (25,000 lookups for severity="critical" among 100,000 alerts: 60-110 ms of a 100 ms budget).
    // Set when the labels are written and cleared when the alert resolves (alerts never reopen).
    name: '2026-11-22.40-alert-labels-active',
    async up(db: Db) {
      await db.schema
        .alterTable('alert_labels')
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db
        .updateTable('alert_labels')
        .set({ active: 0 })
        .where('alert_id', 'in', db.selectFrom('alerts').select('id').where('active_key', 'is', null))
        .execute();
      await db.schema.dropIndex('alert_labels_nv').execute();
      // With alert_id, reading a matcher's alerts is covered by the index too (no row lookups).
      await db.schema
        .createIndex('alert_labels_nva')
        .on('alert_labels')
        .columns(['name', 'value', 'active', 'alert_id'])
        .execute();
    },
  },
];
