import type { Db } from '../../platform/db/database.js';
import type { ModuleMigration } from '../../platform/db/migrations.js';

export const incidentsMigrations: ModuleMigration[] = [
  {
    name: '2026-11-22.30-incidents',
    async up(db: Db) {
      await db.schema
        .createTable('incidents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'integer', (c) => c.notNull().unique())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('urgency', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('service', 'text')
        .addColumn('team', 'text')
        .addColumn('labels_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('policy', 'text')
        .addColumn('group_key', 'text')
        .addColumn('receiver', 'text')
        .addColumn('open_key', 'text', (c) => c.unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('acknowledged_at', 'bigint')
        .addColumn('acknowledged_by', 'text')
        .addColumn('resolved_at', 'bigint')
        .addColumn('resolved_by', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('escalation_run', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('escalation_cycle', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('escalation_next_at', 'bigint')
        .addColumn('ack_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('incidents_status_created')
        .on('incidents')
        .columns(['status', 'created_at'])
        .execute();
      await db.schema.createIndex('incidents_created').on('incidents').column('created_at').execute();
      await db.schema.createIndex('incidents_service').on('incidents').columns(['service', 'created_at']).execute();
      await db.schema
        .createTable('incident_alerts')
        .addColumn('incident_id', 'text', (c) => c.notNull())
        .addColumn('alert_id', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('labels_json', 'text', (c) => c.notNull())
        .addColumn('attached_at', 'bigint', (c) => c.notNull())
        .addColumn('resolved_at', 'bigint')
        .addPrimaryKeyConstraint('incident_alerts_pk', ['incident_id', 'alert_id'])
        .execute();
      await db.schema.createIndex('incident_alerts_alert').on('incident_alerts').column('alert_id').execute();
      await db.schema
        .createTable('incident_timeline')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('incident_id', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('details_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
      await db.schema
        .createIndex('incident_timeline_incident')
        .on('incident_timeline')
        .columns(['incident_id', 'id'])
        .execute();
      await db.schema
        .createTable('incident_roles')
        .addColumn('incident_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('user_email', 'text', (c) => c.notNull())
        .addColumn('assigned_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('incident_roles_pk', ['incident_id', 'role'])
        .execute();
      await db.schema
        .createTable('incident_responders')
        .addColumn('incident_id', 'text', (c) => c.notNull())
        .addColumn('user_email', 'text', (c) => c.notNull())
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('incident_responders_pk', ['incident_id', 'user_email'])
        .execute();
      await db.schema
        .createTable('incident_escalation_steps')
        .addColumn('incident_id', 'text', (c) => c.notNull())
        .addColumn('run', 'integer', (c) => c.notNull())
        .addColumn('cycle', 'integer', (c) => c.notNull())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('incident_escalation_steps_pk', ['incident_id', 'run', 'cycle', 'level'])
        .execute();
      await db.schema
        .createTable('incident_counter')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('value', 'integer', (c) => c.notNull())
        .execute();
      await db.insertInto('incident_counter').values({ id: 'number', value: 0 }).execute();
    },
  },
];
