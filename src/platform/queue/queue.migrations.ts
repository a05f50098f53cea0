import type { Db } from '../db/database.js';
import type { ModuleMigration } from '../db/migrations.js';

export const queueMigrations: ModuleMigration[] = [
  {
    name: '2026-11-21.02-queue',
    async up(db: Db) {
      await db.schema
        .createTable('queue_tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'bigint')
        .addColumn('idempotency_key', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .execute();
      // Claims scan `state = 'pending' and run_at <= now` in run_at order.
      await db.schema.createIndex('queue_tasks_due').on('queue_tasks').columns(['state', 'run_at']).execute();
      // Cleanup deletes `state in (done, dead) and finished_at < cutoff` in batches.
      await db.schema.createIndex('queue_tasks_finished').on('queue_tasks').columns(['state', 'finished_at']).execute();
      // Both engines allow many NULLs under a unique index, so tasks without a key don't collide.
      await db.schema
        .createIndex('queue_tasks_idempotency_key')
        .on('queue_tasks')
        .column('idempotency_key')
        .unique()
        .execute();
    },
  },
  {
    name: '2026-11-22.12-queue-kind-and-lease-indexes',
    async up(db: Db) {
      // A worker claims (and looks ahead for) its own kinds: one index seek per kind, instead of walking
      // every due row of other kinds (the page worker walked the whole delivery backlog in a burst).
      await db.schema
        .createIndex('queue_tasks_kind_due')
        .on('queue_tasks')
        .columns(['state', 'kind', 'run_at', 'id'])
        .execute();
    },
  },
  {
    // A partial index on lease_expires_at (created by the first version of the migration above) cost
    // every claim and completion an index write, a quarter of the bare queue's drain rate; the lease
    // look-ahead now walks the kind index instead.
    name: '2026-11-22.13-queue-drop-lease-index',
    async up(db: Db) {
      await db.schema.dropIndex('queue_tasks_leases').ifExists().execute();
    },
  },
];
