import type { Db } from '../../platform/db/database.js';
import type { ModuleMigration } from '../../platform/db/migrations.js';
import { createConfigTable } from '../../platform/resources/config-table.js';

export const notifyMigrations: ModuleMigration[] = [
  {
    name: '2026-11-22.10-notify',
    async up(db: Db) {
      await createConfigTable(db, 'notify_config');
      await db.schema
        .createTable('notify_contact_methods')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('notify_contact_methods_user_name', ['user_id', 'name'])
        .execute();
      await db.schema
        .createTable('notify_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('urgency', 'text', (c) => c.notNull())
        .addColumn('delay_minutes', 'integer', (c) => c.notNull())
        .addColumn('contact_method_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('notify_rules_user').on('notify_rules').column('user_id').execute();
      await db.schema
        .createTable('notify_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('incident_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('contact_method_id', 'text')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('channel_type', 'text', (c) => c.notNull())
        .addColumn('address_hint', 'text')
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('urgency', 'text', (c) => c.notNull())
        .addColumn('lane', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_status_code', 'integer')
        .addColumn('last_latency_ms', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('receipts_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('message_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('notify_deliveries_incident')
        .on('notify_deliveries')
        .columns(['incident_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('notify_deliveries_status')
        .on('notify_deliveries')
        .columns(['status', 'created_at'])
        .execute();
    },
  },
];
