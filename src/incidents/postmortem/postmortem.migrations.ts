import type { Db } from '../../platform/db/database.js';
import type { ModuleMigration } from '../../platform/db/migrations.js';

/**
 * `incident_id` is a plain indexed text column, not a foreign key: the incidents tables belong to
 * the incident service, and this part of the module only reaches them through `IncidentReader`.
 * `due_date` is a `YYYY-MM-DD` text, so "due before today" is a string comparison on both engines.
 */
export const postmortemMigrations: ModuleMigration[] = [
  {
    name: '2026-11-22.30-postmortems',
    async up(db: Db) {
      await db.schema
        .createTable('incident_postmortems')
        .addColumn('incident_id', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('doc_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('published_at', 'bigint')
        .execute();
      await db.schema.createIndex('incident_postmortems_status').on('incident_postmortems').column('status').execute();

      await db.schema
        .createTable('incident_action_items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('incident_id', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('owner', 'text')
        .addColumn('due_date', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('priority', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('done_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('incident_action_items_status_due')
        .on('incident_action_items')
        .columns(['status', 'due_date'])
        .execute();
      await db.schema
        .createIndex('incident_action_items_incident')
        .on('incident_action_items')
        .columns(['incident_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('incident_action_items_owner')
        .on('incident_action_items')
        .columns(['owner', 'status'])
        .execute();
    },
  },
];
